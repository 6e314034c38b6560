-- The same flip for credits the transaction already holds (a rollback locked them with its reversed credit).
WITH locked AS (SELECT id FROM credit WHERE id = ANY(:credit_ids::text[]) AND status = 'PENDING'
  ORDER BY id COLLATE "C" FOR UPDATE)
UPDATE credit c SET status = 'APPLIED', decided_at = now() FROM locked WHERE c.id = locked.id AND c.status = 'PENDING'
RETURNING c.id, c.wallet_id, c.amount, c.player_id, c.bet_id, c.kind, c.created_at;
