-- A CALLING chunk as it was recorded: its grant's type, currency and expiry, and its players in
-- code-point order (the same call on every attempt, so the provider's idempotency answers it).
SELECT c.request_id, g.bonus_type, g.currency, g.expires_at, p.player_id, p.amount
FROM bonus_grant_chunk c JOIN bonus_grant g ON g.request_id = c.request_id JOIN bonus_grant_player p ON p.chunk_id = c.id
WHERE c.id = :chunk_id AND c.status = 'CALLING'
ORDER BY p.player_id COLLATE "C";
