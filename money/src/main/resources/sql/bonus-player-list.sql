-- A player's bonuses, newest first, at most :limit_max.
SELECT id, bonus_type, amount, currency, status, expires_at, bet_id
FROM bonus WHERE player_id = :player_id
ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT :limit_max;
