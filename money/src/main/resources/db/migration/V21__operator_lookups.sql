-- Issue 17: what the operator API's lookups need (docs/ARCHITECTURE.md, "The operator API's reads"). None of it
-- is read by the money path.

-- Player search by id prefix (LIKE 'abc%'): the primary key's collation (C.UTF-8) cannot serve it.
CREATE INDEX player_id_prefix ON player (id text_pattern_ops);

-- A player's bets, newest first, paged by (created_at, id): replaces bet_player (player_id), which
-- this index's prefix serves for every query that used it, so a make still maintains one index here.
CREATE INDEX bet_player_created ON bet (player_id, created_at DESC, id DESC);
DROP INDEX bet_player;

-- A settlement names the provider transaction that made it, and, once reversed, the rollback that
-- reversed it: GET /operator/transactions/{operator id} finds a win, lost, refund or rollback by the
-- id the wallet answered, and from it the stored answer. Null on rows written before V21 and on
-- tombstones. A settlement is reversed at most once (REVERSE_SQL's state = 'ACTIVE').
ALTER TABLE settlement ADD COLUMN provider_tx_id text;
ALTER TABLE settlement ADD COLUMN rolled_back_by text;
ALTER TABLE settlement ADD COLUMN rollback_tx_id text;
CREATE UNIQUE INDEX settlement_rolled_back_by ON settlement (rolled_back_by) WHERE rolled_back_by IS NOT NULL;

-- Callbacks refused (HTTP 400, a code of PROTOCOL's table), so support can tell a provider why a bet
-- was refused. Written after the refusal, outside the money transaction, by one writer thread
-- (RefusalLog); at most REFUSAL_LOG_ROWS_MAX rows are kept, the oldest deleted first.
CREATE TABLE callback_refusal (
    id             bigserial   PRIMARY KEY,
    endpoint       text        NOT NULL CHECK (octet_length(endpoint) <= 64),
    provider_tx_id text        CHECK (octet_length(provider_tx_id) <= 512),
    player_id      text        CHECK (octet_length(player_id) <= 512),
    bet_id         text        CHECK (octet_length(bet_id) <= 512),
    code           int         NOT NULL,
    message        text        NOT NULL CHECK (octet_length(message) <= 2000),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX callback_refusal_tx ON callback_refusal (provider_tx_id) WHERE provider_tx_id IS NOT NULL;
CREATE INDEX callback_refusal_player ON callback_refusal (player_id, id) WHERE player_id IS NOT NULL;
COMMENT ON TABLE callback_refusal IS 'Callbacks refused with a PROTOCOL code (V21): a bounded log for support, never read by the money path.';

-- Every operator write, with the sub of the token that made it, in the same transaction as the write
-- (so it is there exactly when the write is). ledger_key names the ledger entry a deposit or a
-- withdrawal wrote, so the ledger shows who moved the money.
CREATE TABLE operator_audit (
    id         bigserial   PRIMARY KEY,
    sub        text        NOT NULL,
    action     text        NOT NULL,
    player_id  text,
    target     text,
    ledger_key text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operator_audit_player ON operator_audit (player_id, id) WHERE player_id IS NOT NULL;
CREATE UNIQUE INDEX operator_audit_ledger_key ON operator_audit (ledger_key) WHERE ledger_key IS NOT NULL;
COMMENT ON TABLE operator_audit IS 'Who did what through the operator API (V21): one row per write that changed something.';
