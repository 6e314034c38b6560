-- The named players of the grant that no chunk holds yet, at most :players_max, in code-point order
-- (the order the chunk's call names them in, on every attempt), locked until the chunk is recorded.
SELECT player_id, amount FROM bonus_grant_player
WHERE request_id = :request_id AND player_id = ANY(:player_ids::text[]) AND status = 'PENDING' AND chunk_id IS NULL
ORDER BY player_id COLLATE "C" LIMIT :players_max FOR UPDATE;
