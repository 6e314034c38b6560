-- The CASH wallet currency of each named player that has one (a grant's record-time check: a player
-- without a row here is unknown, one whose currency differs from the grant's is refused). A read
-- without locks: players are never removed and a wallet's currency never changes.
SELECT player_id, currency FROM wallet WHERE player_id = ANY(:player_ids::text[]) AND kind = 'CASH';
