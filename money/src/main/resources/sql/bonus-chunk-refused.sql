-- The provider refused the chunk's players: the chunk is DONE and its players REJECTED ('provider').
-- The chunk row first (lock order: chunk, then its players), only while CALLING.
WITH c AS (UPDATE bonus_grant_chunk SET status = 'DONE', attempts = attempts + 1, last_error = :error, updated_at = now()
  WHERE id = :chunk_id AND status = 'CALLING' RETURNING id)
UPDATE bonus_grant_player p SET status = 'REJECTED', reject_reason = 'provider', updated_at = now() FROM c
WHERE p.chunk_id = c.id AND p.status = 'CHUNKED'
RETURNING p.player_id;
