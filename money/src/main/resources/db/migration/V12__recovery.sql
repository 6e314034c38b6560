-- After a point-in-time restore (docs/ARCHITECTURE.md, "What a restore to an earlier point means
-- for Kafka"): wallet.events still holds the facts published after the recovery point, with
-- player_seq and sequence (wallet version) values the restored wallets have not reached. New facts
-- must never reuse those numbers (consumers dedupe by (player, player_seq) and order by sequence),
-- so `scripts/reconcile --recovery` prints the SQL that raises each such wallet's counters above
-- them. Two records of what it did:
--   wallet_version_gap: the wallet versions skipped. No ledger entry can stand for them (an entry
--   moves money: amount <> 0), so the ledger-versions check counts a wallet's entries plus its
--   gaps against its version.
--   lost_fact: each fact on wallet.events that the restored database no longer holds, for the
--   operator to settle with the provider (its own records of those callbacks), and for reconcile:
--   a lost fact's amount is not part of the player's balance any more, nor a decision the database
--   must hold.
-- Both are written only by that SQL, with every service stopped; nothing on the money path reads them.
CREATE TABLE wallet_version_gap (
    wallet_id    bigint      NOT NULL REFERENCES wallet (id),
    from_version bigint      NOT NULL CHECK (from_version > 0),
    to_version   bigint      NOT NULL,
    reason       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (wallet_id, from_version),
    CHECK (to_version >= from_version)
);

CREATE TABLE lost_fact (
    -- The CloudEvent id on wallet.events: one row per fact, however often it was re-sent.
    event_id       text        PRIMARY KEY,
    player_id      text        NOT NULL,
    type           text        NOT NULL,
    player_seq     bigint      NOT NULL,
    amount         bigint,
    currency       text,
    occurred_at    text,
    -- The record as it is on the topic.
    event          jsonb       NOT NULL,
    recovery_point timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lost_fact_player_seq_key UNIQUE (player_id, player_seq)
);
