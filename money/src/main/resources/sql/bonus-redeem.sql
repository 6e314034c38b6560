-- bet/make with a granted bonus (issue 14), after the bet row and before the wallet (the lock
-- order): ONE statement redeems the bonus and binds it to the bet. The bonus goes ACTIVE -> USED,
-- bound to this bet, only if it is this player's, of the type the make names, in its currency,
-- unexpired at :now (the injected clock) and, for a freebet, at least the stake: the check and the
-- change are one step, so of two makes with the same bonus exactly one matches (the other waits on
-- the row lock, re-reads it USED and matches nothing). The bet (this transaction's own row) takes
-- the bonus: a freebet's stake moves from stake (cash, inserted as sent) to bonus_stake, so no cash
-- is debited; a comboboost keeps its cash stake. No row: the caller reads the bonus to say why
-- (3001, or 4002 for a stake above a freebet's amount).
WITH b AS (
  UPDATE bonus SET status = 'USED', bet_id = :bet_id, version = version + 1, updated_at = now()
  WHERE id = :bonus_id AND status = 'ACTIVE' AND player_id = :player_id AND bonus_type = :bonus_type AND currency = :currency
    AND expires_at > :now AND (NOT :freebet OR amount >= :stake)
  RETURNING id, amount, expires_at)
UPDATE bet SET bonus_id = b.id, bonus_type = :bonus_type, potential_comboboost_win = :potential_comboboost_win,
  stake = CASE WHEN :freebet THEN 0 ELSE stake END, bonus_stake = CASE WHEN :freebet THEN :stake ELSE 0 END
FROM b WHERE bet.id = :bet_id
RETURNING b.amount, b.expires_at;
