package com.sportswallet.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Writes outbox rows inside the caller's open transaction (never commits: the caller's one commit
 * makes the fact and its event durable together).
 */
public final class Outbox {
    public static final String INSERT_SQL = "INSERT INTO outbox (topic, msg_key, event_id, payload) VALUES (?, ?, ?, ?)";

    /** One outbox row (many are appended by the money module's sql/outbox-append-all.sql, one statement). */
    public record Row(String topic, String key, String eventId, String payload) {
    }

    private Outbox() {
    }

    public static void append(Connection c, String topic, String key, String eventId, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_SQL)) {
            ps.setString(1, topic);
            ps.setString(2, key);
            ps.setString(3, eventId);
            ps.setString(4, payload);
            ps.executeUpdate();
        }
    }
}
