package com.sportswallet.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code alert} table (issue 17): every {@code wallet.alert}, inserted beside its outbox row in the
 * caller's transaction, so the operator API lists exactly the alerts decided. Both alert paths call it:
 * a player's money ({@code WalletEvents.append} of an {@code Alert}) and the pipeline's own
 * ({@link SystemAlert#append}). An event id already logged is left as it is. Never commits.
 */
public final class AlertLog {
    private static final String RECORD_SQL = "INSERT INTO alert (event_id, player_id, reason, data, occurred_at)"
            + " VALUES (?, ?, ?, ?::jsonb, ?) ON CONFLICT (event_id) DO NOTHING";

    private AlertLog() {
    }

    public static void record(Connection c, String eventId, String key, ObjectNode data, Instant occurredAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD_SQL)) {
            ps.setString(1, eventId);
            ps.setString(2, key);
            ps.setString(3, data.path("reason").asText("unknown"));
            ps.setString(4, data.toString());
            ps.setTimestamp(5, Timestamp.from(occurredAt));
            ps.executeUpdate();
        }
    }
}
