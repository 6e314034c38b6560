-- Records a chunk (CALLING) and puts its players in it, only players no chunk holds (chunk_id IS
-- NULL): a player is never in two chunks. Returns the players moved (the caller checks them all).
WITH c AS (INSERT INTO bonus_grant_chunk (id, request_id, players) VALUES (:chunk_id, :request_id, :players) RETURNING id)
UPDATE bonus_grant_player p SET status = 'CHUNKED', chunk_id = c.id, updated_at = now() FROM c
WHERE p.request_id = :request_id AND p.player_id = ANY(:player_ids::text[]) AND p.status = 'PENDING' AND p.chunk_id IS NULL
RETURNING p.player_id;
