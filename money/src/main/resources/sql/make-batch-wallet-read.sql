-- A batch of one player's makes (issue 16), after its claims: make-wallet-read.sql's reads for the
-- whole batch. The player's CASH wallet, currency, status and self-exclusion at :now, and its settled
-- balance and pending money read without a lock: they choose the path (Spend.flipFirst: apply the
-- pending credits before the first wallet statement when the settled balance is short of the
-- members' stakes); refusals on them are safe (make-wallet-read.sql says why), acceptances are decided
-- under locks in make-batch-bets.sql.
SELECT w.currency, p.status, w.id, w.balance, w.pending, player_excluded(p.excluded_until, p.excluded_indefinitely, :now) AS excluded
FROM wallet w JOIN player p ON p.id = w.player_id
WHERE w.player_id = :player_id AND w.kind = 'CASH';
