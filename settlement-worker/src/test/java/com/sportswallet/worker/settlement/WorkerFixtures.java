package com.sportswallet.worker.settlement;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.postgresql.ds.PGSimpleDataSource;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.CreditCommand;
import com.sportswallet.contracts.TopicSettings;
import com.sportswallet.contracts.Topics;
import com.sportswallet.money.PendingCredit;
import com.sportswallet.money.WalletEvents;
import com.sportswallet.outbox.KafkaSettings;
import com.sportswallet.testkit.TestInfra;
import com.sportswallet.testkit.TopicsReady;

/**
 * The worker's real surroundings for plain (non-Quarkus) tests: the migrated test database,
 * the real broker's topics, PENDING credits written as the ingress writes them, and their
 * commands produced as the ingress's relay produces them.
 */
final class WorkerFixtures {
    static final Duration WAIT = Duration.ofSeconds(90);
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime());
    private static boolean prepared;

    private WorkerFixtures() {
    }

    static synchronized void prepare() throws Exception {
        if (prepared) {
            return;
        }
        TestInfra.get().migrate();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers()))) {
            TopicSettings settings = TopicSettings.defaults().withPartitions(3);
            Topics.ensure(admin, settings, Duration.ofSeconds(30));
            // Whoever created them (this call, or a worker app a moment before), their partitions may not be served yet.
            TopicsReady.await(admin, Topics.newTopics(settings).stream().map(org.apache.kafka.clients.admin.NewTopic::name).toList());
        }
        // The relay, as in the services, so wallet.credit.applied events reach Kafka.
        relay = new com.sportswallet.outbox.OutboxRelay(dataSource(), producer(), new com.sportswallet.outbox.OutboxRelay.Config(500, 100, 5000, 1000), null);
        relay.start();
        prepared = true;
    }

    private static com.sportswallet.outbox.OutboxRelay relay;

    /**
     * A commands topic and consumer group of one test's own, so the tests of this module (and the
     * worker app a @QuarkusTest may have running in the same JVM) never consume each other's commands.
     */
    record Lane(String topic, String group) {
        static Lane fresh() throws Exception {
            String n = Long.toString(SEQ.incrementAndGet());
            Lane lane = new Lane("settlement.commands.test-" + n, "settlement-worker-test-" + n);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers()))) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(lane.topic, 3, (short) 1))).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
                // The test's first send follows at once: before its partitions are served it got NotLeaderOrFollower,
                // then its batch expired (CreditRedriveTest, 2 of 5 CI runs).
                TopicsReady.await(admin, List.of(lane.topic));
            }
            return lane;
        }
    }

    static DataSource dataSource() {
        return dataSource(TestInfra.get().jdbcUrl());
    }

    static DataSource dataSource(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser(TestInfra.get().dbUser());
        ds.setPassword(TestInfra.get().dbPassword());
        return ds;
    }

    /** A player and its wallet with {@code balance} (and a matching opening ledger entry). */
    static long wallet(long balance) throws SQLException {
        String player = "wp-" + SEQ.incrementAndGet();
        try (Connection c = TestInfra.get().connect(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO player (id) VALUES ('" + player + "')");
            try (ResultSet rs = s.executeQuery("INSERT INTO wallet (player_id, currency, balance, version) VALUES ('" + player + "', 'EUR', "
                    + balance + ", " + (balance == 0 ? 0 : 1) + ") RETURNING id")) {
                rs.next();
                long walletId = rs.getLong(1);
                if (balance != 0) {
                    s.executeUpdate("INSERT INTO ledger_entry (wallet_id, amount, balance_after, wallet_version, operation, idempotency_key)"
                            + " VALUES (" + walletId + ", " + balance + ", " + balance + ", 1, 'deposit', 'deposit:" + player + "')");
                }
                return walletId;
            }
        }
    }

    static String playerOf(long walletId) {
        return text("SELECT player_id FROM wallet WHERE id = " + walletId);
    }

    /** A PENDING credit as the ingress records it for a win (with its bet and the wallet's pending). */
    record Credit(String id, long walletId, String playerId, String betId, long amount) {
        String command() {
            ObjectNode data = CloudEventJson.mapper().createObjectNode()
                    .put("credit_id", id).put("wallet_id", walletId).put("player_id", playerId).put("bet_id", betId)
                    .put("kind", "WIN").put("amount", amount).put("currency", "EUR");
            String eventId = CloudEventJson.stableId(CreditCommand.TYPE, id);
            return CloudEventJson.serialize(eventId, CreditCommand.TYPE, URI.create("/test"), playerId, Instant.now(), data);
        }

        /** The command as the consumer parses it from {@link #command()}. */
        CreditCommand parsed() {
            return new CreditCommand(CloudEventJson.stableId(CreditCommand.TYPE, id), id, walletId, playerId, betId, "WIN", amount, "EUR");
        }
    }

    static Credit pendingCredit(long walletId, long amount) throws SQLException {
        String player = playerOf(walletId);
        String n = Long.toString(SEQ.incrementAndGet());
        String betId = "bet-" + n;
        String creditId = "credit-" + n;
        try (Connection c = TestInfra.get().connect()) {
            // The bet, the credit and the wallet's pending in one transaction, the money with the ingress's own
            // statements (the wallet row last); the command is not appended to the outbox (the relay would publish
            // it on the shared topic): each test sends its own.
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake, state,"
                    + " latest_settlement_id) VALUES (?, ?, ?, ?, 'EUR', 1, 'WON', ?)")) {
                ps.setString(1, betId);
                ps.setString(2, "ptx-" + n);
                ps.setString(3, player);
                ps.setLong(4, walletId);
                ps.setString(5, creditId);
                ps.executeUpdate();
            }
            PendingCredit.insert(c, creditId, walletId, player, betId, PendingCredit.WIN, amount);
            WalletEvents.advance(c, walletId, amount);
            c.commit();
        }
        return new Credit(creditId, walletId, player, betId, amount);
    }

    /**
     * A fixture's producer may outwait a loaded test broker: a partition of a topic created a moment
     * before can answer NotLeaderOrFollower for seconds (CI saw a 10 s delivery bound expire so).
     */
    static final int FIXTURE_DELIVERY_TIMEOUT_MS = 60_000;

    static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(KafkaSettings.relayProducer(TestInfra.get().bootstrapServers(), "worker-test-" + SEQ.incrementAndGet(),
                FIXTURE_DELIVERY_TIMEOUT_MS));
    }

    /** Produces each credit's command {@code copies} times, keyed by player, and waits for the acks. */
    static void send(Lane lane, Collection<Credit> credits, int copies) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (int copy = 0; copy < copies; copy++) {
                for (Credit credit : credits) {
                    acks.add(producer.send(new ProducerRecord<>(lane.topic(), credit.playerId(), credit.command())));
                }
            }
            for (var ack : acks) {
                ack.get();
            }
        }
    }

    static void sendRaw(Lane lane, String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(lane.topic(), key, value)).get();
        }
    }

    static Properties kafka(String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        return p;
    }

    /**
     * A running consumer, its thread, and what ended that thread if it died of an exception (the
     * service's supervisor would start a fresh consumer; a test has none, so it says so).
     */
    record Running(SettlementConsumer consumer, Thread thread, AtomicReference<Throwable> died)
            implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            consumer.close();
            thread.join(30_000);
        }

        /** For a failed assertion's message: alive, stopped, or died of what. */
        String state() {
            Throwable t = died.get();
            return thread.isAlive() ? "running" : t == null ? "stopped" : "died of " + t;
        }
    }

    static Running start(Lane lane, DataSource ds, KafkaProducer<String, String> dlq, SettlementConsumer.CrashPoints crashPoints) {
        return run(new SettlementConsumer(ds, kafka("worker-test-" + SEQ.incrementAndGet()), dlq,
                new SettlementConsumer.Config(500, 200, 200, 50, 1000, 10_000, lane.topic(), lane.group()), null, crashPoints));
    }

    /** A consumer with its own settings and listener (backoff, batch size), on its own thread. */
    static Running start(Lane lane, DataSource ds, KafkaProducer<String, String> dlq, SettlementConsumer.Config config,
            SettlementConsumer.Listener listener) {
        return run(new SettlementConsumer(ds, kafka("worker-test-" + SEQ.incrementAndGet()), dlq, config, listener, null));
    }

    private static Running run(SettlementConsumer consumer) {
        var died = new AtomicReference<Throwable>();
        Thread t = new Thread(consumer, "test-settlement-consumer");
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> {
            died.set(e);
            System.err.println("test settlement consumer died: " + e);
            e.printStackTrace();
        });
        t.start();
        return new Running(consumer, t, died);
    }

    /**
     * A data source whose sessions give up on a lock after {@code lockTimeoutMs}, as the worker's
     * pool does (DB_LOCK_TIMEOUT_MS), so a table lock held elsewhere fails its batches transiently.
     */
    static DataSource dataSourceWithLockTimeout(long lockTimeoutMs) {
        PGSimpleDataSource ds = (PGSimpleDataSource) dataSource();
        ds.setOptions("-c lock_timeout=" + lockTimeoutMs + " -c statement_timeout=" + Math.max(3000, 4 * lockTimeoutMs));
        return ds;
    }

    static long count(String sql) {
        try (Connection c = TestInfra.get().connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static String text(String sql) {
        try (Connection c = TestInfra.get().connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static long balance(long walletId) {
        return count("SELECT balance FROM wallet WHERE id = " + walletId);
    }

    /** The wallet's pending column: the sum of its PENDING credits as the money statements maintain it. */
    static long pending(long walletId) {
        return count("SELECT pending FROM wallet WHERE id = " + walletId);
    }

    /** The sum of the wallet's PENDING credit rows, counted from the rows themselves. */
    static long pendingCredits(long walletId) {
        return count("SELECT coalesce(sum(amount), 0) FROM credit WHERE wallet_id = " + walletId + " AND status = 'PENDING'");
    }

    /** Wallets whose pending differs from the sum of their PENDING credits (the reconcile check wallet-pending). */
    static long pendingDiscrepancies() {
        return count("SELECT count(*) FROM wallet w WHERE w.pending <> (SELECT coalesce(sum(amount), 0) FROM credit c"
                + " WHERE c.wallet_id = w.id AND c.status = 'PENDING')");
    }

    static String idList(Collection<Credit> credits) {
        return String.join(",", credits.stream().map(c -> "'" + c.id() + "'").toList());
    }

    /** Waits until none of the credits is PENDING; returns how many are APPLIED. */
    static long awaitDecided(Collection<Credit> credits) throws InterruptedException {
        String ids = idList(credits);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && count("SELECT count(*) FROM credit WHERE status = 'PENDING' AND id IN (" + ids + ")") > 0) {
            Thread.sleep(50);
        }
        return count("SELECT count(*) FROM credit WHERE status = 'APPLIED' AND id IN (" + ids + ")");
    }

    /** Wallets whose balance differs from their ledger sum or whose versions have a gap. */
    static long ledgerDiscrepancies() {
        return count("SELECT count(*) FROM wallet w WHERE w.balance <> (SELECT coalesce(sum(amount), 0) FROM ledger_entry l WHERE l.wallet_id = w.id)"
                + " OR w.version <> (SELECT count(*) FROM ledger_entry l WHERE l.wallet_id = w.id)"
                + " OR w.version <> (SELECT coalesce(max(wallet_version), 0) FROM ledger_entry l WHERE l.wallet_id = w.id)");
    }

    /**
     * Reads wallet.events from the start until every credit's {@code wallet.credit.applied} event
     * was seen (bounded wait); returns how many times each id was seen.
     */
    static Map<String, Integer> appliedEvents(Collection<Credit> credits) {
        Map<String, Integer> seen = new java.util.HashMap<>();
        readAppliedEvents(credits, event -> seen.merge(event.path("id").asText(), 1, Integer::sum));
        return seen;
    }

    /** Like {@link #appliedEvents}: each credit's {@code wallet.credit.applied} event data (the first copy), by credit id. */
    static Map<String, com.fasterxml.jackson.databind.JsonNode> appliedEventData(Collection<Credit> credits) {
        Map<String, com.fasterxml.jackson.databind.JsonNode> data = new java.util.HashMap<>();
        readAppliedEvents(credits, event -> data.putIfAbsent(event.path("data").path("transaction_id").asText(), event.path("data")));
        return data;
    }

    private static void readAppliedEvents(Collection<Credit> credits, java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> each) {
        java.util.Set<String> wanted = new java.util.HashSet<>();
        credits.forEach(c -> wanted.add(CloudEventJson.stableId("wallet.credit.applied", c.id())));
        java.util.Set<String> seen = new java.util.HashSet<>();
        Properties p = kafka("events-" + SEQ.incrementAndGet());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "events-check-" + SEQ.incrementAndGet());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(p)) {
            consumer.subscribe(List.of(Topics.WALLET_EVENTS));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline && !seen.containsAll(wanted)) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        com.fasterxml.jackson.databind.JsonNode event = CloudEventJson.mapper().readTree(r.value());
                        String id = event.path("id").asText();
                        if (wanted.contains(id)) {
                            seen.add(id);
                            each.accept(event);
                        }
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
    }
}
