package com.sportswallet.reconcile;

import java.sql.Connection;
import java.sql.SQLException;
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

    private final Set<String> ids;

    private LostFacts(Set<String> ids) {
        this.ids = ids;
    }

    static LostFacts none() {
        return new LostFacts(Set.of());
    }

    /** Every recorded lost fact of the snapshot {@code c} is in. */
    static LostFacts load(Connection c) throws SQLException {
        return new LostFacts(Sql.strings(c, SQL));
    }

    /** Whether the event with this CloudEvent id was recorded as lost. */
    boolean contains(String eventId) {
        return eventId != null && ids.contains(eventId);
    }

    int size() {
        return ids.size();
    }
}
