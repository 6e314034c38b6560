-- Issue 14: a bulk write to the outbox must not hold back the live ones behind it.
--
-- A 100,000-player grant writes its 100,000 bonus.grants rows in one transaction. The relays
-- publish in id order, batchSizeMax rows per round, so every credit command and event decided
-- after it waited for the whole grant to be sent: credit latency p99 went from 113 ms to 7,489 ms
-- during a grant (scripts/bench-grants). Now such rows take their ids from a sequence of their
-- own, far above the live one (2^62: the live bigserial never gets there), and a relay's round
-- claims the live lane first (ids below outbox_bulk_lane_start()) and then fills up from the bulk
-- lane, which always gets at least a quarter of a round. Each lane is published in id order, so
-- a key's rows keep their order within a topic (a key's bonus.grants rows are no longer ordered
-- against its rows of other topics, which no consumer reads together). Both lanes are ranges of
-- the primary key: no index is added, and the hot path's inserts are unchanged.
CREATE FUNCTION outbox_bulk_lane_start() RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT 4611686018427387904';
COMMENT ON FUNCTION outbox_bulk_lane_start() IS 'The first outbox id of the bulk lane (2^62; V17): rows at or above it are published after the live ones of a round.';

CREATE SEQUENCE outbox_bulk_id_seq AS bigint START WITH 4611686018427387904 MINVALUE 4611686018427387904;
COMMENT ON SEQUENCE outbox_bulk_id_seq IS 'Ids of bulk outbox rows (bonus.grants fan-outs), in the bulk lane (V17).';
