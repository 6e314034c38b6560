-- Finishes a chunk the provider answered: CALLING -> DONE, once. A second finisher (a re-drive
-- racing the consumer) waits for this row, then finds it DONE and writes nothing.
UPDATE bonus_grant_chunk SET status = 'DONE', attempts = attempts + 1, last_error = NULL, updated_at = now()
WHERE id = :chunk_id AND status = 'CALLING' RETURNING id;
