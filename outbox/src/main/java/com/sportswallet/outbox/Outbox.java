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
    private static final String INSERT_ALL_SQL = "INSERT INTO outbox (topic, msg_key, event_id, payload)"
            + " SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[])";

    /** One outbox row. */
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

    /** Appends many rows with one statement (arrays, one round trip), in list order. */
    public static void appendAll(Connection c, java.util.List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_ALL_SQL)) {
            ps.setArray(1, c.createArrayOf("text", rows.stream().map(Row::topic).toArray()));
            ps.setArray(2, c.createArrayOf("text", rows.stream().map(Row::key).toArray()));
            ps.setArray(3, c.createArrayOf("text", rows.stream().map(Row::eventId).toArray()));
            ps.setArray(4, c.createArrayOf("text", rows.stream().map(Row::payload).toArray()));
            ps.executeUpdate();
        }
    }
}
