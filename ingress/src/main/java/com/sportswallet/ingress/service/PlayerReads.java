package com.sportswallet.ingress.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.sportswallet.ingress.model.Wallet;

/**
 * The operator API's reads of a player's wallet and ledger, on the reads pool ({@link ReadPool}),
 * each ONE statement so what it shows comes from one snapshot (the balance and the entries that
 * made it agree).
 */
@ApplicationScoped
public class PlayerReads {
    private static final String WALLET_SQL = """
            SELECT w.currency, w.balance, w.pending, w.version, w.updated_at, p.status,
              (SELECT count(*) FROM credit c WHERE c.wallet_id = w.id AND c.status = 'PENDING')
            FROM wallet w JOIN player p ON p.id = w.player_id
            WHERE w.player_id = ? AND w.kind = 'CASH'""";
    private static final String LEDGER_SQL = """
            SELECT w.currency, w.balance, w.pending, e.id, e.operation, e.amount, e.balance_after, e.wallet_version,
              e.idempotency_key, e.created_at
            FROM wallet w
            LEFT JOIN LATERAL (SELECT * FROM ledger_entry l WHERE l.wallet_id = w.id ORDER BY l.wallet_version DESC LIMIT ?) e ON true
            WHERE w.player_id = ? AND w.kind = 'CASH'
            ORDER BY e.wallet_version DESC""";

    @Inject
    ReadPool reads;

    /** A player's CASH wallet as the operator sees it. */
    public record WalletView(String currency, long balance, long pending, long version, Instant updatedAt, String status,
            long pendingCredits) {
        public long available() {
            return Wallet.available(balance, pending);
        }
    }

    public record Entry(long id, String operation, long amount, long balanceAfter, long sequence, String idempotencyKey,
            Instant createdAt) {
    }

    /** The newest entries first, with the wallet they leave. */
    public record LedgerPage(String currency, long balance, long pending, List<Entry> entries) {
        public long available() {
            return Wallet.available(balance, pending);
        }
    }

    /** The player's wallet, or null for an unknown player. */
    public WalletView wallet(String playerId) throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(WALLET_SQL)) {
            ps.setString(1, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new WalletView(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getTimestamp(5).toInstant(),
                        rs.getString(6), rs.getLong(7));
            }
        }
    }

    /** The player's {@code limit} newest ledger entries, or null for an unknown player. */
    public LedgerPage ledger(String playerId, int limit) throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(LEDGER_SQL)) {
            ps.setInt(1, limit);
            ps.setString(2, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                LedgerPage page = null;
                List<Entry> entries = new ArrayList<>();
                while (rs.next()) {
                    if (page == null) {
                        page = new LedgerPage(rs.getString(1), rs.getLong(2), rs.getLong(3), entries);
                    }
                    if (rs.getObject(4) != null) {
                        entries.add(new Entry(rs.getLong(4), rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getString(9),
                                rs.getTimestamp(10).toInstant()));
                    }
                }
                return page;
            }
        }
    }
}
