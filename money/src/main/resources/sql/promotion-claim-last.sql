-- Run only by a claim that saw no free slot above its own (:slot): waits for every claim in flight on
-- a lower slot (FOR UPDATE, not SKIP LOCKED; a claim only ever waits for lower slots, so no cycle) and
-- counts the lower slots still free once they committed or rolled back. 0: this claim took the
-- promotion's last slot. Exactly one claim of a sold-out promotion finds 0 (PROTOCOL.md, "Limited-claim
-- promotions"). Only the claim on the highest free slot runs this, so it locks few rows: the lower
-- slots still free are those of claims in flight (or rolled back) at that moment.
SELECT count(*) FROM (SELECT slot FROM promotion_slot WHERE promotion_id = :promotion_id AND player_id IS NULL AND slot < :slot
  ORDER BY slot FOR UPDATE) f;
