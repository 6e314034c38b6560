-- The wallets of flipped credits, in id order. FOR NO KEY UPDATE, never FOR UPDATE: an ingress
-- transaction that inserted a credit holds FOR KEY SHARE on the wallet through the foreign key,
-- then updates the wallet; FOR UPDATE here would deadlock with it.
SELECT id FROM wallet WHERE id = ANY(:wallet_ids::bigint[]) ORDER BY id FOR NO KEY UPDATE;
