-- A rollback reopening a bonus bet (issue 14), after the reversed settlement and before the
-- credits and the wallet: the bonus goes back to USED by this bet. DONE -> USED when the reversed
-- settlement had closed it (win, lost, partial refund); ACTIVE -> USED when the reversed refund
-- released it and nothing took it since: the bet that released it last is still this one (a make
-- that redeemed it meanwhile named its own bet) and it is unexpired at :now. No row: it was used by
-- another bet, revoked or expired since; the rollback still succeeds and the caller alerts
-- (bonus_rebind_failed).
UPDATE bonus SET status = 'USED', version = version + 1, updated_at = now()
WHERE id = :bonus_id AND bet_id = :bet_id AND (status = 'DONE' OR (status = 'ACTIVE' AND expires_at > :now))
RETURNING status;
