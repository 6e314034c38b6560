-- A call of a chunk that did not land (the provider away, or refusing us as a partner): the chunk
-- stays CALLING for the re-drive, with its attempts and last error.
UPDATE bonus_grant_chunk SET attempts = attempts + 1, last_error = :error, updated_at = now()
WHERE id = :chunk_id AND status = 'CALLING';
