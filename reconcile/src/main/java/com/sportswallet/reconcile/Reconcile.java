package com.sportswallet.reconcile;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import com.sportswallet.contracts.Topics;
import com.sportswallet.worker.settlement.SettlementConsumer;

/**
 * Reconciles the wallet against PostgreSQL and Kafka after a load (issue 6), and prints one line
 * per check ({@code check NAME: ok} or {@code check NAME: N discrepancies}, then up to
 * {@code --examples} of them), then {@code discrepancies: N}. Exit 0 iff N = 0; 1 when it found
 * discrepancies; 2 for bad options, a bad log, or a database or broker that does not answer.
 *
 * <p>The checks, in the order printed:
 * <ol>
 * <li>{@code wallet-balance}, {@code wallet-pending}, {@code ledger-versions},
 * {@code ledger-running-balance}, {@code no-overdraft}, {@code write-off} ({@link LedgerChecks}): balance =
 * sum of the ledger, pending = sum of the PENDING credits, versions 1..version without a gap, each
 * balance_after = the previous one + amount, no debit other than a rollback left a balance below zero
 * (the house's write-off accounts are negative by design), every absorbed rollback shortfall written
 * off once on the house's account of its currency, and those accounts holding nothing else;</li>
 * <li>{@code bets-debited-once}, {@code credits-applied-once}, {@code rollbacks-reversed-once},
 * {@code credits-pending}, {@code outbox-drained} ({@link MoneyFactChecks}): the ledger against
 * the bets, credits and settlements that moved money; nothing owed by the pipeline;</li>
 * <li>{@code credits-match-decisions}, {@code bet-states} ({@link DecisionChecks}): every credit
 * of the amount, bet and wallet of the decision that created it (a win or refund settlement, a
 * discard's stake) and every such decision with its credit; every bet's state agrees with its
 * settlements (one ACTIVE settlement of its kind when settled, none when OPEN or DISCARDED);</li>
 * <li>{@code bonus-bindings}, {@code grant-totals} ({@link BonusChecks}): every USED or DONE bonus
 * bound to exactly one bet, which names it; every grant's entries recorded or counted as rejected,
 * every GRANTED player holding that grant's bonus, every bonus a GRANTED player's; {@code promotion-claims}:
 * no promotion with more claims than claims_max (or slots other than claims_max), every claim in the
 * promotion's grant and every player of that grant a claim's;</li>
 * <li>{@code usage-rows-equal-their-facts}, {@code accepted-within-limits} ({@link LimitChecks}): every
 * limit usage row (player, period, start) is the sum of the facts booked to it (makes not discarded,
 * standing settlements, deposits) and no facts add up to non-zero without a row, each settlement
 * having stored what its kind books; every accepted make
 * and deposit stored usages after it within the limits it was checked against, each equal to the sum
 * of the facts of its period up to its place in the player's {@code player_seq} order (periods whose
 * facts cannot all be placed are counted in a note, not recomputed);</li>
 * <li>{@code settlement-commands}, {@code ledger-events} ({@link KafkaChecks}): every command
 * matched by a decided credit (and every credit commanded), every ledger entry's event on
 * {@code wallet.events} (players' wallets: the house's write-off accounts have no events);</li>
 * <li>{@code decision-events} ({@link DecisionEventChecks}): every decision (won, lost, refunded,
 * discarded, rolled-back) on {@code wallet.events} once, under its fact's stable id; each reversed
 * settlement on exactly one rolled-back event, which agrees with its credit and debit;</li>
 * <li>{@code player-seq} ({@link PlayerSeqChecks}): each player's {@code player_seq} values on
 * {@code wallet.events} are exactly 1..the wallet's counter, one event each;</li>
 * <li>{@code available-after}, {@code answered-balance} ({@link AvailableChecks}): the available
 * balance each decision event states ({@code available_after}) and each stored answer answered
 * ({@code balance}, at the answer's {@code player_seq}) is the running sum of the player's
 * {@code wallet.events} deltas up to that player_seq (the same pass over the topic);</li>
 * <li>{@code dlq-explained} ({@link DlqChecks}): the dead-letter topics are empty, or a
 * {@code wallet.alert} names each of their records ({@code data.dlq_event_id}, {@code credit_id} or
 * {@code dlq_source});</li>
 * <li>{@code consumer-lag} ({@link KafkaChecks}): the worker's and the notifier's groups at the end
 * of their topics;</li>
 * <li>{@code events-order}, {@code commands-order} ({@link OrderCheck}): each player's records on
 * {@code wallet.events} and {@code settlement.commands} in player_seq order (and wallet
 * {@code sequence} order), each event id under one body, every record a CloudEvent under its
 * subject's key; byte-identical re-sends are duplicates, not discrepancies. With
 * {@code --checkpoint FILE} these two read from where the previous run stopped and store where
 * they stop; {@code --only order} runs them alone ({@link #runOrder});</li>
 * <li>with {@code --log}: {@code log-effects} ({@link LogChecks}): every callback of a loadgen log
 * had exactly the effect, or the refusal, the protocol gives it.</li>
 * </ol>
 *
 * <p>First it waits, at most {@code --wait-seconds}, until the outbox is drained, no credit is
 * PENDING and both groups' lag is 0 (the pipeline settling after a load); then it checks whatever
 * it finds. The database checks read one snapshot (a REPEATABLE READ, READ ONLY transaction);
 * Kafka is read afterwards, up to the end offsets of that moment, so everything the snapshot
 * holds and the relays had published is seen. Run it once the load has stopped: facts committed
 * while it runs may show as passing discrepancies.
 */
public final class Reconcile {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PROGRESS = Duration.ofSeconds(5);
    private static final int ADMIN_TIMEOUT_MS = 15_000;
    /** Days x currencies of bonus cost printed (a year of one currency; older days are left out). */
    static final int BONUS_COST_ROWS_MAX = 366;

    /**
     * What to check and how long to wait.
     *
     * @param bootstrapServers Kafka
     * @param log              a loadgen log to check callback by callback, or null
     * @param waitMax          longest wait for outbox drained, no PENDING credit, lag 0
     * @param workerGroup      the settlement-worker's consumer group (of {@code commandsTopic})
     * @param notifierGroup    the notifier's consumer group, its Kafka Streams application.id (of {@code eventsTopic})
     * @param commandsTopic    {@code settlement.commands}
     * @param eventsTopic      {@code wallet.events}
     * @param dlqTopics        the dead-letter topics ({@code settlement.commands.dlq}, {@code crm.webhook.dlq})
     * @param examples         discrepancies described per check
     * @param checkpoint       the order checks' checkpoint file ({@link OrderCheckpoint}): read from when it exists, written at the
     *                         end; null: the order checks read both topics from the beginning and store nothing
     * @param orderIdsMax      event ids each order check remembers to tell re-sends from conflicts ({@link SeenIds})
     */
    public record Options(String bootstrapServers, Path log, Duration waitMax, String workerGroup, String notifierGroup,
            String commandsTopic, String eventsTopic, List<String> dlqTopics, int examples, Path checkpoint, long orderIdsMax) {

        public static final String NOTIFIER_GROUP = "notifier";

        public Options {
            dlqTopics = List.copyOf(dlqTopics);
        }

        public static Options defaults(String bootstrapServers) {
            return new Options(bootstrapServers, null, Duration.ofSeconds(60), SettlementConsumer.GROUP_ID, NOTIFIER_GROUP,
                    Topics.SETTLEMENT_COMMANDS, Topics.WALLET_EVENTS, List.of(Topics.SETTLEMENT_COMMANDS_DLQ, Topics.CRM_WEBHOOK_DLQ), 10,
                    null, OrderCheck.IDS_MAX_DEFAULT);
        }

        public Options withLog(Path file) {
            return new Options(bootstrapServers, file, waitMax, workerGroup, notifierGroup, commandsTopic, eventsTopic, dlqTopics, examples,
                    checkpoint, orderIdsMax);
        }

        public Options withWait(Duration d) {
            return new Options(bootstrapServers, log, d, workerGroup, notifierGroup, commandsTopic, eventsTopic, dlqTopics, examples,
                    checkpoint, orderIdsMax);
        }

        public Options withGroups(String worker, String notifier) {
            return new Options(bootstrapServers, log, waitMax, worker, notifier, commandsTopic, eventsTopic, dlqTopics, examples,
                    checkpoint, orderIdsMax);
        }

        /** Other topics in place of {@code settlement.commands}, {@code wallet.events} and the dead-letter topics. */
        public Options withTopics(String commands, String events, List<String> dlq) {
            return new Options(bootstrapServers, log, waitMax, workerGroup, notifierGroup, commands, events, dlq, examples, checkpoint,
                    orderIdsMax);
        }

        /** The order checks go on from {@code file} (when it exists) and store where they stop in it. */
        public Options withCheckpoint(Path file) {
            return new Options(bootstrapServers, log, waitMax, workerGroup, notifierGroup, commandsTopic, eventsTopic, dlqTopics, examples,
                    file, orderIdsMax);
        }

        public Options withOrderIdsMax(long max) {
            return new Options(bootstrapServers, log, waitMax, workerGroup, notifierGroup, commandsTopic, eventsTopic, dlqTopics, examples,
                    checkpoint, max);
        }

        /** Which topic each group must have consumed to its end. */
        Map<String, String> topicByGroup() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put(workerGroup, commandsTopic);
            m.put(notifierGroup, eventsTopic);
            return m;
        }
    }

    private Reconcile() {
    }

    /**
     * Runs every check on {@code db}. With auto-commit on, the database checks run in one
     * REPEATABLE READ, READ ONLY transaction of their own (rolled back at the end); with
     * auto-commit off they run in the caller's open transaction as it is (how the tests look at
     * seeded, uncommitted discrepancies). Progress notes go to {@code notes}.
     */
    public static Report run(Connection db, Options o, PrintStream notes) throws SQLException, ReconcileException, InterruptedException {
        LoadgenLog log = o.log() == null ? null : LoadgenLog.read(o.log());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ADMIN_TIMEOUT_MS, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ADMIN_TIMEOUT_MS))) {
            try {
                admin.describeCluster().clusterId().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new ReconcileException("Kafka at " + o.bootstrapServers() + " does not answer: " + e, e);
            }
            awaitSettled(db, admin, o, notes);
            Checked checked = check(db, admin, o, log, notes);
            // After the other checks have returned: the heap their state held is the order checks' id tables' now.
            List<CheckResult> results = new ArrayList<>(checked.results());
            for (OrderCheck.Outcome order : orderChecks(o, checked::players)) {
                notes.println("reconcile: " + order.stats().summary());
                results.add(order.check());
            }
            if (checked.logEffects() != null) {
                results.add(checked.logEffects());
            }
            return new Report(results);
        }
    }

    /**
     * Every check before the order checks, in the order printed; {@code log-effects} (printed last) and the players the snapshot
     * knows (the order checks' "unknown player") are taken from the snapshot too.
     */
    private record Checked(List<CheckResult> results, CheckResult logEffects, Set<String> players) {
    }

    private static Checked check(Connection db, Admin admin, Options o, LoadgenLog log, PrintStream notes)
            throws SQLException, ReconcileException {
        List<CheckResult> results = new ArrayList<>();
        boolean ownTransaction = db.getAutoCommit();
        int isolation = db.getTransactionIsolation();
        if (ownTransaction) {
            db.setAutoCommit(false);
            db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            db.setReadOnly(true);
        }
        Map<String, KafkaChecks.Credit> credits;
        KafkaChecks.LedgerEvents ledger;
        Map<String, Long> playerSeqs;
        Set<String> players;
        AvailableChecks available;
        DecisionEventChecks decisions;
        CheckResult logEffects = null;
        try {
            results.addAll(LedgerChecks.run(db, o.examples()));
            results.addAll(MoneyFactChecks.run(db, o.examples()));
            results.addAll(DecisionChecks.run(db, o.examples()));
            results.addAll(BonusChecks.run(db, o.examples()));
            results.addAll(LimitChecks.run(db, o.examples(), notes));
            // Figures for the operator, not checks: what bonuses cost, and bets a rollback reopened without their bonus.
            for (BonusChecks.Cost cost : BonusChecks.costs(db, BONUS_COST_ROWS_MAX)) {
                notes.println("reconcile: " + cost.describe());
            }
            for (String unbacked : BonusChecks.unbacked(db, o.examples())) {
                notes.println("reconcile: " + unbacked);
            }
            credits = KafkaChecks.loadCredits(db);
            ledger = KafkaChecks.loadLedger(db);
            playerSeqs = PlayerSeqChecks.loadCounters(db);
            players = OrderCheck.loadPlayers(db);
            LostFacts lost = LostFacts.load(db);
            available = AvailableChecks.load(db, playerSeqs, lost, o.examples());
            decisions = DecisionEventChecks.load(db, playerSeqs, lost, o.examples());
            if (log != null) {
                logEffects = LogChecks.run(db, log, o.examples());
            }
        } finally {
            if (ownTransaction) {
                db.rollback();
                db.setReadOnly(false);
                db.setAutoCommit(true);
                db.setTransactionIsolation(isolation);
            }
        }
        notes.println("reconcile: " + credits.size() + " credits, " + ledger.entries + " ledger entries, " + available.answers()
                + " stored answers with a balance"
                + (log == null ? "; no --log: the per-callback checks are skipped" : "; " + log.callbacks().size() + " logged callbacks")
                + "; reading " + o.commandsTopic() + " and " + o.eventsTopic());
        results.add(KafkaChecks.commands(o.bootstrapServers(), o.commandsTopic(), credits, o.examples()));
        credits = null; // no longer needed: let the heap have it for the events
        PlayerSeqChecks playerSeq = new PlayerSeqChecks(playerSeqs, o.examples());
        DlqChecks dlq = new DlqChecks();
        // One pass over wallet.events feeds ledger-events, decision-events, player-seq, available-after,
        // answered-balance and the alerts dlq-explained looks for.
        results.add(KafkaChecks.events(o.bootstrapServers(), o.eventsTopic(), ledger, o.examples(), (event, where) -> {
            decisions.event(event, where);
            playerSeq.event(event, where);
            available.event(event);
            dlq.event(event);
        }));
        results.add(decisions.result(o.eventsTopic()));
        results.add(playerSeq.result(o.eventsTopic()));
        results.addAll(available.results(o.eventsTopic()));
        results.add(dlq.result(o.bootstrapServers(), o.dlqTopics(), o.examples()));
        results.add(KafkaChecks.consumerLag(admin, o.topicByGroup(), o.examples()));
        return new Checked(results, logEffects, players);
    }

    /**
     * Only the order checks ({@code --only order}): {@code events-order} on the events topic and
     * {@code commands-order} on the commands topic, against the players {@code db} knows when each
     * read starts. No wait for the pipeline to settle (the reads stop at the end offsets of their
     * start, and nothing on a topic changes once written) and no other check. Each topic's summary
     * line ({@link OrderCheck.Stats#summary}) goes to {@code summaries}.
     */
    public static Report runOrder(Connection db, Options o, PrintStream summaries) throws ReconcileException {
        List<CheckResult> results = new ArrayList<>();
        for (OrderCheck.Outcome order : orderChecks(o, () -> {
            try {
                return OrderCheck.loadPlayers(db);
            } catch (SQLException e) {
                throw new ReconcileException("database: " + e.getMessage(), e);
            }
        })) {
            summaries.println(order.stats().summary());
            results.add(order.check());
        }
        return new Report(results);
    }

    /** Both order checks, from and then to the checkpoint when there is one (written once both reads are done). */
    private static List<OrderCheck.Outcome> orderChecks(Options o, OrderCheck.KnownPlayers known) throws ReconcileException {
        Map<String, OrderCheckpoint.Section> sections = o.checkpoint() == null ? new LinkedHashMap<>()
                : OrderCheckpoint.read(o.checkpoint());
        List<OrderCheck.Outcome> outcomes = new ArrayList<>();
        outcomes.add(OrderCheck.run(o.bootstrapServers(), o.eventsTopic(), OrderCheck.EVENTS_ORDER, sections.get(o.eventsTopic()),
                known, o.orderIdsMax(), o.examples()));
        outcomes.add(OrderCheck.run(o.bootstrapServers(), o.commandsTopic(), OrderCheck.COMMANDS_ORDER, sections.get(o.commandsTopic()),
                known, o.orderIdsMax(), o.examples()));
        if (o.checkpoint() != null) {
            outcomes.forEach(out -> sections.put(out.section().topic, out.section()));
            OrderCheckpoint.write(o.checkpoint(), sections.values());
        }
        return outcomes;
    }

    /** Polls until the outbox is empty, no credit is PENDING and the lag is 0, or until the wait is over. */
    private static void awaitSettled(Connection db, Admin admin, Options o, PrintStream notes)
            throws SQLException, ReconcileException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + o.waitMax().toNanos();
        long nextNote = start;
        while (true) {
            long outbox = Sql.number(db, MoneyFactChecks.OUTBOX_COUNT_SQL);
            long pending = Sql.number(db, MoneyFactChecks.PENDING_COUNT_SQL);
            long lag = KafkaChecks.totalLag(admin, o.topicByGroup());
            long now = System.nanoTime();
            if (outbox == 0 && pending == 0 && lag == 0) {
                return;
            }
            if (now >= deadline) {
                notes.printf("reconcile: still not settled after %d s (outbox %d rows, %d PENDING credits, lag %d): checking as it is%n",
                        o.waitMax().toSeconds(), outbox, pending, lag);
                return;
            }
            if (now >= nextNote) {
                notes.printf("reconcile: waiting up to %d s more for the pipeline to settle: outbox %d rows, %d PENDING credits, lag %d%n",
                        TimeUnit.NANOSECONDS.toSeconds(deadline - now), outbox, pending, lag);
                nextNote = now + PROGRESS.toNanos();
            }
            Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - now))));
        }
    }

    // ------------------------------------------------------------------ command line

    static final String USAGE = String.join("\n",
            "usage: scripts/reconcile [options]",
            "  --jdbc-url URL              the wallet database (WALLET_DB_URL, else jdbc:postgresql://127.0.0.1:5432/wallet)",
            "  --db-user USER              (WALLET_DB_USER, else postgres); the password comes from WALLET_DB_PASSWORD (empty)",
            "  --bootstrap-servers H:P     Kafka (KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:9092)",
            "  --log FILE                  a loadgen log (JSON Lines): also check every logged callback's effect",
            "  --wait-seconds N            longest wait for outbox drained, no PENDING credit and lag 0 (60)",
            "  --worker-group ID           the settlement-worker's consumer group (settlement-worker)",
            "  --notifier-group ID         the notifier's consumer group, its application.id (notifier)",
            "  --commands-topic NAME       (settlement.commands)",
            "  --events-topic NAME         (wallet.events)",
            "  --dlq-topics A,B            the dead-letter topics, comma-separated; empty: none",
            "                              (settlement.commands.dlq,crm.webhook.dlq)",
            "  --examples N                discrepancies described per check (10)",
            "  --only order                only the order checks (events-order, commands-order): no wait, no other check;",
            "                              prints per topic records, players, violations, duplicates, malformed, skipped",
            "  --checkpoint FILE           the order checks read from where FILE says (when it exists) and store where they",
            "                              stop in it: a periodic run reads only what is new (the other checks read everything)",
            "  --order-ids-max N           event ids each order check remembers to tell re-sends from conflicts, 75-150 bytes",
            "                              each (ORDER_CHECK_IDS_MAX, else 3000000); past it duplicate detection is partial",
            "  --recovery                  after a point-in-time restore of the database, checks nothing: prints (stdout) the",
            "                              SQL that raises each wallet's player_seq and version above what --events-topic holds",
            "                              and records the facts published after the restore point (lost_fact), and lists",
            "                              those lost facts (stderr); needs --recovery-point; apply it with the services stopped",
            "  --recovery-point INSTANT    the instant the database was restored to (ISO-8601, e.g. 2026-12-01T05:00:00Z): a",
            "                              player without a wallet whose facts reach it was registered after it, and is re-created",
            "  --lost-facts-max N          lost facts one recovery plan holds, about 1 KB each (100000, at most 2000000)",
            "Prints one line per check and then 'discrepancies: N'; exit 0 iff N = 0, 1 otherwise, 2 for bad options,",
            "a bad log or a database or Kafka that does not answer. --recovery exits 0 once it printed its SQL.");

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The whole command: parse, connect, check, print. Returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String jdbcUrl = env("WALLET_DB_URL", "jdbc:postgresql://127.0.0.1:5432/wallet");
        String dbUser = env("WALLET_DB_USER", "postgres");
        String dbPassword = env("WALLET_DB_PASSWORD", "");
        Options o = Options.defaults(env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));
        Path log = null;
        long waitSeconds = o.waitMax().toSeconds();
        String workerGroup = o.workerGroup();
        String notifierGroup = o.notifierGroup();
        String commandsTopic = o.commandsTopic();
        String eventsTopic = o.eventsTopic();
        List<String> dlqTopics = o.dlqTopics();
        String bootstrap = o.bootstrapServers();
        int examples = o.examples();
        boolean onlyOrder = false;
        Path checkpoint = null;
        long orderIdsMax = o.orderIdsMax();
        boolean recovery = false;
        Instant recoveryPoint = null;
        int lostFactsMax = Recovery.LOST_FACTS_MAX_DEFAULT;
        try {
            String idsMaxEnv = System.getenv(OrderCheck.IDS_MAX_ENV);
            if (idsMaxEnv != null && !idsMaxEnv.isBlank()) {
                orderIdsMax = idsMax(OrderCheck.IDS_MAX_ENV, idsMaxEnv.trim());
            }
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                String value = null;
                int eq = name.indexOf('=');
                if (name.startsWith("--") && eq > 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (name.equals("--help") || name.equals("-h")) {
                    out.println(USAGE);
                    return 0;
                }
                if (name.equals("--recovery") && value == null) {
                    recovery = true;
                    continue;
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("missing value for " + name);
                    }
                    value = args[++i];
                }
                switch (name) {
                    case "--jdbc-url" -> jdbcUrl = value;
                    case "--db-user" -> dbUser = value;
                    case "--bootstrap-servers", "--bootstrap" -> bootstrap = value;
                    case "--log" -> log = Path.of(value);
                    case "--wait-seconds" -> waitSeconds = nonNegative(name, value);
                    case "--worker-group" -> workerGroup = value;
                    case "--notifier-group" -> notifierGroup = value;
                    case "--commands-topic" -> commandsTopic = value;
                    case "--events-topic" -> eventsTopic = value;
                    case "--dlq-topics" -> dlqTopics = Arrays.stream(value.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                            .toList();
                    case "--examples" -> examples = (int) Math.min(10_000, nonNegative(name, value));
                    case "--only" -> {
                        if (!value.equals("order")) {
                            throw new IllegalArgumentException("--only knows one set of checks, 'order': " + value);
                        }
                        onlyOrder = true;
                    }
                    case "--checkpoint" -> checkpoint = Path.of(value);
                    case "--order-ids-max" -> orderIdsMax = idsMax(name, value);
                    case "--recovery-point" -> recoveryPoint = instant(name, value);
                    case "--lost-facts-max" -> lostFactsMax = (int) Math.min(Recovery.LOST_FACTS_MAX_LIMIT, nonNegative(name, value));
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            if (recovery && (onlyOrder || log != null || checkpoint != null)) {
                throw new IllegalArgumentException("--recovery checks nothing: leave out --only, --log and --checkpoint");
            }
            if (recovery != (recoveryPoint != null)) {
                throw new IllegalArgumentException(recovery ? "--recovery needs --recovery-point, the instant the database was restored to"
                        : "--recovery-point goes with --recovery");
            }
            if (onlyOrder && log != null) {
                throw new IllegalArgumentException("--only order checks no log: leave out --log");
            }
            if (log != null && !Files.isReadable(log)) {
                throw new IllegalArgumentException("--log " + log + ": no such readable file");
            }
        } catch (IllegalArgumentException e) {
            err.println("reconcile: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        o = new Options(bootstrap, log, Duration.ofSeconds(waitSeconds), workerGroup, notifierGroup, commandsTopic, eventsTopic, dlqTopics,
                examples, checkpoint, orderIdsMax);

        Report report;
        try (Connection db = connect(jdbcUrl, dbUser, dbPassword)) {
            if (recovery) {
                Recovery.Plan plan = Recovery.plan(db, bootstrap, eventsTopic, recoveryPoint, lostFactsMax);
                Recovery.sql(plan, eventsTopic + " at " + bootstrap + " and " + jdbcUrl, out);
                out.flush();
                err.println("reconcile: " + plan.summary());
                Recovery.listLostFacts(plan, examples, err);
                return 0;
            }
            report = onlyOrder ? runOrder(db, o, out) : run(db, o, err);
        } catch (ReconcileException e) {
            err.println("reconcile: " + e.getMessage());
            return 2;
        } catch (SQLException e) {
            err.println("reconcile: database " + jdbcUrl + ": " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("reconcile: interrupted");
            return 2;
        }
        report.print(out);
        out.flush();
        return report.discrepancies() == 0 ? 0 : 1;
    }

    private static Connection connect(String url, String user, String password) throws ReconcileException {
        try {
            DriverManager.setLoginTimeout(10);
            return DriverManager.getConnection(url, user, password);
        } catch (SQLException e) {
            throw new ReconcileException("cannot connect to the database " + url + " as " + user + ": " + e.getMessage(), e);
        }
    }

    private static Instant instant(String name, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2026-12-01T05:00:00Z: " + value);
        }
    }

    private static long idsMax(String name, String value) {
        long v = nonNegative(name, value);
        if (v > SeenIds.IDS_MAX_LIMIT) {
            throw new IllegalArgumentException(name + " must be at most " + SeenIds.IDS_MAX_LIMIT + ": " + value);
        }
        return v;
    }

    private static long nonNegative(String name, String value) {
        try {
            long v = Long.parseLong(value);
            if (v < 0) {
                throw new IllegalArgumentException(name + " must be >= 0: " + value);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer: " + value);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
