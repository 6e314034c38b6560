-- The grant's next chunk number, and what every chunk of it grants. Locks the grant row: the
-- chunk takers of one grant (consumers, re-drives, any instance) take its players one at a time.
UPDATE bonus_grant SET chunks_recorded = chunks_recorded + 1 WHERE request_id = :request_id
RETURNING chunks_recorded - 1, bonus_type, currency, expires_at;
