-- A revoke's last step, after the provider answered: each REVOKING bonus of :bonus_ids becomes its
-- :statuses entry, REVOKED (the provider revoked it) or ACTIVE (the provider refused: used or
-- unknown there). Locked in id order; a bonus no longer REVOKING (another revoke, or the sweep,
-- finished it) is left alone. Returns the bonuses changed; the caller writes the REVOKED ones'
-- events under their wallets' locks, after this statement.
WITH locked AS (SELECT id FROM bonus WHERE id = ANY(:bonus_ids::text[]) AND status = 'REVOKING' ORDER BY id COLLATE "C" FOR UPDATE)
UPDATE bonus b SET status = d.status, version = b.version + 1, updated_at = :now::timestamptz
FROM locked JOIN unnest(:bonus_ids::text[], :statuses::text[]) AS d(id, status) ON d.id = locked.id
WHERE b.id = locked.id AND b.status = 'REVOKING'
RETURNING b.id, b.status, b.player_id, b.wallet_id, b.bonus_type, b.amount, b.currency, b.request_id;
