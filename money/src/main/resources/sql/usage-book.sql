-- Books a money fact to the limit usage of its local :day's three periods (issue 15; the fact stores
-- :day and what it booked: V20), and returns each period's usage after it beside the player's
-- limits in force at the clock's instant :at. Run after the wallet row is locked (DESIGN's lock
-- order: the usage rows come after it, day, week, month), so this statement's snapshot is newer
-- than every fact of this player committed before it, and the upsert updates the newest row
-- version anyway; a limit change waits on, or is seen by, the player row the make holds FOR SHARE.
-- Deciding a refusal is the caller's (Limits.Usage.exceeds): it rolls back the whole transaction.
WITH booked AS (
  INSERT INTO limit_usage AS u (player_id, period, period_start, wager, loss, deposit)
  SELECT :player_id, p.period, p.period_start, :wager, :loss, :deposit FROM usage_periods(:day) WITH ORDINALITY p ORDER BY p.ordinality
  ON CONFLICT (player_id, period, period_start) DO UPDATE
  SET wager = u.wager + excluded.wager, loss = u.loss + excluded.loss, deposit = u.deposit + excluded.deposit
  RETURNING u.period, u.period_start, u.wager, u.loss, u.deposit)
SELECT b.period, b.period_start, b.wager, b.loss, b.deposit,
  limit_in_force(wl.value, wl.pending_value, wl.pending_effective_at, :at),
  limit_in_force(ll.value, ll.pending_value, ll.pending_effective_at, :at),
  limit_in_force(dl.value, dl.pending_value, dl.pending_effective_at, :at)
FROM booked b
LEFT JOIN player_limit wl ON wl.player_id = :player_id AND wl.kind = 'wager' AND wl.period = b.period
LEFT JOIN player_limit ll ON ll.player_id = :player_id AND ll.kind = 'loss' AND ll.period = b.period
LEFT JOIN player_limit dl ON dl.player_id = :player_id AND dl.kind = 'deposit' AND dl.period = b.period
ORDER BY CASE b.period WHEN 'day' THEN 1 WHEN 'week' THEN 2 ELSE 3 END;
