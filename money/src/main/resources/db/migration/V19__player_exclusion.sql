-- Issue 15: self-exclusion. A player excluded until an instant, or indefinitely, may not bet,
-- deposit, open a session, be granted or claim a bonus, and gets no marketing crm.events; their
-- withdrawals and every settlement still go through. An exclusion can be extended, never
-- shortened or lifted before it ends (exclusion-set.sql decides that in one conditional UPDATE).
-- Whether it is in force is always decided against the caller's clock instant, passed in
-- (player_excluded below), never PostgreSQL's now(): tests move that clock.
ALTER TABLE player
    ADD COLUMN excluded_until        timestamptz,
    ADD COLUMN excluded_indefinitely boolean NOT NULL DEFAULT false,
    ADD COLUMN exclusion_reason      text CHECK (octet_length(exclusion_reason) <= 500),
    -- Grows by one with each exclusion change: names the change, so its event id is stable.
    ADD COLUMN exclusion_version     bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT player_exclusion_shape CHECK (NOT (excluded_indefinitely AND excluded_until IS NOT NULL));
COMMENT ON COLUMN player.excluded_until IS 'Self-excluded until this instant (V19); NULL: not excluded, or indefinitely (excluded_indefinitely).';
COMMENT ON COLUMN player.excluded_indefinitely IS 'Self-excluded with no end (V19).';

CREATE FUNCTION player_excluded(excluded_until timestamptz, excluded_indefinitely boolean, at timestamptz) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT $2 OR coalesce($1 > $3, false)';
COMMENT ON FUNCTION player_excluded(timestamptz, boolean, timestamptz) IS 'Whether an exclusion is in force at the instant given (V19).';
