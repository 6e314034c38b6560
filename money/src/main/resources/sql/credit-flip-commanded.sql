-- The worker's flip: the commanded credits that are still PENDING and agree with their command
-- (wallet, amount) become APPLIED, exactly once. Lock order (DESIGN.md): the credit rows first, in
-- credit-id order (code points), by the locking SELECT, then the update; a credit flipped or
-- cancelled meanwhile fails the re-check and is left out.
WITH locked AS (SELECT c.id FROM credit c
  JOIN unnest(:credit_ids::text[], :wallet_ids::bigint[], :amounts::bigint[]) AS cmd(id, wallet_id, amount)
  ON c.id = cmd.id AND c.wallet_id = cmd.wallet_id AND c.amount = cmd.amount
  WHERE c.status = 'PENDING' ORDER BY c.id COLLATE "C" FOR UPDATE OF c)
UPDATE credit c SET status = 'APPLIED', decided_at = now() FROM locked WHERE c.id = locked.id AND c.status = 'PENDING'
RETURNING c.id, c.wallet_id, c.amount, c.player_id, c.bet_id, c.kind, c.created_at;
