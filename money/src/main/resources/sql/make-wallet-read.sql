-- bet/make, round trip 1 (after the claim): the player's CASH wallet, currency and status, and its
-- settled balance read without a lock, which only chooses the path (Spend.fastPath); and the state of
-- the make's session at the clock's instant :now (issue 15; NULL: no such session, or :session_id NULL
-- when sessions are not required), read here only so that 1007 answers before 2002 (PROTOCOL.md's
-- precedence). A session never comes back from ENDED or EXPIRED, so refusing on this unlocked read is
-- safe; an OPEN one is read again under a share lock in round trip 2 (make-bet.sql), which decides.
-- Whether the player is self-excluded at :now (issue 15; 1005 like a block, so it answers before 1007):
-- an exclusion is never lifted before its end, so refusing on it is safe too; round trip 2 decides.
SELECT w.currency, p.status, w.id, w.balance,
  (SELECT CASE WHEN s.player_id <> w.player_id THEN 'OTHER_PLAYER' WHEN s.ended_at IS NOT NULL THEN 'ENDED'
     WHEN s.expires_at <= :now THEN 'EXPIRED' ELSE 'OPEN' END FROM player_session s WHERE s.id = :session_id) AS session,
  player_excluded(p.excluded_until, p.excluded_indefinitely, :now) AS excluded
FROM wallet w JOIN player p ON p.id = w.player_id
WHERE w.player_id = :player_id AND w.kind = 'CASH';
