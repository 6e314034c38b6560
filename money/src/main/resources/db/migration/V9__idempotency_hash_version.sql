-- Which algorithm computed each idempotency record's request_hash (issue 12, finding 6), so that a
-- retry is compared the way its record was stored. Provider callbacks: 1 = SHA-256 of the payload's
-- JSON text with object keys sorted (every record stored before this migration); 2 = SHA-256 of its
-- RFC 8785 canonical form followed by the exact decimal of every integer beyond 2^53 (the ingress's
-- PayloadHash). Operator deposits and withdrawals: 1 (SHA-256 of player id and amount, unchanged).
-- The claim names its version (sql/idempotency-claim.sql); the default 1 labels the rows that exist
-- now, and any row an ingress still running the code before this migration writes during a rolling
-- upgrade, with the algorithm that wrote them. A constant default: no table rewrite.
ALTER TABLE idempotency_record ADD COLUMN hash_version smallint NOT NULL DEFAULT 1;
COMMENT ON COLUMN idempotency_record.hash_version
    IS 'The algorithm of request_hash, which a retry is compared with: 1 sorted-key text, 2 RFC 8785 + exact wide integers.';
