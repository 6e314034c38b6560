-- A new session for an existing player (none when the player is unknown: the caller answers 404).
-- expires_at = the clock's instant + ttl, both passed in: the wallet clock, never now().
INSERT INTO player_session (id, player_id, created_at, expires_at)
SELECT :session_id, p.id, :now, :now + make_interval(secs => :ttl_seconds) FROM player p WHERE p.id = :player_id
RETURNING id, player_id, created_at, expires_at, ended_at;
