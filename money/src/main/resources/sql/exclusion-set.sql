-- Sets a player's self-exclusion (issue 15) only when it is a change that may be made: a new one
-- when none is in force at :at (any end after :at, or none), or an extension of the one in force
-- (indefinite, or a later end). Shortening or lifting one in force changes nothing (no row), and
-- so does setting the exclusion already there. The player row's lock is taken here; the caller
-- locks the wallet after it (the lock order) for the event's player_seq. Returns the change's
-- exclusion_version and the player's CASH wallet (joined, not locked here) that the event is about.
UPDATE player SET excluded_until = :until, excluded_indefinitely = :indefinitely, exclusion_reason = :reason,
  exclusion_version = exclusion_version + 1, updated_at = :at
FROM wallet w
WHERE player.id = :player_id AND w.player_id = player.id AND w.kind = 'CASH'
  AND (excluded_until IS DISTINCT FROM :until OR excluded_indefinitely <> :indefinitely)
  AND (NOT player_excluded(excluded_until, excluded_indefinitely, :at)
       OR :indefinitely
       OR (NOT excluded_indefinitely AND :until >= excluded_until))
RETURNING player.exclusion_version, w.id, w.currency;
