package com.sportswallet.ingress.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What an SRE and an operator watch (issue 17), from the database, on the reads pool ({@link ReadPool}),
 * each ONE statement: the pipeline's backlog (outbox rows, parked keys, PENDING credits, with the age
 * of the oldest), the alerts, and the open bets' exposure.
 */
@ApplicationScoped
public class OperationsReads {
    // Ages from the database's clock, the one every created_at was written with.
    private static final String PIPELINE_SQL = """
            SELECT (SELECT count(*) FROM outbox),
              (SELECT (extract(epoch FROM now() - min(created_at)) * 1000)::bigint FROM outbox),
              (SELECT count(*) FROM outbox_parked),
              (SELECT count(*) FROM credit WHERE status = 'PENDING'),
              (SELECT (extract(epoch FROM now() - min(created_at)) * 1000)::bigint FROM credit WHERE status = 'PENDING')""";
    private static final String ALERT_COUNTS_SQL = "SELECT reason, count(*) FROM alert GROUP BY reason";
    private static final String ALERTS_SQL = """
            SELECT id, event_id, player_id, reason, data::text, occurred_at, created_at FROM alert
            WHERE created_at >= ? AND id > ? ORDER BY id LIMIT ?""";
    // OPEN bets by age band and currency: count, stakes held, and potential_win (the exposure: what the operator owes if all
    // of them win); and those never confirmed by bet/commit among them. A sequential scan of bet: on a very large table it
    // may exceed the reads' statement timeout (503): a partial index on OPEN bets would make every settlement's update
    // of bet non-HOT, on the hot path, for a report (issue 16), so it is not there.
    private static final String OPEN_BETS_SQL = """
            SELECT band, currency, count(*), coalesce(sum(stake + bonus_stake), 0), coalesce(sum(potential_win), 0),
              count(*) FILTER (WHERE NOT confirmed), min(created_at)
            FROM (SELECT currency, stake, bonus_stake, potential_win, confirmed, created_at,
                    CASE WHEN created_at > now() - interval '1 hour' THEN 1
                         WHEN created_at > now() - interval '1 day' THEN 2
                         WHEN created_at > now() - interval '7 days' THEN 3 ELSE 4 END AS band
                  FROM bet WHERE state = 'OPEN') o
            GROUP BY band, currency ORDER BY band, currency""";
    /** The age bands of the open-bets report, by band number. */
    public static final List<String> AGE_BANDS = List.of("under_1h", "1h_to_1d", "1d_to_7d", "over_7d");

    @Inject
    ReadPool reads;

    /** The backlog: outbox rows and the oldest's age, parked keys, PENDING credits and the oldest's age (null ages: none). */
    public record Backlog(long outboxRows, Long outboxOldestAgeMs, long parkedKeys, long pendingCredits, Long pendingOldestAgeMs) {
    }

    public record AlertRow(long id, String eventId, String key, String reason, String dataJson, Instant occurredAt, Instant createdAt) {
    }

    public record OpenBand(String band, String currency, long bets, long stakes, long potentialWin, long unconfirmed, Instant oldest) {
    }

    public Backlog backlog() throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(PIPELINE_SQL); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Backlog(rs.getLong(1), (Long) rs.getObject(2, Long.class), rs.getLong(3), rs.getLong(4), (Long) rs.getObject(5, Long.class));
        }
    }

    /** Alerts logged at or after {@code since}, oldest first, after alert {@code afterId} (the cursor), at most {@code limit}. */
    public List<AlertRow> alerts(Instant since, long afterId, int limit) throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(ALERTS_SQL)) {
            ps.setTimestamp(1, Timestamp.from(since));
            ps.setLong(2, afterId);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<AlertRow> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new AlertRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant()));
                }
                return rows;
            }
        }
    }

    /** How many alerts of each reason the log holds (alerts are rare: the table is small). */
    public java.util.Map<String, Long> alertCounts() throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(ALERT_COUNTS_SQL); ResultSet rs = ps.executeQuery()) {
            java.util.Map<String, Long> counts = new java.util.HashMap<>();
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
            return counts;
        }
    }

    public List<OpenBand> openBets() throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(OPEN_BETS_SQL); ResultSet rs = ps.executeQuery()) {
            List<OpenBand> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(new OpenBand(AGE_BANDS.get(rs.getInt(1) - 1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                        rs.getTimestamp(7).toInstant()));
            }
            return rows;
        }
    }
}
