-- Removes :remove free slots, the highest first (a PUT lowering claims_max, under promotion-lock: no
-- claim is in flight, so every free slot counted is still free). A taken slot is never removed.
DELETE FROM promotion_slot s USING (SELECT slot FROM promotion_slot WHERE promotion_id = :promotion_id AND player_id IS NULL
  ORDER BY slot DESC LIMIT :remove) f
WHERE s.promotion_id = :promotion_id AND s.slot = f.slot AND s.player_id IS NULL;
