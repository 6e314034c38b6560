-- Writes a player's changed limits (issue 15), one row per (kind, period) in the arrays, under the
-- player row's lock (limit-lock.sql). Which change takes effect at once and which waits for its
-- cooling-off is Limits.change's rule; this only stores its result. Instants come as ISO-8601 text.
INSERT INTO player_limit AS l (player_id, kind, period, value, pending_value, pending_effective_at, updated_at)
SELECT :player_id, x.kind, x.period, x.value, x.pending_value, CAST(x.pending_effective_at AS timestamptz), :at
FROM unnest(:kinds::text[], :periods::text[], :limit_values::bigint[], :pending_values::bigint[], :pending_effective_ats::text[])
  AS x (kind, period, value, pending_value, pending_effective_at)
ORDER BY x.kind, x.period
ON CONFLICT (player_id, kind, period) DO UPDATE
SET value = excluded.value, pending_value = excluded.pending_value, pending_effective_at = excluded.pending_effective_at,
  updated_at = excluded.updated_at;
