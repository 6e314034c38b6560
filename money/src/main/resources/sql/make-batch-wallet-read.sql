-- bet/make, a batch of one player's makes (issue 16), round trip 1 after its claims: the player's CASH
-- wallet, currency, status and self-exclusion at :now, and its settled balance and pending money read
-- without a lock. They only choose the path (Spend.flipFirst: apply the pending credits before the
-- first wallet statement when the settled balance is short of the members' stakes) and refuse early:
-- 1006, 1005 and 2002 answer before 1007 (PROTOCOL.md's precedence), and refusing on an unlocked read
-- is safe because an exclusion is never lifted before its end and a block is read again under a share
-- lock in round trip 2 (make-batch-bets.sql), which decides every acceptance.
SELECT w.currency, p.status, w.id, w.balance, w.pending, player_excluded(p.excluded_until, p.excluded_indefinitely, :now) AS excluded
FROM wallet w JOIN player p ON p.id = w.player_id
WHERE w.player_id = :player_id AND w.kind = 'CASH';
