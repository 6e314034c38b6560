-- A batch of one player's makes (issue 16), its first statement: the idempotency claims of all its
-- members, in key order (code points: the lock order), so two batches (of two ingresses) sharing keys
-- wait on each other in one order and never deadlock. The first request with (endpoint, key) inserts
-- the row; a key already taken inserts nothing (the member replays; a concurrent duplicate waits on
-- the unique key until the first commits). The batch never holds two requests with one key. Returns
-- the keys this batch claimed.
INSERT INTO idempotency_record (endpoint, key, request_hash, hash_version)
SELECT :endpoint, k.key, decode(k.request_hash, 'hex'), k.hash_version
FROM unnest(:keys::text[], :request_hashes::text[], :hash_versions::int[]) AS k(key, request_hash, hash_version)
ORDER BY k.key COLLATE "C"
ON CONFLICT DO NOTHING
RETURNING key;
