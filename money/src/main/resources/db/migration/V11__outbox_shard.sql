-- A player's facts reach Kafka in decision order with any number of relays (issue 13). Relays
-- claimed rows with FOR UPDATE SKIP LOCKED, so two relays (the ingress's and the worker's, or two
-- ingresses) held disjoint batches at once and published them in whatever order their rounds
-- finished: read back after a chaos run, a player's `sequence` went backwards about 1,800 times in
-- 376,000 balance events.
-- Now each row belongs to one of outbox_shards() shards, by its key. A relay's round takes a
-- transaction-level advisory lock on each shard it can (pg_try_advisory_xact_lock, never waiting),
-- then claims, sends, deletes and commits only those shards' rows, in id order, through one
-- idempotent producer: at any moment one relay publishes a given key, and the lock ends with the
-- transaction, so a relay that lost its database session cannot keep the shard. A key's rows are
-- committed in id order (each is written under the wallet row lock, the outbox id drawn after it),
-- so claiming in id order is decision order. The Kafka partition is still the producer's choice from
-- the key; the shard only decides which relay publishes.
-- The shard count is fixed here, once (outbox_shards() is read by the relays too). Changing it is a
-- migration with every relay stopped and the outbox drained, like adding partitions to a keyed topic.
-- hashtext is immutable within a major version; a major upgrade runs with the relays stopped and
-- the outbox drained (docs/ARCHITECTURE.md). The column is computed on insert: the hot path's
-- inserts name their columns and are unchanged. No index: a relay that owns every shard reads
-- the primary key in id order, as before.
CREATE FUNCTION outbox_shards() RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT 32';
COMMENT ON FUNCTION outbox_shards() IS 'How many relay shards the outbox is divided into (V11).';

ALTER TABLE outbox ADD COLUMN shard smallint NOT NULL
    GENERATED ALWAYS AS (((hashtext(msg_key) % outbox_shards()) + outbox_shards()) % outbox_shards()) STORED;
COMMENT ON COLUMN outbox.shard IS 'The relay shard of this row''s key, 0..outbox_shards()-1: one relay at a time publishes a shard (V11).';
