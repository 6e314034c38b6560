package com.sportswallet.ingress.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The statements that move money, shared by every path that does, so the balance and the ledger
 * always change together: a wallet update bumps {@code version} by one and the ledger entry
 * records that version. Runs inside the caller's transaction; never commits.
 */
public final class Ledger {
    private static final String DEBIT_IF_FUNDED_SQL = "UPDATE wallet SET balance = balance - ?, version = version + 1, updated_at = now()"
            + " WHERE id = ? AND balance >= ? RETURNING balance, version";
    private static final String APPLY_SQL = "UPDATE wallet SET balance = balance + ?, version = version + 1, updated_at = now()"
            + " WHERE id = ? RETURNING balance, version";
    private static final String ENTRY_SQL = "INSERT INTO ledger_entry (wallet_id, amount, balance_after, wallet_version, operation, idempotency_key)"
            + " VALUES (?, ?, ?, ?, ?, ?)";

    /** The wallet after a change: its balance and version (= the change's sequence). */
    public record Moved(long balanceAfter, long version) {
    }

    private Ledger() {
    }

    /**
     * Debits {@code amount} only if the balance covers it: the check and the debit are one
     * statement, so two debits can never both spend the same money.
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
     * Adds {@code signedAmount} unconditionally (a credit, or the reversal of an applied credit,
     * which may drive the balance below zero).
     */
    public static Moved apply(Connection c, long walletId, long signedAmount, String operation, String key) throws SQLException {
        Moved moved;
        try (PreparedStatement ps = c.prepareStatement(APPLY_SQL)) {
            ps.setLong(1, signedAmount);
            ps.setLong(2, walletId);
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
            return rs.next() ? new Moved(rs.getLong(1), rs.getLong(2)) : null;
        }
    }

    private static void entry(Connection c, long walletId, long signedAmount, Moved moved, String operation, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ENTRY_SQL)) {
            ps.setLong(1, walletId);
            ps.setLong(2, signedAmount);
            ps.setLong(3, moved.balanceAfter());
            ps.setLong(4, moved.version());
            ps.setString(5, operation);
            ps.setString(6, key);
            ps.executeUpdate();
        }
    }
}
