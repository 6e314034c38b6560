-- Outbox rows, in array order (their id order is the order the relay publishes them in).
INSERT INTO outbox (topic, msg_key, event_id, payload)
SELECT * FROM unnest(:topics::text[], :msg_keys::text[], :event_ids::text[], :payloads::text[]);
