-- A claim takes the lowest free slot no other claim holds (FOR UPDATE SKIP LOCKED LIMIT 1: a claim
-- that waits later, for a busy wallet, never blocks the others) and writes its player into it. No row:
-- every slot is taken or held by a claim in flight (sold out).
UPDATE promotion_slot s SET player_id = :player_id, claimed_at = :now::timestamptz
FROM (SELECT slot FROM promotion_slot WHERE promotion_id = :promotion_id AND player_id IS NULL
  ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED) f
WHERE s.promotion_id = :promotion_id AND s.slot = f.slot
RETURNING s.slot;
