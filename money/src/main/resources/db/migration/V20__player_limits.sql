-- Issue 15: responsible-gaming limits. A player may have a wager, a loss and a deposit limit for
-- each calendar period (day, week = ISO week, month) in LIMITS_TIME_ZONE. What each money fact
-- books to a period's usage (docs/PROTOCOL.md, "Limits"), and the period it booked to, is stored
-- on the fact itself, so the reconcile can prove every usage row is the sum of its facts.

-- The limits. A row's value is in force until its pending change's effective_at (an increase or a
-- removal waits LIMIT_INCREASE_DELAY_HOURS); what is in force at an instant is limit_in_force()
-- below, decided against the caller's clock instant, never now(). A change is made under the
-- player row's lock (limit-set.sql's callers take it first), so changes of one player are serial.
CREATE TABLE player_limit (
    player_id            text        NOT NULL REFERENCES player (id),
    kind                 text        NOT NULL CHECK (kind IN ('wager', 'loss', 'deposit')),
    period               text        NOT NULL CHECK (period IN ('day', 'week', 'month')),
    value                bigint      CHECK (value >= 0),          -- NULL: no limit (until a pending one)
    pending_value        bigint      CHECK (pending_value >= 0),  -- NULL with pending_effective_at: a removal
    pending_effective_at timestamptz,
    updated_at           timestamptz NOT NULL,
    PRIMARY KEY (player_id, kind, period)
);
COMMENT ON TABLE player_limit IS 'A player''s responsible-gaming limits (V20): the value in force, and an increase or removal pending its cooling-off.';

CREATE FUNCTION limit_in_force(value bigint, pending_value bigint, pending_effective_at timestamptz, at timestamptz) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT CASE WHEN $3 <= $4 THEN $2 ELSE $1 END';
COMMENT ON FUNCTION limit_in_force(bigint, bigint, timestamptz, timestamptz) IS 'The limit in force at the instant given: the pending change once effective (V20).';

-- The usage: one row per player, period kind and period start, booked by makes, settlements,
-- rollbacks, discards and deposits, locked after the wallet row (DESIGN's lock order), day, week,
-- month. Loss may go negative (winnings above stakes leave room under a loss limit).
CREATE TABLE limit_usage (
    player_id    text   NOT NULL REFERENCES player (id),
    period       text   NOT NULL CHECK (period IN ('day', 'week', 'month')),
    period_start date   NOT NULL,
    wager        bigint NOT NULL DEFAULT 0,
    loss         bigint NOT NULL DEFAULT 0,
    deposit      bigint NOT NULL DEFAULT 0 CHECK (deposit >= 0),
    PRIMARY KEY (player_id, period, period_start)
);
COMMENT ON TABLE limit_usage IS 'Limit usage per player and calendar period (V20): the sum of the facts booked to it.';

-- The local day a fact was booked to (its week and month follow from it: usage_periods below) and
-- what it booked. A make books (stake, stake): its cash stake, so a freebet's 0. A settlement
-- books (usage_wager, usage_loss); a rollback of it books their negation to the same day, and a
-- discard of a make its negation to the make's day. A deposit's ledger entry books its amount.
-- NULL usage_day: a fact from before V20, booked nowhere.
ALTER TABLE bet ADD COLUMN usage_day date;
-- The limits an accepted make was checked against and the usage it left: {"day": {"wager": [limit,
-- usage after], "loss": [...]}, ...}, only the limits in force; NULL: none was.
ALTER TABLE bet ADD COLUMN limits_checked jsonb;
ALTER TABLE settlement ADD COLUMN usage_day date;
ALTER TABLE settlement ADD COLUMN usage_wager bigint NOT NULL DEFAULT 0;
ALTER TABLE settlement ADD COLUMN usage_loss bigint NOT NULL DEFAULT 0;
ALTER TABLE ledger_entry ADD COLUMN usage_day date;
ALTER TABLE ledger_entry ADD COLUMN limits_checked jsonb;

-- A local day's three period keys, in the lock order (day, week, month): the one rule, used by
-- every booking and by the reconcile.
CREATE FUNCTION usage_periods(day date) RETURNS TABLE (period text, period_start date)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    $$ VALUES ('day', $1), ('week', date_trunc('week', $1)::date), ('month', date_trunc('month', $1)::date) $$;
COMMENT ON FUNCTION usage_periods(date) IS 'The day, ISO week and month a local day books to, in the lock order (V20).';
