-- A rollback reopening a bonus bet (issue 14), after the reversed credit's lock and before the
-- wallet: the bonus goes back to USED by this bet. DONE -> USED when the reversed settlement had
-- closed it (win, lost, partial refund); ACTIVE -> USED, bound again, when the reversed refund
-- had released it and nothing took it since (still unbound and unexpired at :now). No row: it was
-- meanwhile used by another bet, revoked or expired; the rollback still succeeds and the caller
-- alerts (bonus_rebind_failed).
UPDATE bonus SET status = 'USED', bet_id = :bet_id, version = version + 1, updated_at = now()
WHERE id = :bonus_id AND ((status = 'DONE' AND bet_id = :bet_id) OR (status = 'ACTIVE' AND bet_id IS NULL AND expires_at > :now))
RETURNING status;
