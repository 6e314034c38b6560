-- Ends every open session of a player at the clock's instant (issue 15: a self-exclusion ends them,
-- in its own transaction, after it updated the player row: the lock order player, sessions, wallet).
-- Each UPDATE waits for the makes holding its session FOR SHARE (make-batch-bets.sql). Returns how many.
WITH ended AS (
  UPDATE player_session SET ended_at = GREATEST(:now, created_at)
  WHERE player_id = :player_id AND ended_at IS NULL AND expires_at > :now
  RETURNING id)
SELECT count(*) FROM ended;
