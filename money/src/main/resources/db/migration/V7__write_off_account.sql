-- ROLLBACK_SHORTFALL=absorb (issue 11): the part of a rollback the player's money cannot cover is
-- booked to the house's write-off account, one wallet of kind WRITE_OFF per currency, owned by the
-- reserved operator player '_house' (no player id the APIs accept starts with '_'; it is BLOCKED, so
-- it can never bet). The write-off wallets are created when first needed (insert-if-absent) and are
-- always locked last. Their balance is the sum of their ledger like any wallet's: minus what was absorbed.
ALTER TABLE wallet DROP CONSTRAINT wallet_kind_check;
ALTER TABLE wallet ADD CONSTRAINT wallet_kind_check CHECK (kind IN ('CASH', 'WRITE_OFF'));
INSERT INTO player (id, status) VALUES ('_house', 'BLOCKED') ON CONFLICT DO NOTHING;
