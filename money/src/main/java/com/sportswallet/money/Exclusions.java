package com.sportswallet.money;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Self-exclusion (issue 15), the two statements every path uses: the conditional change
 * ({@code exclusion-set.sql}: extend, never shorten) and the read that decides a refusal
 * ({@code exclusion-read.sql}). Whether an exclusion is in force is decided against the instant the
 * caller passes (its injectable clock), never the database's own.
 */
public final class Exclusions {
    private static final NamedSql SET = NamedSql.load("exclusion-set");
    private static final NamedSql READ = NamedSql.load("exclusion-read");
    /** The longest reason stored, in UTF-8 bytes (the column's CHECK). */
    public static final int REASON_BYTES_MAX = 500;

    private Exclusions() {
    }

    /** A player's exclusion as stored: {@code until} null and {@code indefinitely} false when there is none. */
    public record Exclusion(Instant until, boolean indefinitely, String reason, boolean inForce) {
        /** The same end (the reason aside). */
        public boolean sameEnd(Instant otherUntil, boolean otherIndefinitely) {
            return indefinitely == otherIndefinitely && java.util.Objects.equals(until, otherUntil);
        }
    }

    /** An exclusion set or extended: its version (which names its event) and the player's CASH wallet. */
    public record Changed(long version, long walletId, String currency) {
    }

    /**
     * Sets the exclusion when it is allowed at {@code at}: a new one (none in force), or an extension
     * of the one in force. Takes the player row's lock.
     *
     * @param until the end, or null with {@code indefinitely}
     * @return the change (its exclusion_version and the player's CASH wallet), or null when nothing
     *         changed (shortening, lifting, the same end, or no such player: {@link #read} tells which)
     */
    public static Changed set(Connection c, String playerId, Instant until, boolean indefinitely, String reason, Instant at) throws SQLException {
        if (indefinitely == (until != null)) {
            throw new IllegalArgumentException("an exclusion has an end or is indefinite, not both");
        }
        try (NamedSql.Bound s = SET.prepare(c)) {
            s.set("player_id", playerId).set("until", until).set("indefinitely", indefinitely).set("reason", reason).set("at", at);
            try (ResultSet rs = s.statement().executeQuery()) {
                return rs.next() ? new Changed(rs.getLong(1), rs.getLong(2), rs.getString(3)) : null;
            }
        }
    }

    /** The player's exclusion and whether it is in force at {@code at}; null for an unknown player. */
    public static Exclusion read(Connection c, String playerId, Instant at) throws SQLException {
        try (NamedSql.Bound s = READ.prepare(c)) {
            s.set("player_id", playerId).set("at", at);
            try (ResultSet rs = s.statement().executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                OffsetDateTime until = rs.getObject(1, OffsetDateTime.class);
                return new Exclusion(until == null ? null : until.toInstant(), rs.getBoolean(2), rs.getString(3), rs.getBoolean(4));
            }
        }
    }

    /** Whether the player is excluded at {@code at} (false for an unknown player). */
    public static boolean inForce(Connection c, String playerId, Instant at) throws SQLException {
        Exclusion e = read(c, playerId, at);
        return e != null && e.inForce();
    }
}
