package com.sportswallet.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The facts a recovery recorded as lost ({@code lost_fact}, V12; written by the SQL
 * {@link Recovery} prints): on {@code wallet.events}, published before a point-in-time restore
 * took the database back past them. They are no part of the restored balances and no decision the
 * database holds, so available-after, answered-balance and decision-events leave them out; the
 * operator settles them with the provider. Memory: one event id per lost fact.
 */
final class LostFacts {
    private static final String SQL = "SELECT event_id FROM lost_fact";
    private static final int FETCH_SIZE = 10_000;

    private final Set<String> ids;

    private LostFacts(Set<String> ids) {
        this.ids = ids;
    }

    static LostFacts none() {
        return new LostFacts(Set.of());
    }

    /** Every recorded lost fact of the snapshot {@code c} is in. */
    static LostFacts load(Connection c) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return new LostFacts(ids);
    }

    /** Whether the event with this CloudEvent id was recorded as lost. */
    boolean contains(String eventId) {
        return eventId != null && ids.contains(eventId);
    }

    int size() {
        return ids.size();
    }
}
