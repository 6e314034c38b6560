package com.sportswallet.money;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The statements that move money, shared by every path that does, so the balance and the ledger
 * always change together: a wallet update bumps {@code version} by one and the ledger entry
 * records that version. The same update advances the player's {@code player_seq} (DESIGN.md,
 * "Per-player order") by the number of wallet.events records the caller writes about the change,
 * so the value is taken under the wallet row lock. Runs inside the caller's transaction; never commits.
 */
public final class Ledger {
    private static final String DEBIT_IF_FUNDED_SQL = "UPDATE wallet SET balance = balance - ?, version = version + 1,"
            + " player_seq = player_seq + 1, updated_at = now() WHERE id = ? AND balance >= ? RETURNING balance, version, player_seq, pending";
    // One event, plus one more (the caller's wallet.alert) when asked and the balance ends below zero.
    // Every right-hand side reads the row as it was before this update: balance + ? is the balance after.
    private static final String APPLY_SQL = "UPDATE wallet SET balance = balance + ?, version = version + 1,"
            + " player_seq = player_seq + CASE WHEN ? AND balance + ? < 0 THEN 2 ELSE 1 END, updated_at = now()"
            + " WHERE id = ? RETURNING balance, version, player_seq, pending";
    private static final String ENTRY_SQL = "INSERT INTO ledger_entry (wallet_id, amount, balance_after, wallet_version, operation, idempotency_key)"
            + " VALUES (?, ?, ?, ?, ?, ?)";

    /**
     * The wallet after a change: its balance, its version (= the change's sequence) and its
     * player_seq (the value of the last wallet.events record the change accounts for).
     */
    public record Moved(long balanceAfter, long version, long playerSeq, long pending) {
        /** Settled + pending after the change: what the answer shows. */
        public long available() {
            return balanceAfter + pending;
        }
    }

    private Ledger() {
    }

    /**
     * Debits {@code amount} only if the balance covers it: the check and the debit are one
     * statement, so two debits can never both spend the same money. Advances player_seq by one
     * (the caller's event).
     *
     * @return the wallet after the debit, or null when the balance is short (nothing changed)
     */
    public static Moved debitIfFunded(Connection c, long walletId, long amount, String operation, String key) throws SQLException {
        Moved moved;
        try (PreparedStatement ps = c.prepareStatement(DEBIT_IF_FUNDED_SQL)) {
            ps.setLong(1, amount);
            ps.setLong(2, walletId);
            ps.setLong(3, amount);
            moved = oneRow(ps);
        }
        if (moved != null) {
            entry(c, walletId, -amount, moved, operation, key);
        }
        return moved;
    }

    /**
     * Adds {@code signedAmount} unconditionally (a credit). Advances player_seq by one (the
     * caller's event).
     */
    public static Moved apply(Connection c, long walletId, long signedAmount, String operation, String key) throws SQLException {
        return apply(c, walletId, signedAmount, operation, key, false);
    }

    /**
     * Adds {@code signedAmount} unconditionally (a credit, or the reversal of an applied credit,
     * which may drive the balance below zero). Advances player_seq by one (the caller's event),
     * and, when {@code alertBelowZero} and the balance ends below zero, by one more: the caller
     * then writes its event with {@code playerSeq - 1} and a {@code wallet.alert} after it with
     * {@code playerSeq}.
     */
    public static Moved apply(Connection c, long walletId, long signedAmount, String operation, String key, boolean alertBelowZero)
            throws SQLException {
        Moved moved;
        try (PreparedStatement ps = c.prepareStatement(APPLY_SQL)) {
            ps.setLong(1, signedAmount);
            ps.setBoolean(2, alertBelowZero);
            ps.setLong(3, signedAmount);
            ps.setLong(4, walletId);
            moved = oneRow(ps);
        }
        if (moved == null) {
            throw new IllegalStateException("wallet " + walletId + " vanished");
        }
        entry(c, walletId, signedAmount, moved, operation, key);
        return moved;
    }

    private static Moved oneRow(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? new Moved(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)) : null;
        }
    }

    private static void entry(Connection c, long walletId, long signedAmount, Moved moved, String operation, String key) throws SQLException {
        entry(c, walletId, signedAmount, moved.balanceAfter(), moved.version(), operation, key);
    }

    /**
     * The ledger entry of one change: its amount, the balance after it and the wallet version it
     * made. For statements of this module that change a wallet more than once in one update.
     */
    static void entry(Connection c, long walletId, long signedAmount, long balanceAfter, long version, String operation, String key)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ENTRY_SQL)) {
            ps.setLong(1, walletId);
            ps.setLong(2, signedAmount);
            ps.setLong(3, balanceAfter);
            ps.setLong(4, version);
            ps.setString(5, operation);
            ps.setString(6, key);
            ps.executeUpdate();
        }
    }
}
