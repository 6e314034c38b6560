-- Records an operator grant once (insert-if-absent on request_id), with the rejections decided when
-- it was recorded. Returns its request_id only when this statement inserted it: otherwise the caller
-- compares request_hash (same body: a replay; another body: 409).
INSERT INTO bonus_grant (request_id, request_hash, bonus_type, currency, expires_at, players_total,
  rejected_unknown_player, rejected_currency, rejected_excluded, rejected_duplicate)
VALUES (:request_id, :request_hash, :bonus_type, :currency, :expires_at::timestamptz, :players_total,
  :rejected_unknown_player, :rejected_currency, :rejected_excluded, :rejected_duplicate)
ON CONFLICT (request_id) DO NOTHING RETURNING request_id;
