-- bet/make, round trip 1 (after the claim): the player's CASH wallet, currency and status, and its
-- settled balance read without a lock, which only chooses the path (Spend.fastPath).
SELECT w.currency, p.status, w.id, w.balance FROM wallet w JOIN player p ON p.id = w.player_id
WHERE w.player_id = :player_id AND w.kind = 'CASH';
