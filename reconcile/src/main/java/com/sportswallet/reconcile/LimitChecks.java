package com.sportswallet.reconcile;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.money.BetMake;
import com.sportswallet.money.Limits;

/**
 * Responsible-gaming limits (issue 15) against the facts that booked them, from PostgreSQL alone.
 * <ul>
 * <li>{@code usage-rows-equal-their-facts}: every {@code limit_usage} row is the sum of the facts
 * booked to its (player, period, period_start) by the rules of {@link Limits.Booking}, and no facts
 * sum to anything but zero where no row exists; and what each settlement stored as booked is its
 * kind's rule for its amount.</li>
 * <li>{@code accepted-within-limits}: every accepted make ({@code bet.limits_checked}) and deposit
 * ({@code ledger_entry.limits_checked}) stored, for each limit in force at its decision, a usage
 * after it at most that limit, in the stored shape; and that stored usage after is what the facts
 * booked to its period add up to in the wallet's order ({@code player_seq}) up to and including
 * that fact: the stored figure cannot be made up or read from a stale snapshot. See
 * {@link #recompute} for how facts are placed in that order and which periods cannot be.</li>
 * </ul>
 * What is not checked: that the limits stored were the ones in force at the decision (only the
 * current {@code player_limit} row is kept, no history), nor that a fact without
 * {@code limits_checked} had no limit in force.
 */
final class LimitChecks {
    static final String USAGE_ROWS = "usage-rows-equal-their-facts";
    static final String WITHIN_LIMITS = "accepted-within-limits";

    /*
     * Proves: each usage row = the sum of its facts, and no facts without a row sum to non-zero. What
     * books where is V20's and Limits.Booking's rule, restated for the rows that stand: a make not
     * DISCARDED books (stake, stake) to its usage_day (a discard takes exactly that back, so a
     * DISCARDED bet counts nothing); an ACTIVE settlement (usage_wager, usage_loss) to its usage_day (a
     * rollback takes exactly that back: ROLLED_BACK counts nothing); a ledger entry with a usage_day
     * (a deposit) deposit +amount. A row of zeros without facts is a period whose facts were all
     * reversed, and passes.
     */
    private static final String USAGE_SQL = """
            WITH facts AS (
                SELECT b.player_id, b.usage_day AS day, b.stake AS wager, b.stake AS loss, 0::bigint AS deposit
                FROM bet b WHERE b.usage_day IS NOT NULL AND b.state <> 'DISCARDED'
                UNION ALL
                SELECT b.player_id, s.usage_day, s.usage_wager, s.usage_loss, 0
                FROM settlement s JOIN bet b ON b.id = s.bet_id WHERE s.usage_day IS NOT NULL AND s.state = 'ACTIVE'
                UNION ALL
                SELECT w.player_id, l.usage_day, 0, 0, l.amount
                FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE l.usage_day IS NOT NULL),
            booked AS (
                SELECT f.player_id, p.period, p.period_start, sum(f.wager) AS wager, sum(f.loss) AS loss, sum(f.deposit) AS deposit,
                       count(*) AS facts
                FROM facts f CROSS JOIN LATERAL usage_periods(f.day) p
                GROUP BY 1, 2, 3)
            SELECT coalesce(u.player_id, b.player_id), coalesce(u.period, b.period), coalesce(u.period_start, b.period_start),
                   u.wager, u.loss, u.deposit, b.wager, b.loss, b.deposit, coalesce(b.facts, 0), count(*) OVER () AS total
            FROM limit_usage u
            FULL JOIN booked b ON b.player_id = u.player_id AND b.period = u.period AND b.period_start = u.period_start
            WHERE (u.player_id IS NULL AND (b.wager <> 0 OR b.loss <> 0 OR b.deposit <> 0))
               OR (b.player_id IS NULL AND (u.wager <> 0 OR u.loss <> 0 OR u.deposit <> 0))
               OR (u.player_id IS NOT NULL AND b.player_id IS NOT NULL AND (u.wager <> b.wager OR u.loss <> b.loss OR u.deposit <> b.deposit))
            ORDER BY 1, 2, 3
            LIMIT ?
            """;

    /*
     * Proves: what each settlement stored as booked is its kind's rule (Limits.Booking.settlement, of the
     * cash it credits, its amount): a win or cash-out loss -amount, a refund wager and loss -amount, a
     * lost nothing. USAGE_SQL adds up what settlements stored; this proves what they stored is what they
     * should have booked, reversed ones included (their rollback took back exactly that).
     */
    private static final String SETTLEMENT_RULE_SQL = """
            SELECT s.id, s.kind, s.amount, s.usage_wager, s.usage_loss, b.player_id,
                   CASE s.kind WHEN 'REFUNDED' THEN -s.amount ELSE 0 END, CASE s.kind WHEN 'LOST' THEN 0 ELSE -s.amount END,
                   count(*) OVER () AS total
            FROM settlement s JOIN bet b ON b.id = s.bet_id
            WHERE s.usage_day IS NOT NULL AND s.state IN ('ACTIVE', 'ROLLED_BACK')
              AND (s.usage_wager <> CASE s.kind WHEN 'REFUNDED' THEN -s.amount ELSE 0 END
                   OR s.usage_loss <> CASE s.kind WHEN 'LOST' THEN 0 ELSE -s.amount END)
            ORDER BY s.id
            LIMIT ?
            """;

    /** The players with a fact that stored the limits it was checked against: the only ones whose facts {@link #recompute} reads. */
    private static final String LIMITED_CTE = """
            WITH limited AS (
                SELECT player_id FROM bet WHERE limits_checked IS NOT NULL
                UNION
                SELECT w.player_id FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE l.limits_checked IS NOT NULL)
            """;

    /*
     * Makes (and their discards) of those players, each with the player_seq its accepted answer stored:
     * bet/make and bet/discard are keyed by the make's provider id (BetMakeService, DiscardService).
     */
    private static final String MAKES_SQL = LIMITED_CTE + """
            SELECT b.player_id, b.provider_tx_id, b.state, b.stake, b.usage_day, b.limits_checked::text, mk.player_seq, dc.player_seq
            FROM bet b JOIN limited USING (player_id)
            LEFT JOIN idempotency_record mk ON mk.endpoint = 'bet/make' AND mk.key = b.provider_tx_id AND mk.response_status BETWEEN 200 AND 299
            LEFT JOIN idempotency_record dc ON dc.endpoint = 'bet/discard' AND dc.key = b.provider_tx_id AND dc.response_status BETWEEN 200 AND 299
            WHERE b.usage_day IS NOT NULL OR b.limits_checked IS NOT NULL
            """;

    /* Deposits: ledger key 'deposit:<id>', answer ('operator/deposit', <id>) (OperatorWalletService). */
    private static final String DEPOSITS_SQL = LIMITED_CTE + """
            SELECT w.player_id, l.idempotency_key, l.operation, l.amount, l.usage_day, l.limits_checked::text, i.player_seq
            FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id JOIN limited USING (player_id)
            LEFT JOIN idempotency_record i ON l.operation = 'deposit' AND l.idempotency_key LIKE 'deposit:%'
                AND i.endpoint = 'operator/deposit' AND i.key = substr(l.idempotency_key, length('deposit:') + 1)
                AND i.response_status BETWEEN 200 AND 299
            WHERE l.usage_day IS NOT NULL OR l.limits_checked IS NOT NULL
            """;

    /*
     * Settlements (standing or reversed) with the answer of the callback that decided them. A settlement's
     * id is Callbacks.operatorId(endpoint, provider tx id), a hash: the answer is found by the id its
     * money body names first (Callbacks.moneyBody), and the link is kept only when the hash of the
     * answer's own (endpoint, key) is that id (checked in Java, exactly as the ingress derives it).
     */
    private static final String SETTLEMENTS_SQL = LIMITED_CTE + """
            SELECT b.player_id, s.bet_id, s.id, s.state, s.usage_day, s.usage_wager, s.usage_loss, i.endpoint, i.key, i.player_seq
            FROM settlement s JOIN bet b ON b.id = s.bet_id JOIN limited USING (player_id)
            LEFT JOIN idempotency_record i
                ON i.endpoint = CASE s.kind WHEN 'LOST' THEN 'bet/lost' WHEN 'REFUNDED' THEN 'bet/refund' ELSE 'bet/win' END
                AND i.response_status BETWEEN 200 AND 299 AND substring(i.response_body FROM '^\\{"id":"([^"]*)"') = s.id
            WHERE s.state IN ('ACTIVE', 'ROLLED_BACK')
            """;

    /* Every accepted rollback answer of those players' bets: its money body names the bet (parent_transaction_id). */
    private static final String ROLLBACKS_SQL = LIMITED_CTE + """
            SELECT b.player_id, b.id, i.player_seq
            FROM idempotency_record i
            JOIN bet b ON b.id = substring(i.response_body FROM '"parent_transaction_id":"([^"]*)"')
            JOIN limited USING (player_id)
            WHERE i.endpoint = 'bet/rollback' AND i.response_status BETWEEN 200 AND 299 AND i.player_seq IS NOT NULL
            """;

    private LimitChecks() {
    }

    static List<CheckResult> run(Connection c, int examples, PrintStream notes) throws SQLException {
        List<CheckResult> results = new ArrayList<>();
        CheckResult.Builder usage = CheckResult.builder(USAGE_ROWS, examples);
        Sql.discrepancies(c, USAGE_SQL, usage, rs -> "player " + rs.getString(1) + " " + rs.getString(2) + " " + rs.getObject(3, LocalDate.class)
                + ": " + (rs.getObject(4) == null ? "no usage row"
                        : "usage row wager " + rs.getLong(4) + ", loss " + rs.getLong(5) + ", deposit " + rs.getLong(6))
                + ", but its " + rs.getLong(10) + " facts book wager " + rs.getLong(7) + ", loss " + rs.getLong(8) + ", deposit " + rs.getLong(9));
        Sql.discrepancies(c, SETTLEMENT_RULE_SQL, usage, rs -> "settlement " + rs.getString(1) + " (" + rs.getString(2) + " " + rs.getLong(3)
                + ", player " + rs.getString(6) + ") stored usage wager " + rs.getLong(4) + ", loss " + rs.getLong(5) + ", but its kind books wager "
                + rs.getLong(7) + ", loss " + rs.getLong(8));
        results.add(usage.build());

        CheckResult.Builder within = CheckResult.builder(WITHIN_LIMITS, examples);
        Recomputed r = recompute(c, within);
        notes.println("reconcile: limits: " + r.checked() + " stored usages after an accepted make or deposit, " + r.recomputed()
                + " recomputed from the facts in player_seq order, " + r.skipped() + " not (" + r.reasons() + ")");
        results.add(within.build());
        return results;
    }

    /** How many stored usages after were compared with their limit, how many were also recomputed, and why the others were not. */
    record Recomputed(long checked, long recomputed, long skipped, String reasons) {
    }

    /** A period of a player: (period, period_start), day, week (ISO, from Monday) or month, as usage_periods(day) computes it. */
    record Period(String period, LocalDate start) {
        static Period of(String period, LocalDate day) {
            return switch (period) {
                case "day" -> new Period(period, day);
                case "week" -> new Period(period, day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
                case "month" -> new Period(period, day.withDayOfMonth(1));
                default -> throw new IllegalArgumentException(period);
            };
        }
    }

    /** One booking: its deltas, booked to the periods of {@code day}, at the wallet's {@code seq}. */
    private record Fact(String id, long seq, LocalDate day, long wager, long loss, long deposit) {
    }

    /** An accepted fact's stored limits_checked: the fact's own booking is {@code self}. */
    private record Checked(String what, String self, Long seq, LocalDate day, String json, List<String> kinds) {
    }

    /** One player's facts, what they stored, and the periods whose order of facts is not known. */
    private static final class Player {
        final List<Fact> facts = new ArrayList<>();
        final List<Checked> checked = new ArrayList<>();
        /** Period -> why its facts cannot be put in player_seq order. */
        final Map<Period, String> unordered = new HashMap<>();
        final Map<String, Map<String, Settled>> settlementsByBet = new HashMap<>();
        final Map<String, Set<Long>> rollbackSeqsByBet = new HashMap<>();

        /** A booking of deltas at {@code seq}; a booking of nothing needs no place in the order. */
        void book(String id, Long seq, LocalDate day, long wager, long loss, long deposit, String unknownWhy) {
            if (day == null || (wager == 0 && loss == 0 && deposit == 0)) {
                return;
            }
            if (seq == null) {
                unorder(day, unknownWhy);
                return;
            }
            facts.add(new Fact(id, seq, day, wager, loss, deposit));
        }

        void unorder(LocalDate day, String why) {
            for (String period : Limits.PERIODS) {
                unordered.putIfAbsent(Period.of(period, day), why);
            }
        }
    }

    /** A standing or reversed settlement with the player_seq of its answer (null: none linked). */
    private record Settled(String id, String state, LocalDate day, long wager, long loss, Long seq) {
    }

    /**
     * {@code accepted-within-limits}. Each stored {@code [limit, usage after]} must have usage after <=
     * limit. Then the usage after is recomputed: the player's facts are placed in the order their
     * wallet decided them, by the {@code player_seq} their accepted answers stored (one CASH wallet
     * per player, and every booking is made under its row lock, after the player_seq advance: so
     * player_seq order is booking order), and the facts booked to the period up to and including
     * the make or deposit must add up to what it stored:
     * <ul>
     * <li>a make at its bet/make answer; its discard (a DISCARDED bet), the negation, at its
     * bet/discard answer;</li>
     * <li>a settlement at its bet/win, bet/lost or bet/refund answer;</li>
     * <li>a deposit at its operator/deposit answer;</li>
     * <li>the rollback of a ROLLED_BACK settlement, the negation: a rollback answer names only its
     * bet, not the settlement it reversed, and one that reversed nothing (an unknown or older parent)
     * is answered too, at the player_seq it read. But a rollback only reverses its bet's latest
     * settlement while the bet is settled, and a settlement only comes to an OPEN bet, both under
     * the bet row's lock taken before the wallet's: so the reversal of a bet's settlement s comes
     * after s and before the bet's next settlement, and its answer is among the bet's rollback
     * answers with a player_seq in that window. When every rollback answer of the bet in that window
     * stored one same player_seq, that is the reversal's; when they differ (a rollback that reversed
     * nothing, answered in the window at another player_seq), the reversal is not placed.</li>
     * </ul>
     * A period with a booking that could not be placed (no answer with a player_seq, a settlement
     * whose answer's operator id is not its id, a rollback not placed) or with another fact at the
     * stored fact's own player_seq is not recomputed; those are counted in the note, not as
     * discrepancies. Reads only the facts of players with a stored limits_checked, held in memory.
     */
    static Recomputed recompute(Connection c, CheckResult.Builder check) throws SQLException {
        Map<String, Player> players = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(MAKES_SQL)) {
            ps.setFetchSize(Sql.FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Player p = players.computeIfAbsent(rs.getString(1), k -> new Player());
                    String tx = rs.getString(2);
                    long stake = rs.getLong(4);
                    LocalDate day = rs.getObject(5, LocalDate.class);
                    Long makeSeq = (Long) rs.getObject(7);
                    p.book("make " + tx, makeSeq, day, stake, stake, 0, "a make without a bet/make answer with a player_seq");
                    if ("DISCARDED".equals(rs.getString(3))) {
                        p.book("discard " + tx, (Long) rs.getObject(8), day, -stake, -stake, 0,
                                "a discard without a bet/discard answer with a player_seq");
                    }
                    if (rs.getString(6) != null) {
                        p.checked.add(new Checked("make " + tx, "make " + tx, makeSeq, day, rs.getString(6), BetMake.LIMIT_KINDS));
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(DEPOSITS_SQL)) {
            ps.setFetchSize(Sql.FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Player p = players.computeIfAbsent(rs.getString(1), k -> new Player());
                    String key = rs.getString(2);
                    LocalDate day = rs.getObject(5, LocalDate.class);
                    Long seq = (Long) rs.getObject(7);
                    p.book(key, seq, day, 0, 0, rs.getLong(4), "a deposit without an operator/deposit answer with a player_seq");
                    if (rs.getString(6) != null) {
                        List<String> kinds = "deposit".equals(rs.getString(3)) ? Limits.DEPOSIT_KINDS : List.of();
                        p.checked.add(new Checked(key, key, seq, day, rs.getString(6), kinds));
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(SETTLEMENTS_SQL)) {
            ps.setFetchSize(Sql.FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Player p = players.computeIfAbsent(rs.getString(1), k -> new Player());
                    String id = rs.getString(3);
                    String endpoint = rs.getString(8);
                    String key = rs.getString(9);
                    // The link by the body's id stands only when the answer's own key derives that id (Callbacks.operatorId).
                    Long seq = key != null && CloudEventJson.stableId(endpoint, key).equals(id) ? (Long) rs.getObject(10) : null;
                    Settled s = new Settled(id, rs.getString(4), rs.getObject(5, LocalDate.class), rs.getLong(6), rs.getLong(7), seq);
                    // Two answers naming one settlement: neither is known to be its.
                    p.settlementsByBet.computeIfAbsent(rs.getString(2), k -> new LinkedHashMap<>()).merge(id, s,
                            (a, b) -> new Settled(id, a.state(), a.day(), a.wager(), a.loss(), null));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(ROLLBACKS_SQL)) {
            ps.setFetchSize(Sql.FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Player p = players.get(rs.getString(1));
                    if (p != null) {
                        p.rollbackSeqsByBet.computeIfAbsent(rs.getString(2), k -> new TreeSet<>()).add(rs.getLong(3));
                    }
                }
            }
        }
        long checked = 0;
        long recomputed = 0;
        Map<String, Long> skippedWhy = new LinkedHashMap<>();
        for (Map.Entry<String, Player> e : players.entrySet()) {
            Player p = e.getValue();
            placeSettlements(p);
            // One walk in player_seq order: each period's running usage after every fact up to the stored one's player_seq.
            p.facts.sort(Comparator.comparingLong(Fact::seq));
            p.checked.sort(Comparator.comparing(Checked::seq, Comparator.nullsFirst(Comparator.naturalOrder())));
            Map<Long, List<Fact>> bySeq = new HashMap<>();
            p.facts.forEach(f -> bySeq.computeIfAbsent(f.seq(), k -> new ArrayList<>(1)).add(f));
            Map<Period, long[]> running = new HashMap<>();
            int next = 0;
            for (Checked fact : p.checked) {
                for (; fact.seq() != null && next < p.facts.size() && p.facts.get(next).seq() <= fact.seq(); next++) {
                    Fact f = p.facts.get(next);
                    for (String period : Limits.PERIODS) {
                        long[] used = running.computeIfAbsent(Period.of(period, f.day()), k -> new long[3]);
                        used[0] += f.wager();
                        used[1] += f.loss();
                        used[2] += f.deposit();
                    }
                }
                for (Stored stored : parse(e.getKey(), fact, check)) {
                    checked++;
                    if (stored.after() > stored.limit()) {
                        check.add(fact.what() + " (player " + e.getKey() + "): " + stored.period() + " " + stored.kind() + " usage after "
                                + stored.after() + " above its limit " + stored.limit());
                    }
                    String why = whyNotRecomputed(p, fact, stored.period(), bySeq);
                    if (why != null) {
                        skippedWhy.merge(why, 1L, Long::sum);
                        continue;
                    }
                    recomputed++;
                    Period period = Period.of(stored.period(), fact.day());
                    long[] used = running.getOrDefault(period, new long[3]);
                    long sum = used[Limits.KINDS.indexOf(stored.kind())];
                    if (sum != stored.after()) {
                        check.add(fact.what() + " (player " + e.getKey() + ", player_seq " + fact.seq() + "): " + stored.period() + " "
                                + period.start() + " " + stored.kind() + " usage after " + stored.after()
                                + " stored, but the facts booked to it up to its player_seq add up to " + sum);
                    }
                }
            }
        }
        long skipped = skippedWhy.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder reasons = new StringBuilder();
        Iterator<Map.Entry<String, Long>> it = skippedWhy.entrySet().iterator();
        for (int i = 0; it.hasNext() && i < 3; i++) {
            Map.Entry<String, Long> w = it.next();
            reasons.append(i == 0 ? "" : "; ").append(w.getValue()).append(" as ").append(w.getKey());
        }
        if (it.hasNext()) {
            reasons.append("; ...");
        }
        return new Recomputed(checked, recomputed, skipped, skipped == 0 ? "none skipped" : reasons.toString());
    }

    /**
     * Books each bet's settlements at their answers' player_seq and the reversal of each ROLLED_BACK one
     * at the one player_seq of the bet's rollback answers in its window (see {@link #recompute}).
     */
    private static void placeSettlements(Player p) {
        for (Map.Entry<String, Map<String, Settled>> e : p.settlementsByBet.entrySet()) {
            List<Settled> ofBet = List.copyOf(e.getValue().values());
            Set<Long> rollbacks = p.rollbackSeqsByBet.getOrDefault(e.getKey(), Set.of());
            for (Settled s : ofBet) {
                p.book("settlement " + s.id(), s.seq(), s.day(), s.wager(), s.loss(), 0,
                        "a settlement without an answer of its own operator id with a player_seq");
                if (!"ROLLED_BACK".equals(s.state()) || s.day() == null || (s.wager() == 0 && s.loss() == 0)) {
                    continue;
                }
                if (s.seq() == null) {
                    p.unorder(s.day(), "the rollback of a settlement itself not placed");
                    continue;
                }
                // The window ends at the bet's next settlement (unbounded when that one's place is unknown, or there is none).
                long next = Long.MAX_VALUE;
                for (Settled o : ofBet) {
                    if (o.seq() == null) {
                        next = Long.MAX_VALUE;
                        break;
                    }
                    if (o.seq() > s.seq() && o.seq() < next) {
                        next = o.seq();
                    }
                }
                Set<Long> inWindow = new HashSet<>();
                for (long r : rollbacks) {
                    if (r > s.seq() && r < next) {
                        inWindow.add(r);
                    }
                }
                if (inWindow.size() != 1) {
                    p.unorder(s.day(), inWindow.isEmpty() ? "no rollback answer of its bet after a ROLLED_BACK settlement"
                            : "rollback answers of its bet at several player_seq after a ROLLED_BACK settlement");
                    continue;
                }
                p.book("rollback of " + s.id(), inWindow.iterator().next(), s.day(), -s.wager(), -s.loss(), 0, null);
            }
        }
    }

    /** Why a stored usage after cannot be recomputed, or null when it can. */
    private static String whyNotRecomputed(Player p, Checked fact, String period, Map<Long, List<Fact>> bySeq) {
        if (fact.day() == null) {
            return "a fact with limits_checked and no usage_day";
        }
        if (fact.seq() == null) {
            return "a fact with limits_checked without an answer with a player_seq";
        }
        Period own = Period.of(period, fact.day());
        String why = p.unordered.get(own);
        if (why != null) {
            return "a fact in its period not placed in player_seq order: " + why;
        }
        for (Fact f : bySeq.getOrDefault(fact.seq(), List.of())) {
            if (!f.id().equals(fact.self()) && Period.of(period, f.day()).equals(own)) {
                return "another fact of its period at its own player_seq";
            }
        }
        return null;
    }

    /** One stored [limit, usage after] of {@code kind} in {@code period}. */
    private record Stored(String period, String kind, long limit, long after) {
    }

    /**
     * The stored pairs of a fact's limits_checked ({@code {"day": {"wager": [limit, after], ...}, ...}}, Limits.checked): a
     * period other than day, week or month, a kind the fact is not checked against, or a pair that is not two integers is a
     * discrepancy of its own.
     */
    private static List<Stored> parse(String player, Checked fact, CheckResult.Builder check) {
        List<Stored> out = new ArrayList<>();
        JsonNode root;
        try {
            root = CloudEventJson.mapper().readTree(fact.json());
        } catch (Exception e) {
            root = null;
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            check.add(fact.what() + " (player " + player + "): limits_checked " + fact.json() + " is not {period: {kind: [limit, usage after]}}");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> periods = root.fields(); periods.hasNext();) {
            Map.Entry<String, JsonNode> period = periods.next();
            if (!Limits.PERIODS.contains(period.getKey()) || !period.getValue().isObject()) {
                check.add(fact.what() + " (player " + player + "): limits_checked names period " + period.getKey() + ": " + fact.json());
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> kinds = period.getValue().fields(); kinds.hasNext();) {
                Map.Entry<String, JsonNode> kind = kinds.next();
                JsonNode pair = kind.getValue();
                if (!fact.kinds().contains(kind.getKey()) || !pair.isArray() || pair.size() != 2 || !pair.get(0).isIntegralNumber()
                        || !pair.get(1).isIntegralNumber() || !pair.get(0).canConvertToLong() || !pair.get(1).canConvertToLong()) {
                    check.add(fact.what() + " (player " + player + "): limits_checked " + period.getKey() + " " + kind.getKey() + " "
                            + pair + " is no [limit, usage after] of a kind it is checked against " + fact.kinds());
                    continue;
                }
                out.add(new Stored(period.getKey(), kind.getKey(), pair.get(0).asLong(), pair.get(1).asLong()));
            }
        }
        return out;
    }
}
