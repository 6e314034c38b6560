-- Applied money moves from pending to settled (available, balance + pending, does not change): per
-- wallet the summed delta and the number of entries, which advance its version and player_seq.
UPDATE wallet w SET balance = w.balance + d.delta, pending = w.pending - d.delta, version = w.version + d.entries,
  player_seq = w.player_seq + d.entries, updated_at = now()
FROM unnest(:wallet_ids::bigint[], :deltas::bigint[], :entries::bigint[]) AS d(id, delta, entries)
WHERE w.id = d.id RETURNING w.id, w.balance, w.version, w.currency, w.player_seq;
