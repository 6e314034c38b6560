package com.sportswallet.outbox;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parked outbox keys (the V10 migration): a key whose oldest row could not be sent after the
 * relay's bounded attempts is parked, and the relays skip every row of it until an operator
 * releases it. Plain JDBC in the caller's transaction; never commits.
 */
public final class OutboxParking {
    /** At most this many parked keys are listed (the counts cover them all). */
    public static final int KEYS_LISTED_MAX = 500;
    /** At most this many rows are listed per parked key (its row count covers them all). */
    public static final int ROWS_LISTED_PER_KEY_MAX = 100;

    /** One parked key: the row that could not be sent, why, and how many rows wait behind it (itself included). */
    public record ParkedKey(String key, long outboxId, String topic, String eventId, int attempts, String error, Instant parkedAt,
            long rows, List<ParkedRow> listed) {
    }

    /** One waiting row of a parked key. */
    public record ParkedRow(long id, String topic, String eventId, long payloadBytes, int sendAttempts, String lastError, Instant createdAt) {
    }

    /** The parked keys (oldest parking first, at most {@link #KEYS_LISTED_MAX}) and the totals over all of them. */
    public record Listing(long parkedKeys, long parkedRows, List<ParkedKey> keys) {
    }

    /** A release: the key and the rows it gave back to the relays, in the order they will be sent. */
    public record Released(String key, long rows, Long firstId, Long lastId) {
    }

    private static final String PARK_SQL = "INSERT INTO outbox_parked (msg_key, outbox_id, topic, event_id, attempts, error)"
            + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (msg_key) DO NOTHING";
    private static final String KEYS_SQL = "SELECT msg_key, outbox_id, topic, event_id, attempts, error, parked_at FROM outbox_parked"
            + " ORDER BY parked_at, msg_key LIMIT ?";
    private static final String ROWS_SQL = "SELECT msg_key, id, topic, event_id, octet_length(payload), send_attempts, last_error,"
            + " created_at, total"
            + " FROM (SELECT o.*, row_number() OVER (PARTITION BY msg_key ORDER BY id) AS n, count(*) OVER (PARTITION BY msg_key) AS total"
            + " FROM outbox o WHERE msg_key = ANY(?)) r WHERE n <= ? ORDER BY msg_key, id";
    // The row count is computed only while something is parked (the CASE's subquery is not run otherwise):
    // without an index on outbox.msg_key it reads the outbox.
    private static final String COUNTS_SQL = "SELECT (SELECT count(*) FROM outbox_parked), CASE WHEN EXISTS (SELECT 1 FROM outbox_parked)"
            + " THEN (SELECT count(*) FROM outbox o WHERE o.msg_key IN (SELECT msg_key FROM outbox_parked)) ELSE 0 END";
    private static final String UNPARK_SQL = "DELETE FROM outbox_parked WHERE msg_key = ?";
    private static final String RESET_SQL = "UPDATE outbox SET send_attempts = 0, last_error = NULL WHERE msg_key = ?"
            + " RETURNING id";

    private OutboxParking() {
    }

    /**
     * Parks {@code key} at its row {@code outboxId} (nothing when it is parked already).
     *
     * @return true when this call parked it
     */
    public static boolean park(Connection c, String key, long outboxId, String topic, String eventId, int attempts, String error)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PARK_SQL)) {
            ps.setString(1, key);
            ps.setLong(2, outboxId);
            ps.setString(3, topic);
            ps.setString(4, eventId);
            ps.setInt(5, attempts);
            ps.setString(6, error == null ? "" : error);
            return ps.executeUpdate() == 1;
        }
    }

    /** Parked keys and parked rows, over all of them: {@code [keys, rows]}. */
    public static long[] counts(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COUNTS_SQL); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] { rs.getLong(1), rs.getLong(2) };
        }
    }

    /** The parked keys with their waiting rows (bounded: {@link #KEYS_LISTED_MAX}, {@link #ROWS_LISTED_PER_KEY_MAX}). */
    public static Listing list(Connection c) throws SQLException {
        long[] counts = counts(c);
        Map<String, ParkedKey> keys = new LinkedHashMap<>();
        Map<String, List<ParkedRow>> rows = new LinkedHashMap<>();
        Map<String, Long> totals = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(KEYS_SQL)) {
            ps.setInt(1, KEYS_LISTED_MAX);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    keys.put(key, new ParkedKey(key, rs.getLong(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6),
                            rs.getTimestamp(7).toInstant(), 0, List.of()));
                    rows.put(key, new ArrayList<>());
                    totals.put(key, 0L);
                }
            }
        }
        if (!keys.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(ROWS_SQL)) {
                Array keyArray = c.createArrayOf("text", keys.keySet().toArray());
                ps.setArray(1, keyArray);
                ps.setInt(2, ROWS_LISTED_PER_KEY_MAX);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String key = rs.getString(1);
                        rows.get(key).add(new ParkedRow(rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getInt(6),
                                rs.getString(7), rs.getTimestamp(8).toInstant()));
                        totals.put(key, rs.getLong(9));
                    }
                }
            }
        }
        List<ParkedKey> listed = new ArrayList<>();
        keys.values().forEach(k -> listed.add(new ParkedKey(k.key(), k.outboxId(), k.topic(), k.eventId(), k.attempts(), k.error(),
                k.parkedAt(), totals.get(k.key()), List.copyOf(rows.get(k.key())))));
        return new Listing(counts[0], counts[1], listed);
    }

    /**
     * Releases {@code key}: its rows go back to the relays, which send them in id order with the
     * same ids (the rows never moved), each with a fresh count of attempts. The caller commits, then
     * wakes its relay.
     *
     * @return what was released, or null when {@code key} is not parked
     */
    public static Released release(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UNPARK_SQL)) {
            ps.setString(1, key);
            if (ps.executeUpdate() == 0) {
                return null;
            }
        }
        long rows = 0;
        Long first = null;
        Long last = null;
        try (PreparedStatement ps = c.prepareStatement(RESET_SQL)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    rows++;
                    first = first == null ? id : Math.min(first, id);
                    last = last == null ? id : Math.max(last, id);
                }
            }
        }
        return new Released(key, rows, first, last);
    }
}
