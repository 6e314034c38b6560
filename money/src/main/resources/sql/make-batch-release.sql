-- A batch's refused (or deferred) members leave nothing (issue 16): their selections and bets (only
-- those this batch inserted: never a discard tombstone) and their idempotency claims, rows this
-- transaction wrote itself, so nothing waits. The next request with such a key is decided afresh.
DELETE FROM bet_selection WHERE bet_id = ANY(:bet_ids::text[]);
DELETE FROM bet WHERE id = ANY(:bet_ids::text[]);
DELETE FROM idempotency_record WHERE endpoint = :endpoint AND key = ANY(:keys::text[]);
