-- Creates a promotion (insert-if-absent on its id); returns its id only when this statement created
-- it. Its slots come after (promotion-slots-add).
INSERT INTO promotion (id, request_id, bonus_type, amount, currency, claims_max, expires_at, created_at, updated_at)
VALUES (:promotion_id, :request_id, :bonus_type, :amount, :currency, :claims_max, :expires_at::timestamptz, :now::timestamptz,
  :now::timestamptz)
ON CONFLICT (id) DO NOTHING RETURNING id;
