-- A bonus as the operator sees it (a revoke's answer).
SELECT status, player_id, bonus_type, amount, currency, expires_at, bet_id, request_id FROM bonus WHERE id = :bonus_id;
