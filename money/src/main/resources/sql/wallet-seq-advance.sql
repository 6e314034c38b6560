-- Facts that move no money (a bonus granted): each wallet's player_seq advances by its number of
-- wallet.events records. The caller locked the wallets in id order first (wallet-lock).
UPDATE wallet w SET player_seq = w.player_seq + d.entries
FROM unnest(:wallet_ids::bigint[], :entries::bigint[]) AS d(id, entries)
WHERE w.id = d.id RETURNING w.id, w.player_seq;
