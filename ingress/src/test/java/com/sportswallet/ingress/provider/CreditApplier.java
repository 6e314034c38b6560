package com.sportswallet.ingress.provider;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import com.sportswallet.testkit.TestInfra;

/**
 * Applies PENDING credits the way the settlement-worker does (its row-lock protocol, in one
 * transaction: flip PENDING -> APPLIED with a conditional update that returns only what it
 * flipped, then the wallet and the ledger), so the ingress's rollback can be tested racing it.
 * The worker itself (issue 4) batches this; here one credit per transaction is enough.
 */
public final class CreditApplier {
    private CreditApplier() {
    }

    /** Applies one credit if still PENDING; true when this call applied it. */
    public static boolean apply(String creditId) {
        try (Connection c = TestInfra.get().connect()) {
            c.setAutoCommit(false);
            try {
                long walletId;
                long amount;
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE credit SET status = 'APPLIED', decided_at = now() WHERE id = ? AND status = 'PENDING' RETURNING wallet_id, amount")) {
                    ps.setString(1, creditId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return false;
                        }
                        walletId = rs.getLong(1);
                        amount = rs.getLong(2);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("WITH w AS (UPDATE wallet SET balance = balance + ?, version = version + 1"
                        + " WHERE id = ? RETURNING id, balance, version) INSERT INTO ledger_entry (wallet_id, amount, balance_after,"
                        + " wallet_version, operation, idempotency_key) SELECT id, ?, balance, version, 'credit', ? FROM w")) {
                    ps.setLong(1, amount);
                    ps.setLong(2, walletId);
                    ps.setLong(3, amount);
                    ps.setString(4, "credit:" + creditId);
                    ps.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Applies every PENDING credit of a bet; returns how many this call applied. */
    public static int applyAllOf(String betId) {
        int applied = 0;
        try (Connection c = TestInfra.get().connect();
                PreparedStatement ps = c.prepareStatement("SELECT id FROM credit WHERE bet_id = ? AND status = 'PENDING' ORDER BY created_at")) {
            ps.setString(1, betId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    applied += apply(rs.getString(1)) ? 1 : 0;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return applied;
    }
}
