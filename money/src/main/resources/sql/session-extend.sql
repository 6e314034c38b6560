-- Extends an open session to the clock's instant + ttl, never shortening it (GREATEST): the row is
-- updated only while it is neither ended nor expired at :now, so a session never comes back. No row
-- when the session is unknown, another player's, ended or expired (the caller reads why).
UPDATE player_session SET expires_at = GREATEST(expires_at, :now + make_interval(secs => :ttl_seconds))
WHERE id = :session_id AND player_id = :player_id AND ended_at IS NULL AND expires_at > :now
RETURNING id, player_id, created_at, expires_at, ended_at;
