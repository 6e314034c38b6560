-- The same flip for one wallet's PENDING credits, at most :flip_max in id order (a make, withdrawal
-- or rollback spending pending money).
WITH locked AS (SELECT id FROM credit WHERE wallet_id = :wallet_id AND status = 'PENDING'
  ORDER BY id COLLATE "C" LIMIT :flip_max FOR UPDATE)
UPDATE credit c SET status = 'APPLIED', decided_at = now() FROM locked WHERE c.id = locked.id AND c.status = 'PENDING'
RETURNING c.id, c.wallet_id, c.amount, c.player_id, c.bet_id, c.kind, c.created_at;
