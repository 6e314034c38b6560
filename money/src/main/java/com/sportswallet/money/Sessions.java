package com.sportswallet.money;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Player sessions (issue 15; docs/PROTOCOL.md, "Player sessions"): the operator opens, extends and
 * ends them; bet/make needs an open one (1007). Each statement is a file under
 * {@code sql/session-*.sql}; every decision about expiry compares with the instant the caller passes
 * (the wallet's one injectable clock), never PostgreSQL's {@code now()}, so tests move time instead of
 * waiting. In the caller's transaction; never commits.
 *
 * <p>A session never comes back: an ended one stays ended, and an expired one cannot be extended. So
 * a make may refuse on an unlocked read of it; an acceptance is decided on the row read again
 * {@code FOR SHARE} after the player row (make-batch-bets.sql: the lock order), which an end or an extension
 * waits for.
 */
public final class Sessions {
    /** The bounds of {@code ttl_seconds}, in seconds: at least one, at most a day. */
    public static final long TTL_SECONDS_MIN = 1;
    public static final long TTL_SECONDS_MAX = 86_400;

    private static final NamedSql OPEN = NamedSql.load("session-open");
    private static final NamedSql EXTEND = NamedSql.load("session-extend");
    private static final NamedSql END = NamedSql.load("session-end");
    private static final NamedSql END_ALL = NamedSql.load("session-end-all");
    private static final NamedSql READ = NamedSql.load("session-read");

    private Sessions() {
    }

    /** A session as stored; {@code endedAt} null while not ended. */
    public record Session(String id, String playerId, Instant createdAt, Instant expiresAt, Instant endedAt) {
        /** True when a make at {@code now} may use it (ended and expired sessions never become open again). */
        public boolean openAt(Instant now) {
            return endedAt == null && now.isBefore(expiresAt);
        }
    }

    /** What a make's session check found: the session's state at the make's instant, for the player making it. */
    public enum Check {
        OPEN, UNKNOWN, OTHER_PLAYER, ENDED, EXPIRED;

        /** The state a make's statements report (the text the SQL's CASE gives; null: no such session). */
        public static Check of(String state) {
            return state == null ? UNKNOWN : valueOf(state);
        }
    }

    /**
     * Opens a session of {@code ttlSeconds} (within {@link #TTL_SECONDS_MIN}..{@link #TTL_SECONDS_MAX})
     * for {@code playerId} at {@code now}.
     *
     * @return the new session, or null when the player does not exist
     */
    public static Session open(Connection c, String playerId, long ttlSeconds, Instant now) throws SQLException {
        checkTtl(ttlSeconds);
        try (NamedSql.Bound s = OPEN.prepare(c)) {
            s.set("session_id", UUID.randomUUID().toString()).set("player_id", playerId).set("now", now).set("ttl_seconds", ttlSeconds);
            return one(s);
        }
    }

    /**
     * Extends the player's open session so that it lasts at least {@code ttlSeconds} from {@code now}
     * (never shortened).
     *
     * @return the extended session, or null when it is unknown, another player's, ended or expired
     *         ({@link #read} tells which)
     */
    public static Session extend(Connection c, String playerId, String sessionId, long ttlSeconds, Instant now) throws SQLException {
        checkTtl(ttlSeconds);
        try (NamedSql.Bound s = EXTEND.prepare(c)) {
            s.set("session_id", sessionId).set("player_id", playerId).set("now", now).set("ttl_seconds", ttlSeconds);
            return one(s);
        }
    }

    /**
     * Ends the player's session at {@code now} (waiting for the makes that hold it).
     *
     * @return the session just ended, or null when it is unknown, another player's or was already ended
     *         ({@link #read} tells which)
     */
    public static Session end(Connection c, String playerId, String sessionId, Instant now) throws SQLException {
        try (NamedSql.Bound s = END.prepare(c)) {
            s.set("session_id", sessionId).set("player_id", playerId).set("now", now);
            return one(s);
        }
    }

    /** Ends every open session of the player at {@code now} (a self-exclusion; issue 15); returns how many. */
    public static int endAll(Connection c, String playerId, Instant now) throws SQLException {
        try (NamedSql.Bound s = END_ALL.prepare(c)) {
            s.set("player_id", playerId).set("now", now);
            try (java.sql.ResultSet rs = s.statement().executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The session {@code sessionId}, or null when there is none. */
    public static Session read(Connection c, String sessionId) throws SQLException {
        try (NamedSql.Bound s = READ.prepare(c)) {
            s.set("session_id", sessionId);
            return one(s);
        }
    }

    private static void checkTtl(long ttlSeconds) {
        if (ttlSeconds < TTL_SECONDS_MIN || ttlSeconds > TTL_SECONDS_MAX) {
            throw new IllegalArgumentException("ttl_seconds must be " + TTL_SECONDS_MIN + ".." + TTL_SECONDS_MAX + ", not " + ttlSeconds);
        }
    }

    private static Session one(NamedSql.Bound s) throws SQLException {
        try (ResultSet rs = s.statement().executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            OffsetDateTime ended = rs.getObject(5, OffsetDateTime.class);
            return new Session(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
                    rs.getObject(4, OffsetDateTime.class).toInstant(), ended == null ? null : ended.toInstant());
        }
    }
}
