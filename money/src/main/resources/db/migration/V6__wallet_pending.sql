-- Available = settled + pending (DESIGN.md). wallet.pending is the sum of the wallet's PENDING
-- credits, kept on the wallet row and changed under the wallet lock by every statement that
-- creates, cancels or applies a credit, so available = balance + pending comes from one row
-- version. Existing PENDING credits are counted in; run with the worker stopped (a worker batch
-- committing between this UPDATE and the next statement would leave pending too high, which the
-- reconcile check `wallet-pending` reports).
ALTER TABLE wallet ADD COLUMN pending bigint NOT NULL DEFAULT 0;
UPDATE wallet w SET pending = p.total
  FROM (SELECT wallet_id, sum(amount) AS total FROM credit WHERE status = 'PENDING' GROUP BY wallet_id) p
 WHERE w.id = p.wallet_id;
ALTER TABLE wallet ADD CONSTRAINT wallet_pending_not_negative CHECK (pending >= 0);
COMMENT ON COLUMN wallet.pending IS 'Sum of the wallet''s PENDING credits (decided, not applied yet); available = balance + pending.';

-- A make, withdrawal or rollback that spends pending money locks the wallet's PENDING credits in id order.
CREATE INDEX credit_wallet_pending ON credit (wallet_id, id) WHERE status = 'PENDING';
