-- The point a fast-path debit backs out to when its conditional debit updates nothing (Spend).
SAVEPOINT spend_fast_debit;
