-- Issue 17: every wallet.alert, also kept in a table, inserted in the same transaction as its outbox row
-- (AlertLog), so GET /operator/alerts lists exactly the alerts that were decided, whether or not Kafka has
-- them yet. Alerts are rare (a rollback below zero, a parked outbox key, a dead-lettered command): the
-- table is never pruned. Never read by the money path.
CREATE TABLE alert (
    id          bigserial   PRIMARY KEY,
    event_id    text        NOT NULL UNIQUE,
    player_id   text        NOT NULL,  -- the alert's record key: a player id, or _system
    reason      text        NOT NULL,
    data        jsonb       NOT NULL,
    occurred_at timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_created ON alert (created_at);
COMMENT ON TABLE alert IS 'Every wallet.alert (V22), written with its outbox row: GET /operator/alerts.';
