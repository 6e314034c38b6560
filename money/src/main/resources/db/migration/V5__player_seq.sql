-- The per-player order of wallet.events (DESIGN.md, "Per-player order"): the number of
-- wallet.events records written about the player, kept on the player's CASH wallet and advanced
-- under the wallet row lock, by the statement that takes it, by the number of records the
-- transaction writes for the player (each record carries its own value, as data.player_seq).
-- Existing wallets start at 0, so a player's first new event is 1.
ALTER TABLE wallet ADD COLUMN player_seq bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN wallet.player_seq IS 'The number of wallet.events records written about the player (CASH wallet only); the latest one carries this value as data.player_seq.';
