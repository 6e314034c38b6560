-- A bonus bet's settlement (issue 14), after the bet's transition and before the wallet: the
-- bonus bound to the bet goes USED -> DONE (win, lost, partial refund) or is released, USED ->
-- ACTIVE with its bet unbound (a full refund, a discard), or EXPIRED when released at or after its
-- expires_at (:now, the injected clock). Conditional on the binding: a bonus not USED by this bet
-- changes nothing. Returns the bonus's new status.
UPDATE bonus SET status = CASE WHEN NOT :release THEN 'DONE' WHEN expires_at > :now THEN 'ACTIVE' ELSE 'EXPIRED' END,
  bet_id = CASE WHEN :release THEN NULL ELSE bet_id END, version = version + 1, updated_at = now()
WHERE id = :bonus_id AND bet_id = :bet_id AND status = 'USED'
RETURNING status, amount;
