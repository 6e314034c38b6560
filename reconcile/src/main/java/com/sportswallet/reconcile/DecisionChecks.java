package com.sportswallet.reconcile;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The decisions against each other, from PostgreSQL alone: every credit against the decision that
 * created it (a win or refund settlement, a discard), and every bet's state against its
 * settlements. Each query returns only the offending rows (see {@link Sql#discrepancies}).
 */
final class DecisionChecks {
    static final String CREDITS_MATCH_DECISIONS = "credits-match-decisions";
    static final String BET_STATES = "bet-states";

    /*
     * Proves: every credit ties to the decision that created it. A WIN credit is the credit of a
     * WON or CASHED_OUT settlement with its own id, a REFUND credit of a REFUNDED one, of the same
     * amount and bet (SettlementService writes the three from one request); a DISCARD credit has no
     * settlement, its bet is DISCARDED and it returns exactly the bet's stake (DiscardService). Every
     * credit is on the wallet, and for the player, of its bet. (Its status against its decision: a
     * CANCELLED credit is rollbacks-reversed-once's.)
     */
    private static final String CREDITS_SQL = """
            SELECT c.id, c.kind, c.amount, c.status, c.bet_id, c.wallet_id, c.player_id,
                   s.id, s.kind, s.amount, s.bet_id, b.id, b.state, b.stake, b.wallet_id, b.player_id, count(*) OVER () AS total
            FROM credit c
            LEFT JOIN settlement s ON s.id = c.id
            LEFT JOIN bet b ON b.id = c.bet_id
            WHERE b.id IS NULL OR b.player_id IS NULL OR b.wallet_id <> c.wallet_id OR b.player_id <> c.player_id
               OR (c.kind = 'WIN' AND (s.id IS NULL OR s.kind NOT IN ('WON', 'CASHED_OUT')))
               OR (c.kind = 'REFUND' AND (s.id IS NULL OR s.kind <> 'REFUNDED'))
               OR (c.kind IN ('WIN', 'REFUND') AND (s.amount <> c.amount OR s.bet_id <> c.bet_id))
               OR (c.kind = 'DISCARD' AND (s.id IS NOT NULL OR b.state <> 'DISCARDED' OR c.amount <> b.stake))
            ORDER BY c.id
            LIMIT ?
            """;

    /*
     * Proves the other way round: every decision that owes money has its credit. A WON, CASHED_OUT
     * or REFUNDED settlement of a positive amount has the credit with its id (a settlement that
     * credits 0 writes none: docs/PROTOCOL.md), and a discarded bet (DISCARDED with a player: a
     * discard tombstone has none, and no stake) has exactly one DISCARD credit, its stake; a
     * discarded freebet (no cash stake: its bonus is released instead) has none.
     */
    private static final String OWED_SQL = """
            SELECT what, id, kind, amount, bet_id, credits, count(*) OVER () AS total FROM (
                SELECT 'settlement' AS what, s.id, s.kind, s.amount, s.bet_id, 0::bigint AS credits
                FROM settlement s LEFT JOIN credit c ON c.id = s.id
                WHERE s.kind IN ('WON', 'CASHED_OUT', 'REFUNDED') AND s.amount > 0 AND c.id IS NULL
                UNION ALL
                SELECT 'bet', b.id, b.provider_tx_id, b.stake, b.id, d.n
                FROM bet b
                CROSS JOIN LATERAL (SELECT count(*) AS n FROM credit c WHERE c.bet_id = b.id AND c.kind = 'DISCARD') d
                WHERE b.state = 'DISCARDED' AND b.player_id IS NOT NULL AND d.n <> CASE WHEN b.stake > 0 THEN 1 ELSE 0 END) o
            ORDER BY what, id
            LIMIT ?
            """;

    /*
     * Proves: every bet's state agrees with its settlements (and so with its rollbacks, which turn
     * the settlement they reverse ROLLED_BACK and the bet OPEN again). A settled bet (WON,
     * CASHED_OUT, LOST, REFUNDED) has exactly one ACTIVE settlement, of its own kind, and it is the
     * bet's latest_settlement_id; an OPEN or DISCARDED bet has none; latest_settlement_id, when set,
     * names a real settlement of the bet, and a bet with real settlements has it set; a discard
     * tombstone (no player) has no real settlement; and only a TOMBSTONE settlement is in state
     * TOMBSTONE.
     */
    private static final String BET_STATES_SQL = """
            WITH s AS (
                SELECT bet_id,
                       count(*) FILTER (WHERE state = 'ACTIVE') AS active,
                       min(id) FILTER (WHERE state = 'ACTIVE') AS active_id,
                       min(kind) FILTER (WHERE state = 'ACTIVE') AS active_kind,
                       count(*) FILTER (WHERE kind <> 'TOMBSTONE') AS real,
                       count(*) FILTER (WHERE (kind = 'TOMBSTONE') <> (state = 'TOMBSTONE')) AS mixed
                FROM settlement GROUP BY bet_id)
            SELECT b.id, b.provider_tx_id, b.player_id, b.state, b.latest_settlement_id, coalesce(s.active, 0), s.active_kind, s.active_id,
                   coalesce(s.real, 0), coalesce(s.mixed, 0), ls.bet_id, ls.kind, count(*) OVER () AS total
            FROM bet b
            LEFT JOIN s ON s.bet_id = b.id
            LEFT JOIN settlement ls ON ls.id = b.latest_settlement_id
            WHERE (b.state IN ('WON', 'CASHED_OUT', 'LOST', 'REFUNDED')
                   AND (coalesce(s.active, 0) <> 1 OR s.active_kind <> b.state OR s.active_id IS DISTINCT FROM b.latest_settlement_id))
               OR (b.state IN ('OPEN', 'DISCARDED') AND coalesce(s.active, 0) <> 0)
               OR (b.latest_settlement_id IS NOT NULL AND (ls.id IS NULL OR ls.bet_id <> b.id OR ls.kind = 'TOMBSTONE'))
               OR (b.latest_settlement_id IS NULL AND coalesce(s.real, 0) > 0)
               OR (b.player_id IS NULL AND coalesce(s.real, 0) > 0)
               OR coalesce(s.mixed, 0) > 0
            ORDER BY b.id
            LIMIT ?
            """;

    private DecisionChecks() {
    }

    static List<CheckResult> run(Connection c, int examples) throws SQLException {
        List<CheckResult> results = new ArrayList<>();

        CheckResult.Builder credits = CheckResult.builder(CREDITS_MATCH_DECISIONS, examples);
        Sql.discrepancies(c, CREDITS_SQL, credits, DecisionChecks::credit);
        Sql.discrepancies(c, OWED_SQL, credits, rs -> rs.getString(1).equals("settlement")
                ? "settlement " + rs.getString(2) + " (" + rs.getString(3) + " " + rs.getLong(4) + " of bet " + rs.getString(5)
                        + ") has no credit"
                : "bet " + rs.getString(2) + " (make " + rs.getString(3) + ", stake " + rs.getLong(4) + ") is DISCARDED with "
                        + rs.getLong(6) + " DISCARD credits: its stake was " + (rs.getLong(6) == 0 ? "never credited back" : "credited "
                        + rs.getLong(6) + " times"));
        results.add(credits.build());

        CheckResult.Builder bets = CheckResult.builder(BET_STATES, examples);
        Sql.discrepancies(c, BET_STATES_SQL, bets, DecisionChecks::betState);
        results.add(bets.build());
        return results;
    }

    /** One row of {@link #CREDITS_SQL} in words. */
    private static String credit(ResultSet rs) throws SQLException {
        String credit = "credit " + rs.getString(1) + " (" + rs.getString(2) + " " + rs.getLong(3) + ", " + rs.getString(4) + ", bet "
                + rs.getString(5) + ", wallet " + rs.getLong(6) + ", player " + rs.getString(7) + ")";
        List<String> problems = new ArrayList<>();
        String kind = rs.getString(2);
        if (rs.getString(12) == null) {
            problems.add("its bet does not exist");
        } else if (rs.getString(16) == null) {
            problems.add("its bet is a discard tombstone");
        } else if (rs.getLong(15) != rs.getLong(6) || !rs.getString(16).equals(rs.getString(7))) {
            problems.add("its bet is on wallet " + rs.getLong(15) + " of player " + rs.getString(16));
        }
        if (kind.equals("DISCARD")) {
            if (rs.getString(8) != null) {
                problems.add("a settlement " + rs.getString(9) + " has its id");
            }
            if (rs.getString(12) != null && rs.getString(16) != null
                    && (!"DISCARDED".equals(rs.getString(13)) || rs.getLong(14) != rs.getLong(3))) {
                problems.add("its bet is " + rs.getString(13) + " with stake " + rs.getLong(14));
            }
        } else if (rs.getString(8) == null) {
            problems.add("no settlement decided it");
        } else {
            String expected = kind.equals("WIN") ? "WON or CASHED_OUT" : "REFUNDED";
            if (!expected.contains(rs.getString(9))) {
                problems.add("its settlement is " + rs.getString(9));
            }
            if (rs.getLong(10) != rs.getLong(3)) {
                problems.add("its settlement decided " + rs.getLong(10));
            }
            if (!rs.getString(11).equals(rs.getString(5))) {
                problems.add("its settlement is of bet " + rs.getString(11));
            }
        }
        return credit + ": " + String.join("; ", problems);
    }

    /** One row of {@link #BET_STATES_SQL} in words. */
    private static String betState(ResultSet rs) throws SQLException {
        String state = rs.getString(4);
        String bet = "bet " + rs.getString(1) + " (make " + rs.getString(2) + (rs.getString(3) == null ? ", a discard tombstone" : ", player "
                + rs.getString(3)) + ") is " + state;
        long active = rs.getLong(6);
        List<String> problems = new ArrayList<>();
        boolean settled = List.of("WON", "CASHED_OUT", "LOST", "REFUNDED").contains(state);
        if (settled && active != 1) {
            problems.add("with " + active + " ACTIVE settlements");
        } else if (settled && !state.equals(rs.getString(7))) {
            problems.add("but its ACTIVE settlement " + rs.getString(8) + " is " + rs.getString(7));
        } else if (settled && !rs.getString(8).equals(rs.getString(5))) {
            problems.add("but its latest_settlement_id " + rs.getString(5) + " is not its ACTIVE settlement " + rs.getString(8));
        } else if (!settled && active != 0) {
            problems.add("with " + active + " ACTIVE settlement"
                    + (active == 1 ? " (" + rs.getString(8) + ", " + rs.getString(7) + ")" : "s"));
        }
        String latest = rs.getString(5);
        if (latest != null
                && (rs.getString(11) == null || !rs.getString(11).equals(rs.getString(1)) || "TOMBSTONE".equals(rs.getString(12)))) {
            problems.add("its latest_settlement_id " + latest + " is " + (rs.getString(11) == null ? "no settlement"
                    : "TOMBSTONE".equals(rs.getString(12)) ? "a tombstone" : "bet " + rs.getString(11) + "'s"));
        }
        if (latest == null && rs.getLong(9) > 0) {
            problems.add("it has " + rs.getLong(9) + " settlements but no latest_settlement_id");
        }
        if (rs.getString(3) == null && rs.getLong(9) > 0) {
            problems.add("a tombstone with " + rs.getLong(9) + " real settlements");
        }
        if (rs.getLong(10) > 0) {
            problems.add(rs.getLong(10) + " of its settlements are TOMBSTONE in kind or state only");
        }
        return bet + " " + String.join("; ", problems);
    }
}
