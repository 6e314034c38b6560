-- A promotion's slots and its claims (taken slots). Read after promotion-lock, in its own statement
-- (so its snapshot follows the lock).
SELECT count(*) AS slots, count(player_id) AS taken FROM promotion_slot WHERE promotion_id = :promotion_id;
