package com.sportswallet.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The one way the checks run a discrepancy query. */
final class Sql {
    /** Rows a large read fetches per round trip (a cursor, so the JVM never holds the whole result at once). */
    static final int FETCH_SIZE = 10_000;

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

    /** The first column of every row of {@code sql} (one text column), read in pages of {@link #FETCH_SIZE} rows. */
    static Set<String> strings(Connection c, String sql) throws SQLException {
        Set<String> values = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }

    /** A single number ({@code SELECT count(*) ...}). */
    static long number(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
