package com.sportswallet.ingress;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import com.sportswallet.testkit.TestInfra;

/** Direct reads of the test database, to assert what was (not) written. */
public final class Db {
    private Db() {
    }

    public static long count(String sql) {
        try (Connection c = TestInfra.get().connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The first column of the first row, as text. */
    public static String text(String sql) {
        try (Connection c = TestInfra.get().connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Deadlocks PostgreSQL detected in this database so far (pg_stat_database; flushed by each backend within about a second). */
    public static long deadlocks() {
        return count("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }

    /** Rows written anywhere by money operations: ledger, outbox (incl. published), idempotency records. */
    public static String footprint() {
        return count("SELECT count(*) FROM ledger_entry") + "/" + count("SELECT count(*) FROM idempotency_record") + "/"
                + count("SELECT last_value FROM outbox_id_seq") + "/" + count("SELECT coalesce(sum(balance), 0) FROM wallet")
                + "/" + count("SELECT count(*) FROM player");
    }

    /**
     * Wallets whose balance differs from the sum of their ledger, whose pending differs from the sum
     * of their PENDING credits, or whose ledger versions do not run 1..version without a gap. Zero
     * when the books are right.
     */
    public static long ledgerDiscrepancies() {
        return count("SELECT count(*) FROM wallet w WHERE w.balance <> (SELECT coalesce(sum(amount), 0) FROM ledger_entry l WHERE l.wallet_id = w.id)"
                + " OR w.pending <> (SELECT coalesce(sum(amount), 0) FROM credit c WHERE c.wallet_id = w.id AND c.status = 'PENDING')"
                + " OR w.version <> (SELECT count(*) FROM ledger_entry l WHERE l.wallet_id = w.id)"
                + " OR w.version <> (SELECT coalesce(max(wallet_version), 0) FROM ledger_entry l WHERE l.wallet_id = w.id)");
    }
}
