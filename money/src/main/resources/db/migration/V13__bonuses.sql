-- Issue 14: bonuses granted through the provider's bonus API, and the bet's bonus columns.
--
-- A grant (POST /operator/bonus-grants) is recorded whole in one transaction: one bonus_grant row,
-- one bonus_grant_player row per accepted player (PENDING), the record-time rejections as counts,
-- and one bonus.grants outbox record per accepted player. The granting consumer then takes players
-- into a chunk (at most 1,000; the chunk's id is the provider's request_id) in one transaction
-- BEFORE it calls the provider: a player already in a chunk is never put in another
-- (chunk_id IS NULL in the taking UPDATE), and a chunk left CALLING by a crash is called again with
-- the same id and the same players, so the provider's own idempotency answers the same bonus ids.

CREATE TABLE bonus_grant (
    request_id              text        PRIMARY KEY,
    request_hash            bytea       NOT NULL,   -- SHA-256 of the request's canonical JSON; same id, other body: 409
    source                  text        NOT NULL DEFAULT 'GRANT' CHECK (source IN ('GRANT', 'PROMOTION')),
    bonus_type              text        NOT NULL CHECK (bonus_type IN ('freebet_refund', 'freebet_freemoney', 'freebet_no_risk', 'comboboost')),
    currency                char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    expires_at              timestamptz NOT NULL,
    players_total           int         NOT NULL CHECK (players_total >= 0),   -- entries in the request, duplicates included
    rejected_unknown_player int         NOT NULL DEFAULT 0 CHECK (rejected_unknown_player >= 0),
    rejected_currency       int         NOT NULL DEFAULT 0 CHECK (rejected_currency >= 0),
    rejected_excluded       int         NOT NULL DEFAULT 0 CHECK (rejected_excluded >= 0),
    rejected_duplicate      int         NOT NULL DEFAULT 0 CHECK (rejected_duplicate >= 0),
    chunks_recorded         int         NOT NULL DEFAULT 0 CHECK (chunks_recorded >= 0),   -- numbers the next chunk id
    created_at              timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE bonus_grant IS 'One operator grant (or one promotion''s claims, source PROMOTION); rejections decided when it was recorded are counted here, later ones are bonus_grant_player rows.';

CREATE TABLE bonus_grant_chunk (
    id          text        PRIMARY KEY,   -- the provider's request_id for this call: <grant request_id>:<n>
    request_id  text        NOT NULL REFERENCES bonus_grant (request_id),
    status      text        NOT NULL DEFAULT 'CALLING' CHECK (status IN ('CALLING', 'DONE')),
    players     int         NOT NULL CHECK (players BETWEEN 1 AND 1000),
    attempts    int         NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bonus_grant_chunk_calling ON bonus_grant_chunk (created_at) WHERE status = 'CALLING';

CREATE TABLE bonus_grant_player (
    request_id    text        NOT NULL REFERENCES bonus_grant (request_id),
    player_id     text        NOT NULL REFERENCES player (id),
    amount        bigint      NOT NULL CHECK (amount > 0),
    status        text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'CHUNKED', 'GRANTED', 'REJECTED')),
    reject_reason text        CHECK (reject_reason IN ('unknown_player', 'currency', 'excluded', 'duplicate', 'provider')),
    chunk_id      text        REFERENCES bonus_grant_chunk (id),
    bonus_id      text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, player_id),
    CHECK ((status = 'REJECTED') = (reject_reason IS NOT NULL)),
    CHECK ((status = 'GRANTED') = (bonus_id IS NOT NULL)),
    CHECK (status IN ('PENDING', 'REJECTED') OR chunk_id IS NOT NULL)
);
CREATE INDEX bonus_grant_player_chunk ON bonus_grant_player (chunk_id) WHERE chunk_id IS NOT NULL;
CREATE INDEX bonus_grant_player_pending ON bonus_grant_player (request_id) WHERE status = 'PENDING';

-- A bonus the provider granted (id = the provider's bonus id, what bet/make carries). status:
-- ACTIVE -> USED (a make redeems it, bet_id bound) -> DONE (its bet settled); USED -> ACTIVE
-- (released by a discard or full refund); DONE -> USED (rollback of that settlement);
-- ACTIVE -> REVOKING -> REVOKED (or back to ACTIVE if the provider refuses); ACTIVE -> EXPIRED.
CREATE TABLE bonus (
    id          text        PRIMARY KEY,
    player_id   text        NOT NULL REFERENCES player (id),
    wallet_id   bigint      NOT NULL REFERENCES wallet (id),
    bonus_type  text        NOT NULL CHECK (bonus_type IN ('freebet_refund', 'freebet_freemoney', 'freebet_no_risk', 'comboboost')),
    amount      bigint      NOT NULL CHECK (amount > 0),
    currency    char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status      text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'USED', 'DONE', 'REVOKING', 'REVOKED', 'EXPIRED')),
    expires_at  timestamptz NOT NULL,
    bet_id      text        REFERENCES bet (id),
    request_id  text        NOT NULL REFERENCES bonus_grant (request_id),
    chunk_id    text        REFERENCES bonus_grant_chunk (id),
    version     bigint      NOT NULL DEFAULT 0 CHECK (version >= 0),   -- +1 per state change
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (status NOT IN ('USED', 'DONE') OR bet_id IS NOT NULL),
    CONSTRAINT bonus_one_per_grant_player UNIQUE (request_id, player_id)
);
CREATE INDEX bonus_player ON bonus (player_id);
CREATE INDEX bonus_bet ON bonus (bet_id) WHERE bet_id IS NOT NULL;
CREATE INDEX bonus_active_expiry ON bonus (expires_at) WHERE status = 'ACTIVE';
CREATE INDEX bonus_revoking ON bonus (updated_at) WHERE status = 'REVOKING';

-- The bet's bonus: a freebet's stake is bonus_stake (stake, the cash debited, is 0); a comboboost
-- debits cash (stake) and names its bonus.
ALTER TABLE bet ADD COLUMN bonus_id text;
ALTER TABLE bet ADD COLUMN bonus_type text CHECK (bonus_type IN ('freebet_refund', 'freebet_freemoney', 'freebet_no_risk', 'comboboost', 'global_comboboost'));
ALTER TABLE bet ADD COLUMN bonus_stake bigint NOT NULL DEFAULT 0 CHECK (bonus_stake >= 0);
ALTER TABLE bet ADD COLUMN potential_comboboost_win bigint;
ALTER TABLE bet DROP CONSTRAINT bet_check;
ALTER TABLE bet ADD CONSTRAINT bet_check CHECK ((state = 'DISCARDED' AND player_id IS NULL)
    OR (player_id IS NOT NULL AND wallet_id IS NOT NULL AND (stake > 0 OR bonus_stake > 0)));
CREATE INDEX bet_bonus ON bet (bonus_id) WHERE bonus_id IS NOT NULL;
