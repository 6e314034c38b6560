package com.sportswallet.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.event.MoneyMoved;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.money.Ledger;
import com.sportswallet.money.WalletEvents;
import com.sportswallet.outbox.KafkaSettings;
import com.sportswallet.outbox.OutboxRelay;
import com.sportswallet.testkit.TestInfra;

/**
 * A point-in-time restore, on the real PostgreSQL and Kafka: database A publishes facts through the
 * real outbox relay to a wallet.events topic of the test's own; at the recovery point A is copied
 * (CREATE DATABASE ... TEMPLATE: the restore, byte for byte what A held then); A goes on (more facts
 * for two players, a player registered after the point, one outbox row the copy still holds
 * unpublished); then the copy is the restored database. Reconcile finds the copy behind the topic;
 * {@code --recovery}'s SQL raises exactly the wallets behind, re-creates the late player, records
 * exactly the facts published after the point, and leaves a removed fixture alone; applied twice it
 * changes nothing; after it, new traffic on the restored database continues every player's order
 * above the topic's numbers and the whole reconcile finds nothing.
 */
class RecoveryTest {
    private static final String CURRENCY = "EUR";
    private static final int LOST_FACTS_MAX = 1000;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String DB_A = "recovery_a_" + RUN;
    private static final String DB_B = "recovery_b_" + RUN;
    private static final String EVENTS = "recoverytest-" + RUN + ".wallet.events";
    private static final String COMMANDS = "recoverytest-" + RUN + ".settlement.commands";
    private static final String NOTIFIER_GROUP = "recoverytest-notifier-" + RUN;
    private static final String WORKER_GROUP = "recoverytest-worker-" + RUN;
    private static final String FIXTURE = "gone-" + RUN;

    private static TestInfra infra;

    @BeforeAll
    static void databasesAndTopics() throws Exception {
        infra = TestInfra.get();
        admin(s -> s.execute("CREATE DATABASE " + DB_A));
        Flyway.configure().dataSource(url(DB_A), infra.dbUser(), infra.dbPassword()).locations("classpath:db/migration").load().migrate();
        try (Admin admin = kafkaAdmin()) {
            admin.createTopics(List.of(new NewTopic(EVENTS, 3, (short) 1), new NewTopic(COMMANDS, 3, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void dropDatabases() throws Exception {
        admin(s -> {
            s.execute("DROP DATABASE IF EXISTS " + DB_A + " WITH (FORCE)");
            s.execute("DROP DATABASE IF EXISTS " + DB_B + " WITH (FORCE)");
        });
    }

    @Test
    void theRecoverySqlRaisesTheWalletsBehindTheTopicAndRecordsTheFactsPublishedAfterTheRestorePoint() throws Exception {
        DataSource a = dataSource(DB_A);
        // A fixture removed long before: on the topic, unknown to both databases (a benchmark's players).
        produce(FIXTURE, EventTypes.DEPOSIT, "fixture-dep", 1, 500, Instant.now().minus(Duration.ofDays(2)));
        for (String p : List.of("r1", "r2", "r3")) {
            player(a, p);
        }
        deposit(a, "r1", "r1-d1", 1000);
        deposit(a, "r1", "r1-d2", 200);
        withdraw(a, "r1", "r1-w1", 150);
        deposit(a, "r2", "r2-d1", 700);
        deposit(a, "r3", "r3-d1", 300);
        publish(a);
        deposit(a, "r3", "r3-d2", 40); // committed, not published yet when the copy is taken: the copy re-sends it

        Instant recoveryPoint = Instant.now();
        admin(s -> {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + DB_A + "' AND pid <> pg_backend_pid()");
            s.execute("CREATE DATABASE " + DB_B + " TEMPLATE " + DB_A);
        });

        Set<String> before = outboxIds(a);
        deposit(a, "r1", "r1-d3", 50);
        withdraw(a, "r1", "r1-w2", 25);
        withdraw(a, "r2", "r2-w1", 100);
        player(a, "r4");
        deposit(a, "r4", "r4-d1", 900);
        withdraw(a, "r4", "r4-w1", 10);
        Set<String> afterThePoint = outboxIds(a);
        afterThePoint.removeAll(before);
        publish(a); // the relay publishes r3-d2 too: on the topic, and still in the copy's outbox
        Map<String, long[]> countersA = counters(a);

        DataSource b = dataSource(DB_B);
        Map<String, long[]> countersB = counters(b);
        assertFalse(countersB.containsKey("r4"), "the restore predates r4");

        // Before the recovery: reconcile finds the restored wallets behind the topic.
        Report behind = reconcile(b);
        assertTrue(behind.check(PlayerSeqChecks.PLAYER_SEQ).orElseThrow().discrepancies() > 0, () -> printed(behind));

        Recovery.Plan plan;
        try (Connection c = b.getConnection()) {
            plan = Recovery.plan(c, infra.bootstrapServers(), EVENTS, recoveryPoint, LOST_FACTS_MAX);
        }
        assertEquals(List.of("r1", "r2"), plan.raises().stream().map(r -> r.wallet().player()).toList(), plan.summary());
        for (Recovery.Raise r : plan.raises()) {
            long[] target = countersA.get(r.wallet().player());
            assertEquals(target[0], r.playerSeq(), "player_seq raised to the topic's highest for " + r.wallet().player());
            assertEquals(target[1], r.version(), "version raised to the topic's highest sequence for " + r.wallet().player());
        }
        assertEquals(List.of(new Recovery.Recreate("r4", CURRENCY, countersA.get("r4")[0], countersA.get("r4")[1])), plan.recreates());
        assertEquals(List.of(FIXTURE), plan.leftAlone(), "a player unknown since before the recovery point is left alone");
        assertEquals(new TreeSet<>(afterThePoint), plan.lostFacts().stream().map(Recovery.LostFact::eventId).collect(Collectors.toCollection(
                TreeSet::new)), "the lost facts are exactly those published after the recovery point");
        assertEquals(0, plan.lostBeforeRecoveryPoint());

        String sql = sql(plan);
        apply(b, sql);
        Map<String, long[]> raised = counters(b);
        for (String p : List.of("r1", "r2", "r4")) {
            assertEquals(List.of(countersA.get(p)[0], countersA.get(p)[1]), List.of(raised.get(p)[0], raised.get(p)[1]), p);
        }
        assertEquals(List.of(countersB.get("r3")[0], countersB.get("r3")[1]), List.of(raised.get("r3")[0], raised.get("r3")[1]),
                "r3's counters were not behind: untouched");
        long gapVersions = number(b, "SELECT coalesce(sum(to_version - from_version + 1), 0) FROM wallet_version_gap");
        long expectedGap = 0;
        for (String p : List.of("r1", "r2", "r4")) {
            expectedGap += countersA.get(p)[1] - (countersB.containsKey(p) ? countersB.get(p)[1] : 0);
        }
        assertEquals(expectedGap, gapVersions, "every skipped version is recorded as a gap");
        assertEquals(afterThePoint.size(), number(b, "SELECT count(*) FROM lost_fact"));

        // Applied twice, it changes nothing; a new plan is empty.
        apply(b, sql);
        assertEquals(gapVersions, number(b, "SELECT coalesce(sum(to_version - from_version + 1), 0) FROM wallet_version_gap"));
        assertEquals(afterThePoint.size(), number(b, "SELECT count(*) FROM lost_fact"));
        try (Connection c = b.getConnection()) {
            Recovery.Plan again = Recovery.plan(c, infra.bootstrapServers(), EVENTS, recoveryPoint, LOST_FACTS_MAX);
            assertTrue(again.empty(), again.summary());
        }

        // Traffic resumes on the restored database: its relay re-sends r3-d2 (a duplicate), new facts go above the topic's numbers.
        deposit(b, "r1", "r1-d4", 5);
        deposit(b, "r2", "r2-d2", 6);
        deposit(b, "r4", "r4-d2", 7);
        deposit(b, "r3", "r3-d3", 8);
        publish(b);
        Report after = reconcile(b);
        assertEquals(List.of(), after.failing(), () -> printed(after));
        assertEquals(0, after.discrepancies());
        assertTrue(after.check(OrderCheck.EVENTS_ORDER).isPresent());
    }

    @Test
    void theCommandLineNeedsARecoveryPointAndRefusesChecksBesideIt() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, Reconcile.run(new String[] { "--recovery" }, out, errStream));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--recovery needs --recovery-point"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, Reconcile.run(new String[] { "--recovery", "--recovery-point", "yesterday" }, out, errStream));
        assertEquals(2, Reconcile.run(new String[] { "--recovery", "--recovery-point", "2026-01-01T00:00:00Z", "--only", "order" }, out,
                errStream));
        assertEquals(2, Reconcile.run(new String[] { "--recovery-point", "2026-01-01T00:00:00Z" }, out, errStream));
    }

    @Test
    void literalsDoubleTheQuoteAndRefuseNul() {
        assertEquals("'it''s'", Recovery.literal("it's"));
        assertEquals("NULL", Recovery.literal(null));
        assertThrowsIllegal(() -> Recovery.literal("a\0b"));
    }

    private static void assertThrowsIllegal(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("expected IllegalArgumentException");
    }

    // ------------------------------------------------------------------ the restored database, checked

    private static Report reconcile(DataSource db) throws Exception {
        catchUp(); // the test's notifier group has read everything: consumer-lag is not what this test is about
        Reconcile.Options o = Reconcile.Options.defaults(infra.bootstrapServers()).withTopics(COMMANDS, EVENTS, List.of())
                .withGroups(WORKER_GROUP, NOTIFIER_GROUP).withWait(Duration.ofSeconds(1));
        try (Connection c = db.getConnection()) {
            return Reconcile.run(c, o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        }
    }

    private static String printed(Report r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.print(new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String sql(Recovery.Plan plan) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Recovery.sql(plan, "the test", new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The script as psql would run it: its own BEGIN and COMMIT, one round trip (pgjdbc splits the statements). */
    private static void apply(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void catchUp() throws Exception {
        try (Admin admin = kafkaAdmin()) {
            Map<TopicPartition, OffsetSpec> req = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                req.put(new TopicPartition(EVENTS, p), OffsetSpec.latest());
            }
            Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
            admin.listOffsets(req).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(NOTIFIER_GROUP, ends).all().get(30, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ facts, written as the ingress writes them

    private static void player(DataSource db, String id) throws SQLException {
        tx(db, c -> {
            exec(c, "INSERT INTO player (id) VALUES ('" + id + "')");
            exec(c, "INSERT INTO wallet (player_id, currency) VALUES ('" + id + "', '" + CURRENCY + "')");
        });
    }

    private static void deposit(DataSource db, String player, String key, long amount) throws SQLException {
        move(db, player, key, amount, EventTypes.DEPOSIT, "deposit", "operator/deposit");
    }

    private static void withdraw(DataSource db, String player, String key, long amount) throws SQLException {
        move(db, player, key, -amount, EventTypes.WITHDRAWAL, "withdrawal", "operator/withdrawal");
    }

    private static void move(DataSource db, String player, String key, long signed, String type, String operation, String endpoint)
            throws SQLException {
        tx(db, c -> {
            long walletId = number(c, "SELECT id FROM wallet WHERE player_id = '" + player + "' AND kind = 'CASH'");
            Ledger.Moved moved = signed > 0 ? Ledger.apply(c, walletId, signed, operation, operation + ":" + key)
                    : Ledger.debitIfFunded(c, walletId, -signed, operation, operation + ":" + key);
            assertTrue(moved != null, "funded");
            Instant now = Instant.now();
            WalletEvents.append(c, MoneyMoved.of(type, player, CURRENCY, signed, now, CloudEventJson.stableId(endpoint, key)), key,
                    Position.moved(moved.playerSeq(), moved.balanceAfter(), moved.version(), moved.available()), now);
        });
    }

    /** The real relay drains the database's outbox to the test's topic (the rows name wallet.events; the test's topic stands in). */
    private static void publish(DataSource db) throws Exception {
        tx(db, c -> exec(c, "UPDATE outbox SET topic = '" + EVENTS + "'"));
        try (OutboxRelay relay = new OutboxRelay(db, new KafkaProducer<>(KafkaSettings.outboxProducer(infra.bootstrapServers(),
                "recovery-test", 5000)), new OutboxRelay.Config(500, 100, 5000, 1000), null)) {
            while (relay.drainOnce() > 0) {
                // one round per batch until the outbox is empty
            }
        }
        assertEquals(0, number(db, "SELECT count(*) FROM outbox"));
    }

    private static void produce(String player, String type, String key, long seq, long amount, Instant at) throws Exception {
        var data = CloudEventJson.mapper().createObjectNode().put("player_id", player).put("currency", CURRENCY).put("amount", amount)
                .put("occurred_at", at.toString()).put("balance_after", amount).put("sequence", seq).put("player_seq", seq);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(KafkaSettings.relayProducer(infra.bootstrapServers(),
                "recovery-test-fixture", 10_000))) {
            producer.send(new ProducerRecord<>(EVENTS, player, CloudEventJson.serialize(CloudEventJson.stableId(type, key), type,
                    URI.create("/test/fixture"), player, at, data))).get(30, TimeUnit.SECONDS);
        }
    }

    private static Set<String> outboxIds(DataSource db) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT event_id FROM outbox");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /** Each CASH wallet's {player_seq, version}. */
    private static Map<String, long[]> counters(DataSource db) throws SQLException {
        Map<String, long[]> m = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT player_id, player_seq, version FROM wallet WHERE kind = 'CASH'"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                m.put(rs.getString(1), new long[] { rs.getLong(2), rs.getLong(3) });
            }
        }
        return m;
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface Work {
        void run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface AdminWork {
        void run(Statement s) throws SQLException;
    }

    private static void tx(DataSource db, Work work) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long number(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long number(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection()) {
            return number(c, sql);
        }
    }

    /** CREATE and DROP DATABASE on the test server, outside any transaction. */
    private static void admin(AdminWork work) throws SQLException {
        try (Connection c = DriverManager.getConnection(url("postgres"), infra.dbUser(), infra.dbPassword()); Statement s = c.createStatement()) {
            work.run(s);
        }
    }

    /** The test server's JDBC URL for another database. */
    private static String url(String database) {
        return infra.jdbcUrl().replaceFirst("^(jdbc:postgresql://[^/]+/)[^?]*", "$1" + database);
    }

    private static DataSource dataSource(String database) {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(url(database));
        pg.setUser(infra.dbUser());
        pg.setPassword(infra.dbPassword());
        return pg;
    }

    private static Admin kafkaAdmin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers()));
    }
}
