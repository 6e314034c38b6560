-- A deposit's ledger entry (this transaction's own insert, found by its key) records the local day
-- its usage was booked to and the limits it was checked against (issue 15; NULL: none in force).
UPDATE ledger_entry SET usage_day = :day, limits_checked = CAST(:checked AS jsonb) WHERE idempotency_key = :ledger_key;
