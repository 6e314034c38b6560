-- A batch of one player's cash makes (issue 16), when its members are all within reach: make-debit.sql
-- for every member at once, all or nothing. ONE update debits the wallet by the members' total only
-- if the settled balance covers it (and advances version and player_seq by one per member, under the
-- same row lock), then each member, in arrival order (:n, its ordinality), gets what make-debit.sql
-- gives one make: its ledger entry with the balance and version after ITS stake, its
-- wallet.bet.placed outbox row completed with its position, and its stored answer. Rows are inserted
-- in member order, so ledger and outbox ids follow player_seq. No row when the settled balance does
-- not cover the total (the caller backs out to make-member-savepoint.sql's savepoint, taken just
-- before, and decides member by member). usage-book.sql follows in the same round trip and books the
-- total: when a limit is in force, the caller backs out too (each member must be checked alone).
WITH m AS (
  SELECT * FROM unnest(:stakes::bigint[], :keys::text[], :ledger_keys::text[], :event_ids::text[], :events::text[],
    :bodies_up_to_balance::text[]) WITH ORDINALITY AS m(stake, key, ledger_key, event_id, event, body_up_to_balance, n)),
t AS (SELECT sum(stake)::bigint AS total, count(*)::bigint AS members FROM m),
w AS (
  UPDATE wallet SET balance = balance - t.total, version = version + t.members, player_seq = player_seq + t.members, updated_at = now()
  FROM t WHERE id = :wallet_id AND balance >= t.total
  RETURNING wallet.id, wallet.balance + t.total AS balance_before, wallet.version - t.members AS version_before,
    wallet.player_seq - t.members AS seq_before, wallet.pending),
r AS (
  SELECT m.*, w.id AS wallet_id, (w.balance_before - sum(m.stake) OVER (ORDER BY m.n))::bigint AS balance, w.version_before + m.n AS version,
    w.seq_before + m.n AS player_seq, w.pending
  FROM m, w),
l AS (INSERT INTO ledger_entry (wallet_id, amount, balance_after, wallet_version, operation, idempotency_key)
  SELECT wallet_id, -stake, balance, version, 'bet', ledger_key FROM r ORDER BY n),
o AS (INSERT INTO outbox (topic, msg_key, event_id, payload)
  SELECT :topic, :player_id, event_id, jsonb_set(event::jsonb, '{data}', event::jsonb -> 'data' || jsonb_build_object('balance_after', balance,
  'sequence', version, 'player_seq', player_seq, 'available_after', balance + pending))::text
  FROM r ORDER BY n),
i AS (UPDATE idempotency_record ir SET response_status = 200, response_body = r.body_up_to_balance || (r.balance + r.pending)::text || '}',
  player_seq = r.player_seq FROM r WHERE ir.endpoint = :endpoint AND ir.key = r.key RETURNING ir.key, ir.response_body)
SELECT key, response_body FROM i;
