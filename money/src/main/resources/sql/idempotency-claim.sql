-- The idempotency claim: the first request with (endpoint, key) inserts the row; a duplicate inserts
-- nothing and waits on the unique key until the first commits (IdempotencyStore).
INSERT INTO idempotency_record (endpoint, key, request_hash) VALUES (:endpoint, :key, :request_hash) ON CONFLICT DO NOTHING;
