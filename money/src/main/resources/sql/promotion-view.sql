-- A promotion as the operator sees it, with its claims (taken slots).
SELECT p.bonus_type, p.amount, p.currency, p.claims_max, p.expires_at, p.request_id, p.version,
  (SELECT count(*) FROM promotion_slot s WHERE s.promotion_id = p.id AND s.player_id IS NOT NULL) AS claims_taken
FROM promotion p WHERE p.id = :promotion_id;
