-- Players recorded PENDING longer than :after_ms whose bonus.grants record never took them (a
-- record lost with its broker, skipped offsets), at most :players_max, grouped by grant.
SELECT request_id, player_id FROM bonus_grant_player
WHERE status = 'PENDING' AND updated_at < now() - (:after_ms::bigint * interval '1 millisecond')
ORDER BY request_id COLLATE "C", player_id COLLATE "C" LIMIT :players_max;
