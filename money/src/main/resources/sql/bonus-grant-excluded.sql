-- The named players self-excluded at :at (issue 15): a grant's record-time rejection "excluded".
SELECT id FROM player WHERE id = ANY(:player_ids::text[]) AND player_excluded(excluded_until, excluded_indefinitely, :at);
