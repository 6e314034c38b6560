-- The relays are woken in-process after each commit (and poll every 500 ms), no longer by a
-- NOTIFY from the committing transaction: PostgreSQL serialises the commits of all transactions
-- that NOTIFY (a database-wide lock on the notification queue), which cut the bet/make
-- transaction from 937 to 222 tps at 48 clients on the project's 2-core machine (pgbench, the
-- make's own statements, same run, trigger on vs off).
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();
