-- Ends an open session at the clock's instant (an expired one too). No row when it is unknown,
-- another player's or already ended (the caller then reads it: a repeated DELETE answers the session
-- as it was ended). The UPDATE waits for every make holding the row FOR SHARE (make-batch-bets.sql), so once
-- this commits no make decided on the open session is still to commit.
UPDATE player_session SET ended_at = GREATEST(:now, created_at)
WHERE id = :session_id AND player_id = :player_id AND ended_at IS NULL
RETURNING id, player_id, created_at, expires_at, ended_at;
