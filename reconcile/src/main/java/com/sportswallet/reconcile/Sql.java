package com.sportswallet.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The one way the checks run a discrepancy query. */
final class Sql {
    private Sql() {
    }

    /** Describes one offending row in words. */
    @FunctionalInterface
    interface Describe {
        String row(ResultSet rs) throws SQLException;
    }

    /**
     * Runs {@code sql}, a query that returns only offending rows, whose last selected column is
     * {@code count(*) OVER ()} (the number of offending rows before the limit) and which ends with
     * {@code LIMIT ?} (bound here to the number of examples kept): adds that many discrepancies to
     * {@code check}, with the returned rows described by {@code describe}.
     */
    static void discrepancies(Connection c, String sql, CheckResult.Builder check, Describe describe, Object... params)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object p : params) {
                ps.setObject(i++, p);
            }
            ps.setInt(i, Math.max(1, check.examplesMax()));
            long total = 0;
            List<String> shown = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int totalColumn = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    total = rs.getLong(totalColumn);
                    shown.add(describe.row(rs));
                }
            }
            check.addCounted(total, shown);
        }
    }

    /** A single number ({@code SELECT count(*) ...}). */
    static long number(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
