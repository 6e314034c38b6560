-- Provider callbacks: reference data, bets and their selections, settlements (the rollback
-- targets and their tombstones) and settlement credits (applied by the settlement-worker).

-- Reference data from betslips, upserted with INSERT ... ON CONFLICT DO NOTHING in a fixed order
-- (sport, category, tournament, event; rows sorted by id) inside the make's transaction.
CREATE TABLE sport (
    id   text PRIMARY KEY,
    name text NOT NULL
);
CREATE TABLE category (
    id       text PRIMARY KEY,
    sport_id text,
    name     text NOT NULL
);
CREATE TABLE tournament (
    id          text PRIMARY KEY,
    category_id text,
    name        text NOT NULL
);
CREATE TABLE sport_event (
    id            text PRIMARY KEY,
    tournament_id text,
    name          text NOT NULL,
    scheduled     bigint
);

-- A bet, created by bet/make (state OPEN) or by a discard of an unknown make (a tombstone:
-- DISCARDED, no player, no stake), so that a later make with that id is refused: the unique
-- provider_tx_id decides which of the two came first.
CREATE TABLE bet (
    id                    text        PRIMARY KEY,   -- the operator transaction id of the make
    provider_tx_id        text        NOT NULL UNIQUE,
    player_id             text        REFERENCES player (id),
    wallet_id             bigint      REFERENCES wallet (id),
    currency              char(3),
    stake                 bigint      NOT NULL DEFAULT 0 CHECK (stake >= 0),
    state                 text        NOT NULL CHECK (state IN ('OPEN', 'WON', 'LOST', 'REFUNDED', 'CASHED_OUT', 'DISCARDED')),
    -- The operator id of the bet's latest settlement: the only one a rollback may reverse.
    latest_settlement_id  text,
    confirmed             boolean     NOT NULL DEFAULT false,    -- bet/commit
    provider_status       text,                                  -- bet/settlement, latest wins
    betslip_id            text,
    potential_win         bigint,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'DISCARDED' AND player_id IS NULL) OR (player_id IS NOT NULL AND wallet_id IS NOT NULL AND stake > 0))
);
CREATE INDEX bet_player ON bet (player_id);

CREATE TABLE bet_selection (
    bet_id       text    NOT NULL REFERENCES bet (id),
    position     int     NOT NULL,
    selection_id text,
    event_id     text,
    market_name  text,
    outcome_name text,
    odds         text,
    live         boolean,
    PRIMARY KEY (bet_id, position)
);

-- Settlement decisions (win, cash-out, lost, refund) by their operator transaction id, and the
-- tombstones of rollback parents that were unknown when the rollback came: the primary key
-- makes a later settlement with a tombstoned id fail to insert, hence refused.
CREATE TABLE settlement (
    id         text        PRIMARY KEY,
    bet_id     text        NOT NULL REFERENCES bet (id),
    kind       text        NOT NULL CHECK (kind IN ('WON', 'CASHED_OUT', 'LOST', 'REFUNDED', 'TOMBSTONE')),
    amount     bigint      NOT NULL DEFAULT 0 CHECK (amount >= 0),
    state      text        NOT NULL CHECK (state IN ('ACTIVE', 'ROLLED_BACK', 'TOMBSTONE')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX settlement_bet ON settlement (bet_id);

-- Money decided for a wallet and applied by the settlement-worker: PENDING -> APPLIED, or
-- PENDING -> CANCELLED by a rollback that came first. The row lock decides which, exactly once.
CREATE TABLE credit (
    id         text        PRIMARY KEY,   -- the operator transaction id of the win/refund/discard
    wallet_id  bigint      NOT NULL REFERENCES wallet (id),
    player_id  text        NOT NULL,
    bet_id     text        NOT NULL REFERENCES bet (id),
    kind       text        NOT NULL CHECK (kind IN ('WIN', 'REFUND', 'DISCARD')),
    amount     bigint      NOT NULL CHECK (amount > 0),
    status     text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPLIED', 'CANCELLED')),
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz
);
CREATE INDEX credit_pending ON credit (created_at) WHERE status = 'PENDING';
