package com.sportswallet.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Writes outbox rows inside the caller's open transaction (never commits: the caller's one commit
 * makes the fact and its event durable together).
 *
 * <p>An event Kafka would refuse is refused here, before anything is written: one row that can never
 * be sent would otherwise sit in the outbox until an operator releases it (the relay parks it, and
 * every later row of its key). {@link #append} checks every row; a writer that inserts its row by
 * other means (the make's debit statement) calls {@link #checkSize} first. The limit is the topic's
 * {@code max.message.bytes} as {@link TopicLimits} knows it (the process's, see {@link #useLimits}),
 * capped by the producer's {@code max.request.size}.
 */
public final class Outbox {
    public static final String INSERT_SQL = "INSERT INTO outbox (topic, msg_key, event_id, payload) VALUES (?, ?, ?, ?)";

    /**
     * Bytes a record takes in Kafka beyond its key and value: the record batch header (61), the
     * record's varint framing (at most 36) and the content-type header (about 60), rounded up.
     */
    public static final int RECORD_OVERHEAD_BYTES = 256;

    private static volatile TopicLimits limits = TopicLimits.defaults();

    /** One outbox row (many are appended by the money module's sql/outbox-append-all.sql, one statement). */
    public record Row(String topic, String key, String eventId, String payload) {
    }

    /**
     * An event larger than its topic accepts: refused before it is written (the ingress answers a
     * provider 2004 and an operator 400 {@code event_too_large}; nothing is written).
     */
    public static final class EventTooLargeException extends RuntimeException {
        private final String topic;
        private final long bytes;
        private final int limitBytes;

        public EventTooLargeException(String topic, long bytes, int limitBytes) {
            super("the event would take " + bytes + " bytes on " + topic + ", which accepts at most " + limitBytes
                    + " (max.message.bytes, max.request.size)", null, false, false);
            this.topic = topic;
            this.bytes = bytes;
            this.limitBytes = limitBytes;
        }

        public String topic() {
            return topic;
        }

        public long bytes() {
            return bytes;
        }

        public int limitBytes() {
            return limitBytes;
        }
    }

    private Outbox() {
    }

    /** The limits every writer of this process checks against (the service installs its own at start). */
    public static void useLimits(TopicLimits processLimits) {
        limits = processLimits == null ? TopicLimits.defaults() : processLimits;
    }

    public static TopicLimits limits() {
        return limits;
    }

    public static void append(Connection c, String topic, String key, String eventId, String payload) throws SQLException {
        checkSize(topic, key, payload, 0);
        try (PreparedStatement ps = c.prepareStatement(INSERT_SQL)) {
            ps.setString(1, topic);
            ps.setString(2, key);
            ps.setString(3, eventId);
            ps.setString(4, payload);
            ps.executeUpdate();
        }
    }

    /**
     * Refuses an event that would not fit its topic: its key and payload in UTF-8, plus
     * {@link #RECORD_OVERHEAD_BYTES}, plus {@code growthBytesMax} (what a statement adds to the
     * payload after this check, as the make's debit adds the wallet's position), over the limit.
     * Reads only the cache: no call to Kafka.
     *
     * @throws EventTooLargeException when it would not fit
     */
    public static void checkSize(String topic, String key, String payload, int growthBytesMax) {
        long bytes = recordBytes(key, payload) + growthBytesMax;
        int limit = limits.limitBytes(topic);
        if (bytes > limit) {
            throw new EventTooLargeException(topic, bytes, limit);
        }
    }

    /** The bytes a record of this key and payload takes in Kafka, framing included (an upper bound). */
    public static long recordBytes(String key, String payload) {
        return utf8Length(key) + utf8Length(payload) + RECORD_OVERHEAD_BYTES;
    }

    /** The length of {@code s} in UTF-8, without encoding it. */
    static long utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                n++;
            } else if (ch < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
