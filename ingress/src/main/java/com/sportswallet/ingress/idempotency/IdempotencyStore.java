package com.sportswallet.ingress.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

import com.sportswallet.money.NamedSql;

/**
 * Idempotency records, keyed by (endpoint, key), written inside the request's transaction.
 *
 * <p>{@link #claim} is an insert-if-absent: the first request with a key inserts the row and goes
 * on; a concurrent one blocks on the row's unique index until the first commits (then it reads the
 * stored answer) or rolls back (then it inserts and goes on itself). There is no check-then-act.
 */
public final class IdempotencyStore {
    /** The claim (the money module's sql/idempotency-claim.sql; bet/make sends it with its wallet read, BetMake). */
    public static final NamedSql CLAIM = NamedSql.load("idempotency-claim");
    private static final String READ_SQL = "SELECT request_hash, hash_version, response_status, response_body FROM idempotency_record"
            + " WHERE endpoint = ? AND key = ?";
    private static final String RELEASE_SQL = "DELETE FROM idempotency_record WHERE endpoint = ? AND key = ? AND response_status IS NULL";
    private static final String COMPLETE_SQL = "UPDATE idempotency_record SET response_status = ?, response_body = ?, player_seq = ?"
            + " WHERE endpoint = ? AND key = ?";

    /** A stored answer to replay byte for byte. */
    public record Answer(int status, String body) {
    }

    /** The outcome of a claim: either this request goes on, or an earlier answer is replayed, or the key was reused. */
    public sealed interface Claim {
    }

    public record Claimed() implements Claim {
    }

    public record Replay(Answer answer) implements Claim {
    }

    public record Mismatch() implements Claim {
    }

    /**
     * A request's hash, by the version of the algorithm that computed it: a new record stores
     * {@link #bytes()} under {@link #version()}; a retry is compared with {@link #bytes(int)} of
     * the version its record was stored with ({@code idempotency_record.hash_version}).
     */
    public interface RequestHash {
        int version();

        byte[] bytes();

        byte[] bytes(int storedVersion);
    }

    /** A hash with one algorithm only (the operator's deposits and withdrawals). */
    public static RequestHash single(int version, byte[] hash) {
        return new RequestHash() {
            @Override
            public int version() {
                return version;
            }

            @Override
            public byte[] bytes() {
                return hash;
            }

            @Override
            public byte[] bytes(int storedVersion) {
                if (storedVersion != version) {
                    throw new IllegalStateException("a record of hash version " + storedVersion + " where only " + version + " exists");
                }
                return hash;
            }
        };
    }

    private IdempotencyStore() {
    }

    public static byte[] hash(String canonicalRequest) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonicalRequest.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public static Claim claim(Connection c, String endpoint, String key, RequestHash requestHash) throws SQLException {
        try (NamedSql.Bound s = CLAIM.prepare(c)) {
            if (s.set("endpoint", endpoint).set("key", key).set("request_hash", requestHash.bytes())
                    .set("hash_version", requestHash.version()).statement().executeUpdate() == 1) {
                return new Claimed();
            }
        }
        return existing(c, endpoint, key, requestHash);
    }

    /**
     * What to do with a request whose {@link #CLAIM} inserted nothing: the key's committed
     * record either replays (same hash, by the algorithm the record was stored with) or refuses
     * (another hash).
     */
    public static Claim existing(Connection c, String endpoint, String key, RequestHash requestHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(READ_SQL)) {
            ps.setString(1, endpoint);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // The conflicting row was committed, so it cannot vanish: a record is never deleted.
                    throw new IllegalStateException("idempotency record " + endpoint + "/" + key + " vanished");
                }
                if (!Arrays.equals(rs.getBytes(1), requestHash.bytes(rs.getInt(2)))) {
                    return new Mismatch();
                }
                int status = rs.getInt(3);
                if (rs.wasNull()) {
                    throw new IllegalStateException("idempotency record " + endpoint + "/" + key + " committed without an answer");
                }
                return new Replay(new Answer(status, rs.getString(4)));
            }
        }
    }

    /**
     * Gives back a claim this transaction took, so the answer is not stored: the next request with
     * the key is decided afresh (a discard that changed nothing, PROTOCOL.md).
     */
    public static void release(Connection c, String endpoint, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RELEASE_SQL)) {
            ps.setString(1, endpoint);
            ps.setString(2, key);
            ps.executeUpdate();
        }
    }

    /**
     * Stores the answer with the claim. {@code playerSeq}: the player's player_seq after this
     * decision, from the wallet row version the answered balance came from (null when the answer
     * carries no balance); kept for reconcile, never sent.
     */
    public static void complete(Connection c, String endpoint, String key, Answer answer, Long playerSeq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COMPLETE_SQL)) {
            ps.setInt(1, answer.status());
            ps.setString(2, answer.body());
            ps.setObject(3, playerSeq, java.sql.Types.BIGINT);
            ps.setString(4, endpoint);
            ps.setString(5, key);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("idempotency record " + endpoint + "/" + key + " not claimed");
            }
        }
    }
}
