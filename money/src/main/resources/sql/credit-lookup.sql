-- Commands the flip left out: APPLIED or CANCELLED means already done; a missing or disagreeing row is poison.
SELECT id, wallet_id, amount, status FROM credit WHERE id = ANY(:credit_ids::text[]);
