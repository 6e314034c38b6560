-- The state at the clock's instant :now of each session a batch's members name (issue 15's check,
-- Sessions.Check; no row: no such session). Without a lock after the claims (a refusal only: a
-- session never comes back), FOR SHARE after the player row in make-batch-bets.sql (the lock order),
-- which decides.
SELECT s.id, CASE WHEN s.player_id <> :player_id THEN 'OTHER_PLAYER' WHEN s.ended_at IS NOT NULL THEN 'ENDED'
  WHEN s.expires_at <= :now THEN 'EXPIRED' ELSE 'OPEN' END
FROM player_session s WHERE s.id = ANY(:session_ids::text[]) ORDER BY s.id COLLATE "C";
