-- Chunks left CALLING longer than :after_ms (a crash between the provider's answer and the
-- commit, a provider that stayed away), oldest first, at most :chunks_max: each is leased for
-- another :after_ms (updated_at), so concurrent re-drives take different chunks.
WITH due AS (SELECT id FROM bonus_grant_chunk
  WHERE status = 'CALLING' AND updated_at < now() - (:after_ms::bigint * interval '1 millisecond')
  ORDER BY created_at, id COLLATE "C" LIMIT :chunks_max FOR UPDATE SKIP LOCKED)
UPDATE bonus_grant_chunk c SET updated_at = now() FROM due WHERE c.id = due.id RETURNING c.id;
