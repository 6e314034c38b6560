-- Adds :add free slots above the promotion's highest one (a PUT creating it or raising claims_max).
INSERT INTO promotion_slot (promotion_id, slot)
SELECT :promotion_id, m.top + g FROM (SELECT coalesce(max(slot), 0) AS top FROM promotion_slot WHERE promotion_id = :promotion_id) m,
  generate_series(1, :add) AS g;
