-- The revoke sweep's claim: at most :batch_max bonuses left REVOKING since before :stale_before (a
-- revoke whose process died between its two steps, or whose provider call failed), FOR UPDATE SKIP
-- LOCKED so many workers sweep at once. Each one's updated_at moves to :now, a lease: no sweep takes
-- it again before the bound passes, while this one calls the provider (outside the transaction).
UPDATE bonus b SET updated_at = :now::timestamptz
FROM (SELECT id FROM bonus WHERE status = 'REVOKING' AND updated_at < :stale_before::timestamptz
  ORDER BY updated_at LIMIT :batch_max FOR UPDATE SKIP LOCKED) s
WHERE b.id = s.id
RETURNING b.id;
