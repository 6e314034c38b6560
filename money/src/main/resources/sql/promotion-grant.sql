-- A promotion's grant (issue 14): the bonus_grant its claims record their players in, request_id
-- 'promotion:<id>', source PROMOTION, created with the promotion (insert-if-absent). Its players_total
-- stays 0: a promotion's claims are counted by its slots, not by a request's entries.
INSERT INTO bonus_grant (request_id, request_hash, source, bonus_type, currency, expires_at, players_total)
VALUES (:request_id, :request_hash, 'PROMOTION', :bonus_type, :currency, :expires_at::timestamptz, 0)
ON CONFLICT (request_id) DO NOTHING;
