-- A player's usage in the periods of the local :day (issue 15), day, week, month: each period's start
-- (usage_periods, the one rule) and what was booked to it, 0 when nothing was yet.
SELECT p.period, p.period_start, coalesce(u.wager, 0), coalesce(u.loss, 0), coalesce(u.deposit, 0)
FROM usage_periods(:day) WITH ORDINALITY p
LEFT JOIN limit_usage u ON u.player_id = :player_id AND u.period = p.period AND u.period_start = p.period_start
ORDER BY p.ordinality;
