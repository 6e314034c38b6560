-- A claim takes the lowest free slot no other claim holds (FOR UPDATE SKIP LOCKED LIMIT 1: a claim
-- that waits later, for a busy wallet, never blocks the others) and writes its player into it. No row:
-- every slot is taken or held by a claim in flight (sold out). Also returns whether this claim sees a
-- free slot above its own (a claim in flight still shows its slot free), and the free slots it sees
-- besides its own, counted up to :count_max (a bounded cost per claim, whatever the promotion's size).
UPDATE promotion_slot s SET player_id = :player_id, claimed_at = :now::timestamptz
FROM (SELECT slot FROM promotion_slot WHERE promotion_id = :promotion_id AND player_id IS NULL
  ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED) f
WHERE s.promotion_id = :promotion_id AND s.slot = f.slot
RETURNING s.slot,
  EXISTS (SELECT 1 FROM promotion_slot o WHERE o.promotion_id = :promotion_id AND o.player_id IS NULL AND o.slot > s.slot) AS free_above,
  (SELECT count(*) FROM (SELECT 1 FROM promotion_slot o WHERE o.promotion_id = :promotion_id AND o.player_id IS NULL AND o.slot <> s.slot
    LIMIT :count_max) c) AS free_other;
