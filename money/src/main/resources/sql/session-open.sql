-- A new session for an existing player who is not self-excluded at :now (none otherwise: the caller
-- tells an unknown player, 404, from an excluded one, 422). The player row is read FOR SHARE: an
-- exclusion's PUT (an UPDATE of it, which then ends the player's open sessions) either committed
-- before (seen here) or waits for this session's commit and ends it.
-- expires_at = the clock's instant + ttl, both passed in: the wallet clock, never now().
INSERT INTO player_session (id, player_id, created_at, expires_at)
SELECT :session_id, p.id, :now, :now + make_interval(secs => :ttl_seconds) FROM player p
WHERE p.id = :player_id AND NOT player_excluded(p.excluded_until, p.excluded_indefinitely, :now) FOR SHARE OF p
RETURNING id, player_id, created_at, expires_at, ended_at;
