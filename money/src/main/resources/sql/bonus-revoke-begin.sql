-- A revoke's first step (issue 14): ACTIVE -> REVOKING, conditional, committed BEFORE the provider's
-- revoke is called (never a network call inside a transaction). A make on a REVOKING bonus gets 3001;
-- a redemption racing this statement (UPDATE ... WHERE status = 'ACTIVE') waits on the row: exactly
-- one of the two changes it. No row: the bonus is not ACTIVE (bonus-state tells what it is).
UPDATE bonus SET status = 'REVOKING', version = version + 1, updated_at = :now::timestamptz
WHERE id = :bonus_id AND status = 'ACTIVE'
RETURNING id;
