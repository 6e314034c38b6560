-- The idempotency claim: the first request with (endpoint, key) inserts the row; a duplicate inserts
-- nothing and waits on the unique key until the first commits (IdempotencyStore). hash_version names
-- the algorithm of request_hash, so a retry is compared the way its record was stored.
INSERT INTO idempotency_record (endpoint, key, request_hash, hash_version) VALUES (:endpoint, :key, :request_hash, :hash_version)
ON CONFLICT DO NOTHING;
