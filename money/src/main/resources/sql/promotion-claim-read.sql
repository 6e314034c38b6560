-- A claim's first statement: the promotion's terms, the player's CASH wallet and the player's claim
-- if it has one. FOR KEY SHARE OF the promotion: claims never wait for each other on it (shared), and
-- a PUT (FOR UPDATE) waits for the claims in flight before it counts or changes the slots.
SELECT p.bonus_type, p.amount, p.currency, p.expires_at, p.request_id, w.id AS wallet_id, w.currency AS wallet_currency,
  s.slot, s.claimed_at
FROM promotion p
LEFT JOIN wallet w ON w.player_id = :player_id AND w.kind = 'CASH'
LEFT JOIN promotion_slot s ON s.promotion_id = p.id AND s.player_id = :player_id
WHERE p.id = :promotion_id
FOR KEY SHARE OF p;
