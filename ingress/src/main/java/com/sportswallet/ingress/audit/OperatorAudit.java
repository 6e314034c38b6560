package com.sportswallet.ingress.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who did what through the operator API (issue 17): one {@code operator_audit} row per write that
 * changed something, with the {@code sub} of the token that made it, inserted in the write's own
 * transaction (so it is there exactly when the write is: a refused or replayed request leaves none).
 * A deposit's or withdrawal's row names its ledger entry ({@code ledger_key}), so the ledger shows who
 * moved the money. Never commits.
 */
public final class OperatorAudit {
    /** What a token without a subject is recorded as (the operator key signed it, but named nobody). */
    public static final String NO_SUB = "(no sub)";

    private static final String RECORD_SQL = "INSERT INTO operator_audit (sub, action, player_id, target, ledger_key) VALUES (?, ?, ?, ?, ?)";
    private static final String LIST_SQL = """
            SELECT id, sub, action, player_id, target, ledger_key, created_at FROM operator_audit
            WHERE (?::text IS NULL OR player_id = ?) AND id < ? ORDER BY id DESC LIMIT ?""";

    /** One audited write. */
    public record Row(long id, String sub, String action, String playerId, String target, String ledgerKey, Instant createdAt) {
    }

    private OperatorAudit() {
    }

    /** The subject of the caller's token, or {@link #NO_SUB}. */
    public static String sub(JsonWebToken token) {
        String sub = token == null ? null : token.getSubject();
        return sub == null || sub.isEmpty() ? NO_SUB : sub;
    }

    /** Records one write in the caller's transaction ({@code ledgerKey}: the ledger entry it wrote, or null). */
    public static void record(Connection c, String sub, String action, String playerId, String target, String ledgerKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD_SQL)) {
            ps.setString(1, sub);
            ps.setString(2, action);
            ps.setString(3, playerId);
            ps.setString(4, target);
            ps.setString(5, ledgerKey);
            ps.executeUpdate();
        }
    }

    /** The newest rows first, older than {@code before} (an id; Long.MAX_VALUE for the first page), of one player or all. */
    public static List<Row> list(Connection c, String playerId, long before, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LIST_SQL)) {
            ps.setString(1, playerId);
            ps.setString(2, playerId);
            ps.setLong(3, before);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<Row> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                            rs.getTimestamp(7).toInstant()));
                }
                return rows;
            }
        }
    }
}
