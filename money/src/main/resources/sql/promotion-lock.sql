-- A PUT's lock on an existing promotion. FOR UPDATE, not FOR NO KEY UPDATE: it conflicts with the
-- FOR KEY SHARE every claim holds on the row, so the PUT waits for the claims in flight and the
-- claims arriving meanwhile wait for it (briefly): the slots hold still while it counts and changes them.
SELECT bonus_type, amount, currency, claims_max, expires_at, version FROM promotion WHERE id = :promotion_id FOR UPDATE;
