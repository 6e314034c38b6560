-- A player's self-exclusion as stored, and whether it is in force at :at (issue 15). Callers that
-- refuse on it read it in a statement that starts after they locked the player's wallet, so an
-- exclusion committed before their lock is always seen.
SELECT excluded_until, excluded_indefinitely, exclusion_reason, player_excluded(excluded_until, excluded_indefinitely, :at)
FROM player WHERE id = :player_id;
