-- bet/make, round trip 2, after make-reference.sql (the betslip's reference rows): the bet (unique on the provider's make id, so a discard
-- tombstone inserts nothing) and its selections; then the player's status again, read FOR SHARE
-- (after the bet rows: the lock order) and held to the commit: a status change, which locks the
-- player row before the wallet, either committed before this read (the make sees it: 1005) or
-- waits for the make to commit (its event comes after the bet's), and a self-exclusion (issue 15) the
-- same way (its PUT updates the player row); then the make's session (issue 15),
-- read FOR SHARE after the player row (the lock order) and held to the commit, its state at the
-- clock's instant :now (never now()): an end or extension, an UPDATE of that row, committed before
-- this read (the make sees it: 1007) or waits for the make. :session_id NULL (sessions not required)
-- reads nothing. The bet records the local :day its stake books to (issue 15: usage-book.sql books it
-- in round trip 3, after the wallet lock). Arrays are bound whole (one parameter each).
INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake, state, betslip_id, potential_win, usage_day)
VALUES (:bet_id, :transaction_id, :player_id, (SELECT id FROM wallet WHERE player_id = :player_id AND kind = 'CASH'), :currency, :stake,
'OPEN', :betslip_id, :potential_win, :day) ON CONFLICT DO NOTHING;
INSERT INTO bet_selection (bet_id, position, selection_id, event_id, market_name, outcome_name, odds, live)
SELECT :bet_id, * FROM unnest(:selection_positions::int[], :selection_ids::text[], :selection_event_ids::text[], :selection_markets::text[],
:selection_outcomes::text[], :selection_odds::text[], :selection_live::boolean[]);
SELECT status, player_excluded(excluded_until, excluded_indefinitely, :now) FROM player WHERE id = :player_id FOR SHARE;
SELECT CASE WHEN player_id <> :player_id THEN 'OTHER_PLAYER' WHEN ended_at IS NOT NULL THEN 'ENDED' WHEN expires_at <= :now THEN 'EXPIRED'
ELSE 'OPEN' END FROM player_session WHERE id = :session_id FOR SHARE;
