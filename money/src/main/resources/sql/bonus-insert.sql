-- The bonuses the provider answered for a chunk's players, each once: ON CONFLICT DO NOTHING on the
-- provider's id and on (request_id, player_id). Returns the rows inserted, in bonus-id order. The
-- players are found by their whole primary key (the chunk's request_id, the player): by player_id
-- alone the planner walked the key's index once per player (3 s for 1,000 on a 100k grant).
INSERT INTO bonus (id, player_id, wallet_id, bonus_type, amount, currency, expires_at, request_id, chunk_id)
SELECT u.bonus_id, p.player_id, w.id, g.bonus_type, p.amount, g.currency, g.expires_at, g.request_id, p.chunk_id
FROM unnest(:player_ids::text[], :bonus_ids::text[]) AS u(player_id, bonus_id)
JOIN bonus_grant_chunk c ON c.id = :chunk_id
JOIN bonus_grant_player p ON p.request_id = c.request_id AND p.player_id = u.player_id AND p.chunk_id = c.id AND p.status = 'CHUNKED'
JOIN bonus_grant g ON g.request_id = c.request_id
JOIN wallet w ON w.player_id = p.player_id AND w.kind = 'CASH'
ORDER BY u.bonus_id COLLATE "C"
ON CONFLICT DO NOTHING
RETURNING id, player_id, wallet_id, amount, currency, bonus_type, expires_at, request_id;
