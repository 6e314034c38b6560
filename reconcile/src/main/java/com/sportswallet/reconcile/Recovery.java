package com.sportswallet.reconcile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.outbox.SystemAlert;

/**
 * {@code scripts/reconcile --recovery}: what a point-in-time restore of the database owes the record
 * topic before traffic resumes (docs/ARCHITECTURE.md, "What a restore to an earlier point means for
 * Kafka"). Kafka is not rolled back: {@code wallet.events} still holds the facts published after the
 * recovery point, numbered with {@code player_seq} and {@code sequence} (the wallet version) values
 * the restored wallets have not reached yet. If traffic resumed as it is, new facts would reuse those
 * numbers, and consumers that dedupe by (player, player_seq) would drop them.
 *
 * <p>One pass over the topic (from the beginning, up to its end offsets at the start) against the
 * restored database's CASH wallets gives, per player:
 * <ul>
 * <li><b>a raise</b>, for a wallet whose counters are below the topic's highest values: the SQL sets
 * {@code player_seq} and {@code version} to them, guarded by the values read here (a wallet that
 * moved since is left alone, and the final check then fails the whole transaction), and records the
 * skipped versions in {@code wallet_version_gap} (V12), which ledger-versions accepts;</li>
 * <li><b>a re-creation</b>, for a player no wallet row names whose latest fact on the topic is at or
 * after the recovery point (registered after it, so gone with the restore): the player and an empty
 * CASH wallet of the facts' currency, with the counters raised the same way;</li>
 * <li><b>left alone</b>, a player no wallet row names whose facts all precede the recovery point
 * (removed benchmark fixtures, another producer): counted, not touched;</li>
 * <li><b>lost facts</b>: each fact (one per event id) with a player_seq above the restored wallet's
 * counter, or of a re-created player, inserted into {@code lost_fact} (V12) with the record itself:
 * the list the operator settles with the provider, and what reconcile's available-after,
 * answered-balance and decision-events leave out afterwards.</li>
 * </ul>
 * The SQL is one transaction, to apply with every service stopped; applied twice it changes nothing,
 * and a second plan made after it is empty. Records without a {@code player_seq}, malformed ones and
 * the {@code _system} alerts are skipped. Memory: per player on the topic about 150 bytes; per lost
 * fact its record, at most {@code lostFactsMax} of them (more means this is not the restore it was
 * said to be: the plan fails instead of printing a migration of the whole topic).
 */
final class Recovery {
    /** Lost facts one plan holds (each with its record, about 1 KB) unless --lost-facts-max says otherwise. */
    static final int LOST_FACTS_MAX_DEFAULT = 100_000;
    static final int LOST_FACTS_MAX_LIMIT = 2_000_000;
    private static final String WALLETS_SQL = "SELECT id, player_id, player_seq, version FROM wallet WHERE kind = 'CASH'";
    private static final int FETCH_SIZE = 10_000;

    /** A restored CASH wallet's counters, as read. */
    record Wallet(long id, String player, long playerSeq, long version) {
    }

    /** The highest values one player's facts carry on the topic. */
    static final class Seen {
        long playerSeq;
        long sequence;
        String currency;
        String latestOccurredAt = "";
    }

    /** A fact the restored database no longer holds. */
    record LostFact(String eventId, String player, String type, long playerSeq, Long amount, String currency, String occurredAt,
            String record) {
    }

    /** A wallet to raise: from the counters read to the topic's highest values (each at least what it was). */
    record Raise(Wallet wallet, long playerSeq, long version) {
    }

    /** A player to re-create with an empty wallet and these counters. */
    record Recreate(String player, String currency, long playerSeq, long version) {
    }

    /** Everything the plan found; {@link #sql} writes it as one transaction. */
    record Plan(Instant recoveryPoint, String topic, long records, List<Raise> raises, List<Recreate> recreates,
            List<String> leftAlone, List<LostFact> lostFacts, long lostBeforeRecoveryPoint) {

        boolean empty() {
            return raises.isEmpty() && recreates.isEmpty() && lostFacts.isEmpty();
        }

        /** One line: what the SQL does and what it leaves. */
        String summary() {
            return "recovery from " + topic + " (" + records + " records), recovery point " + recoveryPoint + ": " + raises.size()
                    + " wallets raised, " + recreates.size() + " players re-created, " + lostFacts.size() + " lost facts"
                    + (lostBeforeRecoveryPoint > 0 ? " (" + lostBeforeRecoveryPoint
                            + " of them occurred BEFORE the recovery point: the restore is older than said, or those facts were lost otherwise)"
                            : "")
                    + ", " + leftAlone.size() + " players unknown to the database with no fact since the recovery point left alone";
        }
    }

    private final Instant recoveryPoint;
    private final int lostFactsMax;
    private final Map<String, Wallet> wallets = new HashMap<>();
    private final Map<String, Seen> seen = new HashMap<>();
    private final Map<String, LostFact> lost = new LinkedHashMap<>();
    private long records;

    Recovery(Instant recoveryPoint, int lostFactsMax) {
        this.recoveryPoint = recoveryPoint;
        this.lostFactsMax = lostFactsMax;
    }

    /** The plan for the restored database {@code db} against {@code topic} ({@code wallet.events}). */
    static Plan plan(Connection db, String bootstrap, String topic, Instant recoveryPoint, int lostFactsMax)
            throws SQLException, ReconcileException {
        Recovery r = new Recovery(recoveryPoint, lostFactsMax);
        // The wallets are read once the end offsets are captured: every record the pass reads was published before.
        TopicReader.readBytes(bootstrap, topic, Map.of(), () -> {
            try {
                r.wallets.putAll(loadWallets(db));
            } catch (SQLException e) {
                throw new ReconcileException("database: " + e.getMessage(), e);
            }
        }, rec -> r.record(string(rec.key()), string(rec.value())));
        return r.plan(topic);
    }

    private static String string(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    static Map<String, Wallet> loadWallets(Connection db) throws SQLException {
        Map<String, Wallet> wallets = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement(WALLETS_SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Wallet w = new Wallet(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4));
                    wallets.put(w.player(), w);
                }
            }
        }
        return wallets;
    }

    /** One record of the topic, in partition and offset order. */
    void record(String key, String value) throws ReconcileException {
        records++;
        JsonNode event;
        try {
            event = value == null ? null : CloudEventJson.mapper().readTree(value);
        } catch (IOException e) {
            return; // malformed: events-order reports it
        }
        if (event == null || !event.isObject() || SystemAlert.SYSTEM_KEY.equals(key)) {
            return;
        }
        JsonNode data = event.path("data");
        JsonNode seqNode = data.get("player_seq");
        String player = event.path("subject").asText(null);
        String id = event.path("id").asText(null);
        if (seqNode == null || !seqNode.canConvertToLong() || player == null || id == null || !player.equals(key)) {
            return; // before player_seq existed, or malformed (events-order reports those)
        }
        long seq = seqNode.asLong();
        Seen s = seen.computeIfAbsent(player, p -> new Seen());
        s.playerSeq = Math.max(s.playerSeq, seq);
        JsonNode sequence = data.get("sequence");
        if (sequence != null && sequence.canConvertToLong()) {
            s.sequence = Math.max(s.sequence, sequence.asLong());
        }
        String currency = data.path("currency").asText(null);
        if (s.currency == null && currency != null) {
            s.currency = currency;
        }
        String occurredAt = data.path("occurred_at").asText("");
        if (occurredAt.compareTo(s.latestOccurredAt) > 0) {
            s.latestOccurredAt = occurredAt; // ISO-8601 UTC instants ("...Z") order as strings
        }
        Wallet w = wallets.get(player);
        if ((w == null || seq > w.playerSeq()) && !lost.containsKey(id)) {
            if (lost.size() >= lostFactsMax) {
                throw new ReconcileException("more than " + lostFactsMax + " facts on the topic are beyond the database's counters:"
                        + " is this database a restore of the one that published them? (raise --lost-facts-max if it is)");
            }
            JsonNode amount = data.get("amount");
            lost.put(id, new LostFact(id, player, event.path("type").asText(""), seq,
                    amount != null && amount.canConvertToLong() ? amount.asLong() : null, currency, occurredAt, value));
        }
    }

    Plan plan(String topic) {
        List<Raise> raises = new ArrayList<>();
        List<Recreate> recreates = new ArrayList<>();
        List<String> leftAlone = new ArrayList<>();
        for (Map.Entry<String, Seen> e : new TreeMap<>(seen).entrySet()) {
            Seen s = e.getValue();
            Wallet w = wallets.get(e.getKey());
            if (w != null) {
                if (s.playerSeq > w.playerSeq() || s.sequence > w.version()) {
                    raises.add(new Raise(w, Math.max(w.playerSeq(), s.playerSeq), Math.max(w.version(), s.sequence)));
                }
            } else if (after(s.latestOccurredAt) && s.currency != null) {
                recreates.add(new Recreate(e.getKey(), s.currency, s.playerSeq, s.sequence));
            } else {
                leftAlone.add(e.getKey());
            }
        }
        Set<String> alone = new HashSet<>(leftAlone);
        List<LostFact> facts = lost.values().stream().filter(f -> !alone.contains(f.player())).toList();
        long before = facts.stream().filter(f -> !after(f.occurredAt())).count();
        return new Plan(recoveryPoint, topic, records, raises, recreates, leftAlone, facts, before);
    }

    /** Whether an event's occurred_at is at or after the recovery point (an unreadable one counts as after: nothing is dropped). */
    private boolean after(String occurredAt) {
        try {
            return !Instant.parse(occurredAt).isBefore(recoveryPoint);
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    // ------------------------------------------------------------------ the SQL

    /** Writes the plan as one transaction for psql (-v ON_ERROR_STOP=1): raises, re-creations, lost facts, then a check of all of it. */
    static void sql(Plan p, String generatedFrom, PrintStream out) {
        String reason = "restore to " + p.recoveryPoint() + ": versions published on " + p.topic() + " after it";
        out.println("-- scripts/reconcile --recovery: " + p.summary());
        out.println("-- made from " + generatedFrom + " at " + Instant.now());
        out.println("-- Apply with every service stopped: psql -v ON_ERROR_STOP=1 -d wallet -f THIS_FILE; then reset the worker's group");
        out.println("-- to the end of settlement.commands (scripts/replay settlement-worker --to-latest) and start the services.");
        out.println("SET standard_conforming_strings = on;");
        out.println("BEGIN;");
        for (Raise r : p.raises()) {
            Wallet w = r.wallet();
            out.println("-- player " + w.player() + ": the topic reaches player_seq " + r.playerSeq() + ", sequence " + r.version()
                    + "; the wallet " + w.playerSeq() + ", " + w.version());
            String update = "UPDATE wallet SET player_seq = " + r.playerSeq() + ", version = " + r.version() + ", updated_at = now() WHERE id = "
                    + w.id() + " AND player_seq = " + w.playerSeq() + " AND version = " + w.version();
            withGap(update, w.version() + 1, r.version(), reason, out);
        }
        for (Recreate c : p.recreates()) {
            out.println("-- player " + c.player() + ": registered after the recovery point; re-created empty, at player_seq " + c.playerSeq()
                    + ", sequence " + c.version());
            out.println("INSERT INTO player (id) VALUES (" + literal(c.player()) + ") ON CONFLICT DO NOTHING;");
            String insert = "INSERT INTO wallet (player_id, currency, player_seq, version) VALUES (" + literal(c.player()) + ", "
                    + literal(c.currency()) + ", " + c.playerSeq() + ", " + c.version() + ") ON CONFLICT DO NOTHING";
            withGap(insert, 1, c.version(), reason, out);
        }
        for (LostFact f : p.lostFacts()) {
            out.println("INSERT INTO lost_fact (event_id, player_id, type, player_seq, amount, currency, occurred_at, event, recovery_point)"
                    + " VALUES (" + literal(f.eventId()) + ", " + literal(f.player()) + ", " + literal(f.type()) + ", " + f.playerSeq()
                    + ", " + (f.amount() == null ? "NULL" : f.amount()) + ", " + literal(f.currency()) + ", " + literal(f.occurredAt())
                    + ", " + literal(f.record()) + "::jsonb, " + literal(p.recoveryPoint().toString()) + ") ON CONFLICT DO NOTHING;");
        }
        verification(p, out);
        out.println("COMMIT;");
    }

    /**
     * {@code statement} (an update or insert of one wallet row), and when it skips versions {@code from..to}, their gap
     * recorded for the wallet row it wrote, in the same statement: no row written, no gap.
     */
    private static void withGap(String statement, long from, long to, String reason, PrintStream out) {
        if (to < from) {
            out.println(statement + ";");
            return;
        }
        out.println("WITH written AS (" + statement + " RETURNING id)");
        out.println("INSERT INTO wallet_version_gap (wallet_id, from_version, to_version, reason) SELECT id, " + from + ", " + to + ", "
                + literal(reason) + " FROM written;");
    }

    /** A DO block that fails the transaction unless every wallet planned now has at least the planned counters. */
    private static void verification(Plan p, PrintStream out) {
        List<String> rows = new ArrayList<>();
        p.raises().forEach(r -> rows.add("(" + literal(r.wallet().player()) + ", " + r.playerSeq() + ", " + r.version() + ")"));
        p.recreates().forEach(c -> rows.add("(" + literal(c.player()) + ", " + c.playerSeq() + ", " + c.version() + ")"));
        if (rows.isEmpty()) {
            return;
        }
        out.println("-- Every wallet above has at least its planned counters now; else one moved since the plan: nothing is applied.");
        out.println("DO $recovery$ BEGIN");
        out.println("  IF EXISTS (SELECT 1 FROM (VALUES");
        for (int i = 0; i < rows.size(); i++) {
            out.println("      " + rows.get(i) + (i + 1 < rows.size() ? "," : ""));
        }
        out.println("    ) AS plan(player_id, player_seq, version)");
        out.println("    LEFT JOIN wallet w ON w.player_id = plan.player_id AND w.kind = 'CASH'");
        out.println("    WHERE w.id IS NULL OR w.player_seq < plan.player_seq OR w.version < plan.version) THEN");
        out.println("    RAISE EXCEPTION 'recovery: a wallet changed since this plan was made; run scripts/reconcile --recovery again';");
        out.println("  END IF;");
        out.println("END $recovery$;");
    }

    /** A SQL string literal (standard_conforming_strings on: only the quote is doubled); NULL for null. */
    static String literal(String s) {
        if (s == null) {
            return "NULL";
        }
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a NUL character cannot be in a SQL literal");
        }
        return "'" + s.replace("'", "''") + "'";
    }

    /** The lost facts for a human: one line each (event id, type, player, player_seq, amount, currency, occurred_at), at most {@code max}. */
    static void listLostFacts(Plan p, int max, PrintStream out) {
        int n = 0;
        for (LostFact f : p.lostFacts()) {
            if (n++ == max) {
                out.println("reconcile: ... and " + (p.lostFacts().size() - max) + " more lost facts (all of them are in the SQL, and in"
                        + " lost_fact once applied)");
                return;
            }
            out.println("reconcile: lost fact " + f.eventId() + " " + f.type() + " player " + f.player() + " player_seq " + f.playerSeq()
                    + " amount " + f.amount() + " " + f.currency() + " occurred_at " + f.occurredAt());
        }
    }
}
