-- The chunk's players the provider granted: GRANTED with the provider's bonus id.
-- Found by the whole primary key (the chunk's request_id, the player), as bonus-insert.sql.
UPDATE bonus_grant_player p SET status = 'GRANTED', bonus_id = u.bonus_id, updated_at = now()
FROM unnest(:player_ids::text[], :bonus_ids::text[]) AS u(player_id, bonus_id), bonus_grant_chunk c
WHERE c.id = :chunk_id AND p.request_id = c.request_id AND p.player_id = u.player_id AND p.chunk_id = c.id AND p.status = 'CHUNKED';
