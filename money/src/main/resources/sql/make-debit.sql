-- bet/make, round trip 3: ONE statement debits the stake only if the settled balance covers it (the
-- check and the debit are one step; the wallet row lock is taken here and held to the commit),
-- advances the player's player_seq, and writes the ledger entry, the wallet.bet.placed outbox row
-- (the event built by the caller, its data completed from this statement's RETURNING) and the
-- stored answer (the caller's money body up to its balance, the available balance appended). No
-- row when the settled balance does not cover the stake. BetMake.DEBIT_AND_BOOK sends usage-book.sql
-- after it in the same round trip: a statement that starts once this one holds the wallet row lock.
WITH w AS (
  UPDATE wallet SET balance = balance - :stake, version = version + 1, player_seq = player_seq + 1, updated_at = now()
  WHERE id = :wallet_id AND balance >= :stake RETURNING id, balance, version, player_seq, pending),
l AS (INSERT INTO ledger_entry (wallet_id, amount, balance_after, wallet_version, operation, idempotency_key)
  SELECT id, -CAST(:stake AS bigint), balance, version, 'bet', :ledger_key FROM w),
o AS (INSERT INTO outbox (topic, msg_key, event_id, payload)
  SELECT :topic, :player_id, :event_id, jsonb_set(e.ev, '{data}', e.ev -> 'data' || jsonb_build_object('balance_after', w.balance,
  'sequence', w.version, 'player_seq', w.player_seq, 'available_after', w.balance + w.pending))::text
  FROM w, (SELECT CAST(:event AS jsonb) AS ev) e),
i AS (UPDATE idempotency_record SET response_status = 200, response_body = :body_up_to_balance || (w.balance + w.pending)::text || '}',
  player_seq = w.player_seq FROM w WHERE endpoint = :endpoint AND key = :key RETURNING response_body)
SELECT i.response_body FROM w, i;
