-- One ledger entry per applied credit, with the running balance and version it produced.
INSERT INTO ledger_entry (wallet_id, amount, balance_after, wallet_version, operation, idempotency_key)
SELECT w, a, b, v, 'credit', k
FROM unnest(:wallet_ids::bigint[], :amounts::bigint[], :balances_after::bigint[], :versions::bigint[], :idempotency_keys::text[])
AS t(w, a, b, v, k);
