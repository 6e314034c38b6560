-- The expiry sweep (issue 14): at most :batch_max ACTIVE bonuses whose expires_at is at or before
-- :now (the injected clock, never now()) become EXPIRED, FOR UPDATE SKIP LOCKED so many workers sweep
-- at once and a make redeeming one of them meanwhile is never waited for. The caller writes their
-- wallet.bonus.expired events under their wallets' locks, after this statement.
UPDATE bonus b SET status = 'EXPIRED', version = b.version + 1, updated_at = :now::timestamptz
FROM (SELECT id FROM bonus WHERE status = 'ACTIVE' AND expires_at <= :now::timestamptz
  ORDER BY expires_at LIMIT :batch_max FOR UPDATE SKIP LOCKED) e
WHERE b.id = e.id AND b.status = 'ACTIVE'
RETURNING b.id, b.status, b.player_id, b.wallet_id, b.bonus_type, b.amount, b.currency, b.request_id;
