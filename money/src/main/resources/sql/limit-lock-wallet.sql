-- A limit change's second lock (issue 15), after the player row (the lock order): the player's CASH
-- wallet, which a deposit and every settlement hold from their money statement to their commit
-- (they never take the player row). So a deposit is ordered wholly before the change (the change's
-- answer shows its usage) or after it (its usage-book.sql, a statement that starts once it holds the
-- wallet, reads the new limits): without it a deposit could be checked against the limits before a
-- decrease while the change's answer showed the usage without the deposit (ProtocolModelTest found it).
SELECT id FROM wallet WHERE player_id = :player_id AND kind = 'CASH' FOR NO KEY UPDATE;
