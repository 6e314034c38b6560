-- One outbox row that can never be sent must not stall the rows behind it (issue 12, finding 3).
-- The relay counts each row's failed sends; a row that still fails after OUTBOX_SEND_ATTEMPTS_MAX
-- attempts parks its key: the key gets a row in outbox_parked, and the relays' claim skips every
-- outbox row of a parked key (the failed one, the later ones, and any written while it stays
-- parked), so the player's order holds while the other keys flow. The rows never move: an operator's
-- release (POST /operator/outbox/parked/{key}/release, scripts/outbox release KEY) deletes the
-- outbox_parked row and resets the attempts, and the relays send them in id order, with the same
-- outbox ids, event ids and player_seq.
-- Adding columns with a constant default rewrites nothing (PostgreSQL 11+); the hot path's inserts
-- name their columns and are unchanged. No index on outbox.msg_key: only the operator's list and
-- release and the parked-rows metric look rows up by key, and only while a key is parked.
ALTER TABLE outbox
    ADD COLUMN send_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN last_error    text;
COMMENT ON COLUMN outbox.send_attempts IS 'Sends of this row that failed while other rows went through (an outage counts nothing); reset by a release.';
COMMENT ON COLUMN outbox.last_error IS 'Why the last counted send failed.';

CREATE TABLE outbox_parked (
    msg_key    text        PRIMARY KEY,
    -- The row that could not be sent (the key's oldest), as it was when the key was parked.
    outbox_id  bigint      NOT NULL,
    topic      text        NOT NULL,
    event_id   text        NOT NULL,
    attempts   integer     NOT NULL,
    error      text        NOT NULL,
    parked_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE outbox_parked IS 'Outbox keys whose rows the relays skip until an operator releases them (issue 12, finding 3).';
