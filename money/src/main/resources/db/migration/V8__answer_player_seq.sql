-- Each stored answer keeps (internally) the player's player_seq after its decision, read from the
-- same wallet row version as the balance it answered: reconcile orders a player's answers by it
-- and checks each answered balance against the wallet.events before it. NULL for answers without
-- a balance (a discard tombstone) and for answers stored before this migration.
ALTER TABLE idempotency_record ADD COLUMN player_seq bigint;
COMMENT ON COLUMN idempotency_record.player_seq IS 'The player''s player_seq after this answer''s decision (never sent to the caller).';
