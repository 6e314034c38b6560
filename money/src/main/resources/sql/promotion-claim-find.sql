-- The player's claim of a promotion, if any.
SELECT slot, claimed_at FROM promotion_slot WHERE promotion_id = :promotion_id AND player_id = :player_id;
