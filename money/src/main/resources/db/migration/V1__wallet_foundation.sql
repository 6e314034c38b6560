-- Wallet foundation: players, wallets, the append-only ledger, idempotency records, the outbox.
-- Money is bigint minor units. The balance always equals the sum of the wallet's ledger entries,
-- and a wallet's ledger versions run 1..version with no gap (unique (wallet_id, wallet_version)).
-- No CHECK (balance >= 0): the rollback of an already spent win may drive a balance negative;
-- debits never do (they are conditional updates), and reconciliation proves it.

CREATE TABLE player (
    id             text        PRIMARY KEY,
    status         text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'BLOCKED')),
    -- Grows by one with each status change: names the change, so its event id is stable.
    status_version bigint      NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wallet (
    id         bigserial   PRIMARY KEY,
    player_id  text        NOT NULL REFERENCES player (id),
    currency   char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    kind       text        NOT NULL DEFAULT 'CASH' CHECK (kind IN ('CASH')),
    balance    bigint      NOT NULL DEFAULT 0,
    -- The number of ledger entries of this wallet: the sequence of its latest change.
    version    bigint      NOT NULL DEFAULT 0 CHECK (version >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT wallet_player_currency_kind_key UNIQUE (player_id, currency, kind)
);
-- One CASH wallet per player for now: concurrent creates with different currencies cannot both win.
CREATE UNIQUE INDEX wallet_one_cash_per_player ON wallet (player_id) WHERE kind = 'CASH';

CREATE TABLE ledger_entry (
    id              bigserial   PRIMARY KEY,
    wallet_id       bigint      NOT NULL REFERENCES wallet (id),
    amount          bigint      NOT NULL CHECK (amount <> 0),
    balance_after   bigint      NOT NULL,
    wallet_version  bigint      NOT NULL CHECK (wallet_version > 0),
    operation       text        NOT NULL,
    -- Namespaced by operation ("deposit:<id>", ...): one money effect per key, ever.
    idempotency_key text        NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_entry_wallet_version_key UNIQUE (wallet_id, wallet_version)
);

-- Insert-if-absent serialises requests with one key: a second one waits for the first to
-- commit, then replays its stored answer (same request_hash) or is refused (another hash).
CREATE TABLE idempotency_record (
    endpoint        text        NOT NULL,
    key             text        NOT NULL,
    request_hash    bytea       NOT NULL,
    response_status int,
    response_body   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (endpoint, key)
);

-- Transactional outbox: written in the transaction that decides a fact, drained to Kafka by
-- the relay (claim in id order with SKIP LOCKED, send, delete).
CREATE TABLE outbox (
    id         bigserial   PRIMARY KEY,
    topic      text        NOT NULL,
    msg_key    text        NOT NULL,
    event_id   text        NOT NULL,
    payload    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Wakes the relays when a transaction that wrote outbox rows commits (NOTIFY is delivered at
-- commit, once per transaction and channel). A statement trigger: one notify per statement.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
