-- credit.bet_id references bet(id) but had no index: every DELETE of a bet (and every question
-- "which credits did this bet produce", which reports and support ask) scanned the whole credit
-- table. Found when scripts/bench-drain began removing its synthetic bets after a run: 300k bets
-- meant 300k scans. The index is on a column no update changes, so the worker's PENDING -> APPLIED
-- flips stay heap-only (HOT) updates.
CREATE INDEX credit_bet ON credit (bet_id);
