-- An accepted make's record of the limits it was checked against and the usage it left (issue 15;
-- Limits.checked's JSON), for the reconcile. Only written when a limit was in force: the bet row is
-- this transaction's own insert, so this waits on nothing.
UPDATE bet SET limits_checked = CAST(:checked AS jsonb) WHERE id = :bet_id;
