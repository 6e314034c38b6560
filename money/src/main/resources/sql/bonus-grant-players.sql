-- A grant's accepted players (issue 14), for an operator grant and for a promotion's claim alike:
-- each (request_id, player) is recorded PENDING once (insert-if-absent on the primary key), and
-- only a row this statement inserted gets its bonus.grants record, keyed by player, in array order.
-- A repeated call for a player already recorded writes nothing, so a grant is fanned out exactly
-- once per (request_id, player). The records take their ids in the outbox's bulk lane (V17): a
-- grant of 100,000 players does not hold back the credits and events decided after it. Returns
-- the players recorded.
WITH p AS (
  INSERT INTO bonus_grant_player (request_id, player_id, amount)
  SELECT :request_id, * FROM unnest(:player_ids::text[], :amounts::bigint[]) ON CONFLICT DO NOTHING RETURNING player_id),
o AS (
  INSERT INTO outbox (id, topic, msg_key, event_id, payload)
  SELECT nextval('outbox_bulk_id_seq'), :topic, r.player_id, r.event_id, r.payload FROM (
    SELECT u.player_id, u.event_id, u.payload
    FROM unnest(:player_ids::text[], :event_ids::text[], :payloads::text[]) WITH ORDINALITY AS u(player_id, event_id, payload, n)
    JOIN p USING (player_id) ORDER BY u.n) r)
SELECT player_id FROM p;
