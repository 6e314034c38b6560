-- A PUT's change of an existing promotion, under promotion-lock; its grant follows (bonus type,
-- currency and expiry are read from the grant by the granting consumer).
UPDATE promotion SET bonus_type = :bonus_type, amount = :amount, currency = :currency, claims_max = :claims_max,
  expires_at = :expires_at::timestamptz, version = version + 1, updated_at = :now::timestamptz
WHERE id = :promotion_id;
UPDATE bonus_grant SET bonus_type = :bonus_type, currency = :currency, expires_at = :expires_at::timestamptz
WHERE request_id = :request_id;
