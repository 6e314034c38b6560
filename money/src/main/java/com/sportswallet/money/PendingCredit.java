package com.sportswallet.money;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A decided credit (win, cashout, refund, discard stake) waiting for the settlement-worker: its row,
 * written by the transaction that decided it. The same transaction then adds the amount to the
 * wallet's {@code pending} under the wallet lock ({@link WalletEvents#advance}, last, after the
 * credit row: the lock order) and appends the command ({@link WalletEvents#appendCreditCommand}).
 * The worker, or a request spending pending money, applies it ({@link CreditBatch}); a rollback
 * of its settlement cancels it while it is still PENDING. Never commits.
 */
public final class PendingCredit {
    /** The credit kinds (the credit table's check). */
    public static final String WIN = "WIN";
    public static final String REFUND = "REFUND";
    public static final String DISCARD = "DISCARD";

    private static final String INSERT_SQL = "INSERT INTO credit (id, wallet_id, player_id, bet_id, kind, amount) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String CANCEL_SQL = "UPDATE credit SET status = 'CANCELLED', decided_at = now() WHERE id = ? AND status = 'PENDING'";

    private PendingCredit() {
    }

    /** Writes the PENDING credit row; the caller then adds {@code amount} to the wallet's pending. */
    public static void insert(Connection c, String creditId, long walletId, String playerId, String betId, String kind, long amount)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_SQL)) {
            ps.setString(1, creditId);
            ps.setLong(2, walletId);
            ps.setString(3, playerId);
            ps.setString(4, betId);
            ps.setString(5, kind);
            ps.setLong(6, amount);
            ps.executeUpdate();
        }
    }

    /**
     * Cancels the credit if it is still PENDING (the row lock decides against the worker's flip);
     * on true the caller takes its amount out of the wallet's pending.
     */
    public static boolean cancel(Connection c, String creditId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CANCEL_SQL)) {
            ps.setString(1, creditId);
            return ps.executeUpdate() == 1;
        }
    }
}
