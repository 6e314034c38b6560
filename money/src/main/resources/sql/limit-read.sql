-- A player's limits as stored (issue 15): what limit-write.sql wrote; Limits resolves a pending
-- change that is effective at the caller's instant.
SELECT kind, period, value, pending_value, pending_effective_at FROM player_limit WHERE player_id = :player_id;
