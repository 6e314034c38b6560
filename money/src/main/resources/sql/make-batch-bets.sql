-- bet/make, a batch of one player's makes (issue 16), round trip 2, after make-reference.sql (the union
-- of its members' reference rows). The bets (unique on the provider's make id: a discard tombstone
-- inserts nothing, and its id is not returned) in id order, and the selections of the bets inserted;
-- each bet records the local :day its stake books to (issue 15: usage-book.sql books it after the
-- wallet lock). Then the player's status and self-exclusion again, read FOR SHARE (after the bet rows:
-- the lock order) and held to the commit: a status change or a self-exclusion, which update the player
-- row before the wallet, either committed before this read (the batch sees it: 1005) or waits for the
-- batch to commit (its events come after the bets'). Then each named session (issue 15), FOR SHARE
-- after the player row and held to the commit, its state at the clock's instant :now (never now()):
-- an end or an extension, an UPDATE of that row, committed before this read (1007) or waits for the
-- batch. A batch whose members name a bonus sends make-batch-bonus-locks.sql after it, in the same
-- round trip. The bet rows of members refused later are deleted by make-batch-release.sql. Arrays are
-- bound whole (one parameter each).
WITH b AS (
  INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake, state, betslip_id, potential_win, usage_day)
  SELECT m.id, m.transaction_id, :player_id, :wallet_id, :currency, m.stake, 'OPEN', m.betslip_id, m.potential_win, :day
  FROM unnest(:bet_ids::text[], :transaction_ids::text[], :stakes::bigint[], :betslip_ids::text[], :potential_wins::bigint[])
    AS m(id, transaction_id, stake, betslip_id, potential_win)
  ORDER BY m.id COLLATE "C"
  ON CONFLICT DO NOTHING
  RETURNING id),
s AS (
  INSERT INTO bet_selection (bet_id, position, selection_id, event_id, market_name, outcome_name, odds, live)
  SELECT x.* FROM unnest(:selection_bet_ids::text[], :selection_positions::int[], :selection_ids::text[], :selection_event_ids::text[],
    :selection_markets::text[], :selection_outcomes::text[], :selection_odds::text[], :selection_live::boolean[])
    AS x(bet_id, position, selection_id, event_id, market_name, outcome_name, odds, live)
  WHERE x.bet_id IN (SELECT id FROM b))
SELECT id FROM b;
SELECT status, player_excluded(excluded_until, excluded_indefinitely, :now) FROM player WHERE id = :player_id FOR SHARE;
SELECT s.id, CASE WHEN s.player_id <> :player_id THEN 'OTHER_PLAYER' WHEN s.ended_at IS NOT NULL THEN 'ENDED'
  WHEN s.expires_at <= :now THEN 'EXPIRED' ELSE 'OPEN' END
FROM player_session s WHERE s.id = ANY(:session_ids::text[]) ORDER BY s.id COLLATE "C" FOR SHARE OF s;
