-- The chunk's players the provider granted: GRANTED with the provider's bonus id.
UPDATE bonus_grant_player p SET status = 'GRANTED', bonus_id = u.bonus_id, updated_at = now()
FROM unnest(:player_ids::text[], :bonus_ids::text[]) AS u(player_id, bonus_id)
WHERE p.chunk_id = :chunk_id AND p.player_id = u.player_id AND p.status = 'CHUNKED';
