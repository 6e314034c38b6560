package com.sportswallet.ingress.provider;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.sportswallet.contracts.CreditCommand;
import com.sportswallet.money.CreditBatch;
import com.sportswallet.testkit.TestInfra;

/**
 * Applies PENDING credits on demand with the settlement-worker's own code ({@link CreditBatch},
 * one credit per transaction), so tests decide exactly when a credit lands, e.g. to race the
 * ingress's rollback against it. End-to-end tests run the worker's consumer itself.
 */
public final class CreditApplier {
    private CreditApplier() {
    }

    /** Applies one credit if still PENDING; true when this call applied it. */
    public static boolean apply(String creditId) {
        return applyBatch(creditId).size() == 1;
    }

    /**
     * Applies the credits still PENDING as ONE worker batch (one transaction), commands in the
     * given order, as the worker's consumer would for one poll; returns what this call applied.
     */
    public static List<CreditBatch.Applied> applyBatch(String... creditIds) {
        try (Connection c = TestInfra.get().connect()) {
            List<CreditCommand> commands = new ArrayList<>();
            for (String creditId : creditIds) {
                try (PreparedStatement ps = c.prepareStatement("SELECT wallet_id, player_id, bet_id, kind, amount FROM credit WHERE id = ?")) {
                    ps.setString(1, creditId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalArgumentException("no credit " + creditId);
                        }
                        commands.add(new CreditCommand("test-" + creditId, creditId, rs.getLong(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getLong(5), null));
                    }
                }
            }
            c.setAutoCommit(false);
            try {
                CreditBatch.Result result = CreditBatch.apply(c, commands);
                c.commit();
                return result.applied();
            } catch (SQLException | RuntimeException e) {
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
