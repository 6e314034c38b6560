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

    /** Rows written anywhere by money operations: ledger, outbox (incl. published), idempotency records. */
    public static String footprint() {
        return count("SELECT count(*) FROM ledger_entry") + "/" + count("SELECT count(*) FROM idempotency_record") + "/"
                + count("SELECT last_value FROM outbox_id_seq") + "/" + count("SELECT coalesce(sum(balance), 0) FROM wallet")
                + "/" + count("SELECT count(*) FROM player");
    }

    /**
     * Wallets whose balance differs from the sum of their ledger, or whose ledger versions do not
     * run 1..version without a gap. Zero when the books are right.
     */
    public static long ledgerDiscrepancies() {
        return count("SELECT count(*) FROM wallet w WHERE w.balance <> (SELECT coalesce(sum(amount), 0) FROM ledger_entry l WHERE l.wallet_id = w.id)"
                + " OR w.version <> (SELECT count(*) FROM ledger_entry l WHERE l.wallet_id = w.id)"
                + " OR w.version <> (SELECT coalesce(max(wallet_version), 0) FROM ledger_entry l WHERE l.wallet_id = w.id)");
    }
}
