-- A claim takes the lowest free slot no other claim holds (FOR UPDATE SKIP LOCKED LIMIT 1: a claim
-- that waits later, for a busy wallet, never blocks the others) and writes its player into it. No row:
-- every slot is taken or held by a claim in flight (sold out). Also returns the slots this claim
-- sees free besides its own (a claim in flight still shows its slot free): above its own, and in all.
UPDATE promotion_slot s SET player_id = :player_id, claimed_at = :now::timestamptz
FROM (SELECT slot FROM promotion_slot WHERE promotion_id = :promotion_id AND player_id IS NULL
  ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED) f
WHERE s.promotion_id = :promotion_id AND s.slot = f.slot
RETURNING s.slot,
  (SELECT count(*) FROM promotion_slot o WHERE o.promotion_id = :promotion_id AND o.player_id IS NULL AND o.slot > s.slot) AS free_above,
  (SELECT count(*) FROM promotion_slot o WHERE o.promotion_id = :promotion_id AND o.player_id IS NULL AND o.slot <> s.slot) AS free_other;
