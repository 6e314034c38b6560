-- Issue 14: limited-claim promotions (PUT /operator/promotions/{id}, POST .../claims).
--
-- A promotion has claims_max slot rows, created by its PUT (raising claims_max adds slots, lowering
-- removes free ones only). A claim takes one free slot with FOR UPDATE SKIP LOCKED LIMIT 1 and writes
-- its player into it, so the number of claims can never exceed the number of slots, whatever the
-- concurrency: there is no counter to read and then raise (no check-then-act, no hot row). A claim
-- also records its player in the promotion's bonus_grant (request_id 'promotion:<id>', source
-- PROMOTION, created with the promotion), in the same transaction, which the granting consumer then
-- grants like any operator grant.

CREATE TABLE promotion (
    id          text        PRIMARY KEY,
    request_id  text        NOT NULL UNIQUE REFERENCES bonus_grant (request_id),   -- 'promotion:' || id
    bonus_type  text        NOT NULL CHECK (bonus_type IN ('freebet_refund', 'freebet_freemoney', 'freebet_no_risk', 'comboboost')),
    amount      bigint      NOT NULL CHECK (amount > 0),
    currency    char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    claims_max  int         NOT NULL CHECK (claims_max >= 0),   -- = its slot rows, kept so by the PUT
    expires_at  timestamptz NOT NULL,                           -- no claim at or after it; the bonus's expiry too
    version     bigint      NOT NULL DEFAULT 0 CHECK (version >= 0),   -- +1 per changing PUT
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (request_id = 'promotion:' || id)
);
COMMENT ON TABLE promotion IS 'A limited-claim promotion: at most claims_max players claim its bonus (issue 14).';

-- One row per claimable slot; player_id NULL while free. A taken slot is never freed or deleted.
CREATE TABLE promotion_slot (
    promotion_id text        NOT NULL REFERENCES promotion (id),
    slot         int         NOT NULL CHECK (slot > 0),
    player_id    text        REFERENCES player (id),
    claimed_at   timestamptz,
    PRIMARY KEY (promotion_id, slot),
    CHECK ((player_id IS NULL) = (claimed_at IS NULL))
);
-- A player claims a promotion at most once (the schema's own guard; the claim's insert-if-absent of
-- its bonus_grant_player row is what serialises a player's concurrent claims).
CREATE UNIQUE INDEX promotion_slot_player ON promotion_slot (promotion_id, player_id) WHERE player_id IS NOT NULL;
-- The free slots, in the order claims take them.
CREATE INDEX promotion_slot_free ON promotion_slot (promotion_id, slot) WHERE player_id IS NULL;
