-- A limit change (issue 15) starts here: the player row's lock (FOR NO KEY UPDATE: DESIGN's explicit
-- player lock), which serialises the player's limit changes and orders each one wholly before or
-- after every make (a make holds the row FOR SHARE from its round trip 2 to its commit). Returns the
-- player, or no row for an unknown one. Limits.lock then takes limit-lock-wallet.sql.
SELECT id FROM player WHERE id = :player_id FOR NO KEY UPDATE;
