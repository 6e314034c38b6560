package com.sportswallet.loadgen;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.postgresql.ds.PGSimpleDataSource;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.CreditCommand;
import com.sportswallet.money.CreditBatch;
import com.sportswallet.outbox.KafkaSettings;
import com.sportswallet.worker.settlement.SettlementConsumer;

/**
 * A benchmark (not a test) of the settlement-worker's drain rate: how fast ONE
 * {@link SettlementConsumer} (the worker's real code, run in this JVM) applies a backlog of PENDING
 * credits from its commands topic, against the real PostgreSQL and Kafka.
 *
 * <ol>
 * <li>Seeding, untimed, set-based (INSERT ... SELECT FROM generate_series, one transaction):
 * players {@code drain-<run>-1..P} with EUR wallets at balance 0, and C PENDING WIN credits
 * {@code drain-<run>-credit-<j>}, each with its WON bet (as the ingress records a win), spread
 * round-robin over the wallets, amounts 100..999, each wallet's pending = the sum of its credits
 * (as the ingress adds each credit it decides); then ANALYZE.</li>
 * <li>Producing, untimed: a commands topic of the run's own ({@code settlement.commands.bench-<run>},
 * --partitions partitions) and one {@code settlement.credit} command per credit, keyed by player id,
 * the CloudEvent the ingress's relay produces (content-type header included), through an idempotent
 * acks=all producer; waits for every acknowledgement.</li>
 * <li>Timed: starts one SettlementConsumer (group {@code drain-bench-<run>}, Config(batchSizeMax, 200,
 * 500, 100, 10000, 10000, topic, group), the service's defaults otherwise) and measures from its
 * start until its listener has counted every credit applied (batchCommitted's applied().size()).
 * Its DataSource hands out one reused physical connection, as the service's Agroal pool does
 * (--connection-per-batch: a plain PGSimpleDataSource, one new connection per batch), with the
 * service's session settings (lock_timeout 2000 ms, statement_timeout 3000 ms).</li>
 * <li>Checks, untimed: no credit of the run PENDING, all APPLIED; each of the run's wallets has
 * balance = sum of its ledger and version = its entry count = its highest ledger version, and
 * pending 0 (the worker moved every credit from pending to balance); the run's ledger entry count =
 * the credit count; the balances add up to the credits. Prints
 * "ledger check: ok" or the discrepancy (exit 1).</li>
 * </ol>
 * Prints credits/s, seconds, batches and mean batch size, and a {@code RESULT key=value ...} line for
 * scripts; optionally the same figures as JSON (--out). The worker's {@code wallet.credit.applied}
 * outbox rows stay in the outbox table until a relay (the services of scripts/up) publishes them; the
 * count left is printed. The run's topic and consumer group are deleted at the end (--keep-topic keeps them).
 */
public final class DrainBench {
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final URI COMMAND_SOURCE = URI.create("/wallet/ingress");
    private static final String CURRENCY = "EUR";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private DrainBench() {
    }

    // ------------------------------------------------------------------ options

    static final class Options {
        String jdbcUrl = "jdbc:postgresql://127.0.0.1:5432/wallet";
        String dbUser = "postgres";
        String dbPassword = "";
        String bootstrap = "127.0.0.1:9092";
        int players = 10_000;
        int credits = 100_000;
        int batchSizeMax = 500;
        int partitions = 12;
        int timeoutSeconds = 600;
        long lockTimeoutMs = 2000;
        long statementTimeoutMs = 3000;
        boolean connectionPerBatch;
        boolean keepTopic;
        Path out;
    }

    private static final String USAGE = String.join("\n",
            "usage: DrainBench [options]",
            "  --jdbc-url URL            the wallet database (jdbc:postgresql://127.0.0.1:5432/wallet)",
            "  --db-user USER            (postgres); the password comes from WALLET_DB_PASSWORD (empty)",
            "  --bootstrap HOST:PORT     Kafka (127.0.0.1:9092)",
            "  --players N               wallets drain-<run>-1..N (10000)",
            "  --credits N               PENDING credits and their commands, round-robin over the wallets (100000)",
            "  --batch-size-max N        the worker's batch size bound; 1 = batching off (500)",
            "  --partitions N            partitions of the run's commands topic (12)",
            "  --timeout-seconds S       give up (exit 1) when the drain takes longer (600)",
            "  --lock-timeout-ms MS      the worker's session lock_timeout (2000)",
            "  --statement-timeout-ms MS the worker's session statement_timeout (3000)",
            "  --connection-per-batch    a plain PGSimpleDataSource: a new connection for every batch",
            "                            (default: one reused connection, as the service's pool gives it)",
            "  --keep-topic              keep the run's commands topic and consumer group afterwards",
            "  --out FILE                also write the figures as JSON to FILE");

    static Options parse(String[] args) {
        Options o = new Options();
        String password = System.getenv("WALLET_DB_PASSWORD");
        if (password != null) {
            o.dbPassword = password;
        }
        Args.parse(args, USAGE, Set.of("--connection-per-batch", "--keep-topic"), (name, value) -> {
            switch (name) {
                case "--connection-per-batch" -> o.connectionPerBatch = true;
                case "--keep-topic" -> o.keepTopic = true;
                case "--jdbc-url" -> o.jdbcUrl = value;
                case "--db-user" -> o.dbUser = value;
                case "--bootstrap" -> o.bootstrap = value;
                case "--players" -> o.players = Args.positiveInt(name, value);
                case "--credits" -> o.credits = Args.positiveInt(name, value);
                case "--batch-size-max" -> {
                    o.batchSizeMax = Args.positiveInt(name, value);
                    if (o.batchSizeMax > 10_000) {
                        throw new IllegalArgumentException(name + " must be in 1..10000");
                    }
                }
                case "--partitions" -> o.partitions = Args.positiveInt(name, value);
                case "--timeout-seconds" -> o.timeoutSeconds = Args.positiveInt(name, value);
                case "--lock-timeout-ms" -> o.lockTimeoutMs = Args.positiveInt(name, value);
                case "--statement-timeout-ms" -> o.statementTimeoutMs = Args.positiveInt(name, value);
                case "--out" -> o.out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
            }
        });
        return o;
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) throws Exception {
        Options o = Args.parseOrExit("DrainBench", args, DrainBench::parse);
        // Lower-case letters and digits only: safe in LIKE patterns and topic names.
        String run = Long.toString(System.currentTimeMillis(), 36);
        String prefix = "drain-" + run + "-";
        String topic = "settlement.commands.bench-" + run;
        String group = "drain-bench-" + run;
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(o.jdbcUrl);
        pg.setUser(o.dbUser);
        pg.setPassword(o.dbPassword);
        pg.setOptions("-c lock_timeout=" + o.lockTimeoutMs + " -c statement_timeout=" + o.statementTimeoutMs);
        PGSimpleDataSource checks = new PGSimpleDataSource(); // seeding and checks: no statement timeout
        checks.setUrl(o.jdbcUrl);
        checks.setUser(o.dbUser);
        checks.setPassword(o.dbPassword);

        System.out.printf(Locale.ROOT, "DrainBench run %s: %d credits over %d players, batch-size-max %d, topic %s (%d partitions), %s%n",
                run, o.credits, o.players, o.batchSizeMax, topic, o.partitions,
                o.connectionPerBatch ? "a new connection per batch" : "one reused connection");

        // ---- seeding (untimed) ----
        long t = System.nanoTime();
        Map<Long, Long> walletOfPlayer = seed(checks, prefix, o.players, o.credits);
        System.out.printf(Locale.ROOT, "seeded %d wallets and %d PENDING credits (with their bets) in %.1f s (untimed)%n",
                o.players, o.credits, (System.nanoTime() - t) / 1e9);

        // ---- the commands (untimed) ----
        t = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(o.partitions), Optional.empty())))
                    .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        produce(o, run, topic, prefix, walletOfPlayer);
        walletOfPlayer = null;
        System.out.printf(Locale.ROOT, "produced %d settlement.credit commands to %s, all acknowledged, in %.1f s (untimed)%n",
                o.credits, topic, (System.nanoTime() - t) / 1e9);
        System.gc();

        // ---- the drain (timed) ----
        Drain drain = drain(o, pg, run, topic, group);

        // ---- checks (untimed) ----
        Check check = check(checks, prefix, o.credits);
        int status = 0;
        if (drain.timedOut) {
            System.out.printf(Locale.ROOT, "DrainBench: TIMEOUT: %d of %d credits applied after %d s%n", drain.applied, o.credits,
                    o.timeoutSeconds);
            status = 1;
        }
        double seconds = drain.nanos / 1e9;
        double rate = drain.applied / seconds;
        double steadySeconds = drain.steadyNanos / 1e9;
        double steadyRate = steadySeconds > 0 ? drain.applied / steadySeconds : 0;
        double meanBatch = drain.batches == 0 ? 0 : (double) drain.commands / drain.batches;
        double meanTxMs = drain.batches == 0 ? 0 : drain.transactionNanos / 1e6 / drain.batches;
        System.out.println();
        System.out.printf(Locale.ROOT, "drain: %d credits applied in %.2f s: %.1f credits/s (from the consumer's start)%n",
                drain.applied, seconds, rate);
        System.out.printf(Locale.ROOT, "       %.2f s until the first batch transaction began (group join, first fetch); "
                + "%.1f credits/s from there%n", drain.startupNanos / 1e9, steadyRate);
        System.out.printf(Locale.ROOT, "       %d batches, mean batch %.1f commands, mean batch transaction %.2f ms, %d skipped, %d retries, %d dead-lettered%n",
                drain.batches, meanBatch, meanTxMs, drain.skipped, drain.retries, drain.deadLettered);
        System.out.printf(Locale.ROOT, "outbox: %d wallet.credit.applied rows of this run still in the outbox table%s%n", check.outboxLeft,
                check.outboxLeft > 0 ? " (published and deleted by a running relay, e.g. scripts/up's services; without one they stay)" : "");
        if (check.problems.isEmpty()) {
            System.out.println("ledger check: ok (" + o.players + " wallets: balance = sum of ledger, versions without gaps,"
                    + " nothing pending; " + check.ledgerEntries + " ledger entries for " + o.credits + " credits)");
        } else {
            System.out.println("ledger check: FAILED");
            check.problems.forEach(p -> System.out.println("  " + p));
            status = 1;
        }
        if (drain.deadLettered > 0) {
            System.out.println("DrainBench: WARNING: " + drain.deadLettered + " commands were dead-lettered");
            status = 1;
        }
        System.out.printf(Locale.ROOT,
                "RESULT rate=%.1f credits=%d seconds=%.3f applied=%d batch_size_max=%d steady_rate=%.1f startup_seconds=%.3f"
                        + " batches=%d mean_batch=%.1f mean_tx_ms=%.3f retries=%d ledger_ok=%s timed_out=%s run=%s%n",
                rate, o.credits, seconds, drain.applied, o.batchSizeMax, steadyRate, drain.startupNanos / 1e9, drain.batches,
                meanBatch, meanTxMs, drain.retries, check.problems.isEmpty(), drain.timedOut, run);
        if (o.out != null) {
            ObjectNode json = CloudEventJson.mapper().createObjectNode()
                    .put("run", run).put("topic", topic).put("group", group)
                    .put("players", o.players).put("credits", o.credits).put("batch_size_max", o.batchSizeMax)
                    .put("partitions", o.partitions).put("connection_per_batch", o.connectionPerBatch)
                    .put("applied", drain.applied).put("seconds", seconds).put("rate", rate)
                    .put("startup_seconds", drain.startupNanos / 1e9).put("steady_rate", steadyRate)
                    .put("batches", drain.batches).put("mean_batch", meanBatch).put("mean_tx_ms", meanTxMs)
                    .put("skipped", drain.skipped).put("retries", drain.retries).put("dead_lettered", drain.deadLettered)
                    .put("timed_out", drain.timedOut).put("outbox_left", check.outboxLeft)
                    .put("ledger_entries", check.ledgerEntries).put("ledger_ok", check.problems.isEmpty());
            json.putArray("ledger_problems").addAll(check.problems.stream().map(p -> json.textNode(p)).toList());
            Path parent = o.out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(o.out, CloudEventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
            System.out.println("figures written to " + o.out);
        }
        if (!o.keepTopic) {
            cleanUpKafka(o, topic, group);
        }
        System.exit(status);
    }

    // ------------------------------------------------------------------ seeding

    /**
     * Players, wallets, bets and PENDING credits, set-based, in one transaction; returns wallet id by
     * player number (1..players).
     */
    static Map<Long, Long> seed(DataSource ds, String prefix, int players, int credits) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO player (id) SELECT ? || i FROM generate_series(1, ?) i")) {
                ps.setString(1, prefix);
                ps.setInt(2, players);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO wallet (player_id, currency)"
                    + " SELECT ? || i, '" + CURRENCY + "' FROM generate_series(1, ?) i ORDER BY i")) {
                ps.setString(1, prefix);
                ps.setInt(2, players);
                ps.executeUpdate();
            }
            // Credit j (1..credits) goes to player (j - 1) % players + 1: round-robin over the wallets.
            String fromCredits = "FROM generate_series(1, ?) j JOIN wallet w ON w.player_id = ? || ((j - 1) % ? + 1) AND w.kind = 'CASH'";
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake, state,"
                    + " latest_settlement_id) SELECT ? || 'bet-' || j, ? || 'ptx-' || j, w.player_id, w.id, '" + CURRENCY + "', 1, 'WON',"
                    + " ? || 'credit-' || j " + fromCredits)) {
                ps.setString(1, prefix);
                ps.setString(2, prefix);
                ps.setString(3, prefix);
                ps.setInt(4, credits);
                ps.setString(5, prefix);
                ps.setInt(6, players);
                ps.executeUpdate();
            }
            // created_at a day ahead: a live settlement-worker on the same database re-drives PENDING credits older than
            // CREDIT_REDRIVE_AFTER_MS (30 s) and would apply this backlog under the consumer measured here.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit (id, wallet_id, player_id, bet_id, kind, amount, created_at)"
                    + " SELECT ? || 'credit-' || j, w.id, w.player_id, ? || 'bet-' || j, 'WIN', 100 + j % 900, now() + interval '1 day' "
                    + fromCredits)) {
                ps.setString(1, prefix);
                ps.setString(2, prefix);
                ps.setInt(3, credits);
                ps.setString(4, prefix);
                ps.setInt(5, players);
                int n = ps.executeUpdate();
                if (n != credits) {
                    throw new IllegalStateException("seeded " + n + " credits, expected " + credits);
                }
            }
            // The credits join their wallets' pending, as PendingCredit.insert + WalletEvents.advance do one by one
            // (the wallets are new and locked by nobody else; player_seq stays: no decision event is written here).
            try (PreparedStatement ps = c.prepareStatement("UPDATE wallet w SET pending = w.pending + s.total"
                    + " FROM (SELECT wallet_id, sum(amount) AS total FROM credit WHERE id LIKE ? AND status = 'PENDING'"
                    + " GROUP BY wallet_id) s WHERE w.id = s.wallet_id")) {
                ps.setString(1, prefix + "credit-%");
                int n = ps.executeUpdate();
                if (n != Math.min(players, credits)) {
                    throw new IllegalStateException("added pending to " + n + " wallets, expected " + Math.min(players, credits));
                }
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE player, wallet, bet, credit");
            }
            Map<Long, Long> walletOfPlayer = new HashMap<>(players * 2);
            try (PreparedStatement ps = c.prepareStatement("SELECT player_id, id FROM wallet WHERE player_id LIKE ? AND kind = 'CASH'")) {
                ps.setString(1, prefix + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        walletOfPlayer.put(Long.parseLong(rs.getString(1).substring(prefix.length())), rs.getLong(2));
                    }
                }
            }
            if (walletOfPlayer.size() != players) {
                throw new IllegalStateException("found " + walletOfPlayer.size() + " wallets of this run, expected " + players);
            }
            return walletOfPlayer;
        }
    }

    /** One settlement.credit command per credit, as the ingress's relay produces it; waits for every ack. */
    static void produce(Options o, String run, String topic, String prefix, Map<Long, Long> walletOfPlayer) throws Exception {
        Properties p = KafkaSettings.relayProducer(o.bootstrap, "drain-bench-" + run, 120_000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        AtomicReference<Exception> failure = new AtomicReference<>();
        LongAdder acked = new LongAdder();
        Instant now = Instant.now();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int j = 1; j <= o.credits && failure.get() == null; j++) {
                long playerNo = (j - 1) % o.players + 1;
                String player = prefix + playerNo;
                String creditId = prefix + "credit-" + j;
                ObjectNode data = CloudEventJson.mapper().createObjectNode()
                        .put("credit_id", creditId).put("wallet_id", walletOfPlayer.get(playerNo)).put("player_id", player)
                        .put("bet_id", prefix + "bet-" + j).put("kind", "WIN").put("amount", 100 + j % 900).put("currency", CURRENCY);
                String eventId = CloudEventJson.stableId(CreditCommand.TYPE, creditId);
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, player,
                        CloudEventJson.serialize(eventId, CreditCommand.TYPE, COMMAND_SOURCE, player, now, data));
                record.headers().add(CloudEventJson.CONTENT_TYPE_HEADER, CloudEventJson.CONTENT_TYPE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        acked.increment();
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing the commands failed", failure.get());
        }
        if (acked.sum() != o.credits) {
            throw new IllegalStateException(acked.sum() + " of " + o.credits + " commands acknowledged");
        }
    }

    // ------------------------------------------------------------------ the drain

    static final class Drain {
        long applied;
        long commands;
        long batches;
        long skipped;
        long retries;
        long deadLettered;
        long transactionNanos;
        long nanos;
        long startupNanos;
        long steadyNanos;
        boolean timedOut;
    }

    static Drain drain(Options o, PGSimpleDataSource pg, String run, String topic, String group) throws Exception {
        long target = o.credits;
        AtomicLong applied = new AtomicLong();
        AtomicLong commands = new AtomicLong();
        AtomicLong batches = new AtomicLong();
        AtomicLong skipped = new AtomicLong();
        AtomicLong retries = new AtomicLong();
        AtomicLong deadLettered = new AtomicLong();
        AtomicLong transactionNanos = new AtomicLong();
        AtomicLong firstTransactionStart = new AtomicLong(Long.MIN_VALUE);
        AtomicLong end = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        SettlementConsumer.Listener listener = new SettlementConsumer.Listener() {
            @Override
            public void batchCommitted(int n, CreditBatch.Result result, long txNanos) {
                long now = System.nanoTime();
                firstTransactionStart.compareAndSet(Long.MIN_VALUE, now - txNanos);
                commands.addAndGet(n);
                batches.incrementAndGet();
                skipped.addAndGet(result.skipped());
                transactionNanos.addAndGet(txNanos);
                if (applied.addAndGet(result.applied().size()) >= target && end.compareAndSet(0, now)) {
                    done.countDown();
                }
            }

            @Override
            public void retrying(Exception cause, long backoffMs) {
                retries.incrementAndGet();
            }

            @Override
            public void deadLettered(int count) {
                deadLettered.addAndGet(count);
            }
        };
        Properties kafka = new Properties();
        kafka.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap);
        kafka.put(ConsumerConfig.CLIENT_ID_CONFIG, "drain-bench-" + run);
        kafka.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 45_000); // the service's default
        SettlementConsumer.Config config = new SettlementConsumer.Config(o.batchSizeMax, 200, 500, 100, 10_000, 10_000, topic, group);
        Drain d = new Drain();
        try (OneConnectionDataSource reused = new OneConnectionDataSource(pg);
                KafkaProducer<String, String> dlq = new KafkaProducer<>(KafkaSettings.relayProducer(o.bootstrap, "drain-bench-dlq-" + run, 10_000))) {
            DataSource ds = o.connectionPerBatch ? pg : reused;
            long start = System.nanoTime();
            SettlementConsumer consumer = new SettlementConsumer(ds, kafka, dlq, config, listener, null);
            Thread thread = new Thread(consumer, "drain-bench-consumer");
            thread.setDaemon(true);
            thread.start();
            System.out.printf(Locale.ROOT, "timing: one SettlementConsumer started (group %s, Config(%d, 200, 500, 100, 10000, 10000))%n",
                    group, o.batchSizeMax);
            long deadline = start + TimeUnit.SECONDS.toNanos(o.timeoutSeconds);
            long nextProgress = start + PROGRESS_INTERVAL_NANOS;
            long lastApplied = 0;
            long lastAt = start;
            while (!done.await(Math.max(1, Math.min(nextProgress, deadline) - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    d.timedOut = true;
                    break;
                }
                if (!thread.isAlive()) {
                    throw new IllegalStateException("the settlement consumer thread died (see the log above)");
                }
                if (now >= nextProgress) {
                    long a = applied.get();
                    System.out.printf(Locale.ROOT, "  %6.1f s: %d/%d applied, %.0f credits/s over the last interval, %d batches, %d retries%n",
                            (now - start) / 1e9, a, target, (a - lastApplied) / ((now - lastAt) / 1e9), batches.get(), retries.get());
                    lastApplied = a;
                    lastAt = now;
                    nextProgress += PROGRESS_INTERVAL_NANOS;
                }
            }
            long stop = d.timedOut ? System.nanoTime() : end.get();
            consumer.close();
            thread.join(30_000);
            d.applied = applied.get();
            d.commands = commands.get();
            d.batches = batches.get();
            d.skipped = skipped.get();
            d.retries = retries.get();
            d.deadLettered = deadLettered.get();
            d.transactionNanos = transactionNanos.get();
            d.nanos = stop - start;
            long first = firstTransactionStart.get();
            d.startupNanos = first == Long.MIN_VALUE ? d.nanos : first - start;
            d.steadyNanos = first == Long.MIN_VALUE ? 0 : stop - first;
        }
        return d;
    }

    /**
     * One physical connection, reused for every getConnection() as the service's pool reuses its
     * connections (server-side prepared statements and all); close() of a handed-out connection
     * keeps it open. A broken connection is replaced on the next getConnection().
     */
    static final class OneConnectionDataSource implements DataSource, AutoCloseable {
        private final PGSimpleDataSource target;
        private Connection physical;

        OneConnectionDataSource(PGSimpleDataSource target) {
            this.target = target;
        }

        @Override
        public synchronized Connection getConnection() throws SQLException {
            if (physical == null || physical.isClosed()) {
                physical = target.getConnection();
            }
            Connection c = physical;
            InvocationHandler handler = (proxy, method, args) -> {
                switch (method.getName()) {
                    case "close" -> {
                        return null;
                    }
                    case "unwrap" -> {
                        return ((Class<?>) args[0]).isInstance(proxy) ? proxy : c.unwrap((Class<?>) args[0]);
                    }
                    default -> {
                        try {
                            return method.invoke(c, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                }
            };
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] { Connection.class }, handler);
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            throw new SQLException("not supported");
        }

        @Override
        public synchronized void close() throws SQLException {
            if (physical != null) {
                physical.close();
            }
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getLogger("DrainBench");
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }

    // ------------------------------------------------------------------ checks

    static final class Check {
        final List<String> problems = new java.util.ArrayList<>();
        long ledgerEntries;
        long outboxLeft;
    }

    static Check check(DataSource ds, String prefix, long credits) throws SQLException {
        Check check = new Check();
        String like = prefix + "%";
        try (Connection c = ds.getConnection()) {
            long[] st = longs(c, "SELECT count(*) FILTER (WHERE status = 'PENDING'), count(*) FILTER (WHERE status = 'APPLIED'),"
                    + " count(*), coalesce(sum(amount), 0) FROM credit WHERE id LIKE ?", like);
            if (st[2] != credits) {
                check.problems.add("the run has " + st[2] + " credits, expected " + credits);
            }
            if (st[0] != 0 || st[1] != credits) {
                check.problems.add(st[0] + " credits still PENDING, " + st[1] + " APPLIED of " + credits);
            }
            long[] wallets = longs(c, "SELECT count(*), count(*) FILTER (WHERE w.balance <> l.total OR w.version <> l.entries"
                    + " OR w.version <> l.top), coalesce(sum(w.balance), 0), coalesce(sum(l.entries), 0),"
                    + " count(*) FILTER (WHERE w.pending <> 0), coalesce(sum(w.pending), 0)"
                    + " FROM wallet w CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS total, count(*) AS entries,"
                    + " coalesce(max(wallet_version), 0) AS top FROM ledger_entry e WHERE e.wallet_id = w.id) l WHERE w.player_id LIKE ?", like);
            check.ledgerEntries = wallets[3];
            if (wallets[1] != 0) {
                check.problems.add(wallets[1] + " of " + wallets[0] + " wallets differ from their ledger (balance vs sum, or version vs entries)");
            }
            if (wallets[4] != 0) {
                // Every credit of the run was applied, so the worker moved all of it from pending to balance.
                check.problems.add(wallets[4] + " of " + wallets[0] + " wallets still have pending money after the drain (" + wallets[5]
                        + " in all), expected 0");
            }
            if (wallets[3] != credits) {
                check.problems.add("the run's wallets have " + wallets[3] + " ledger entries, expected " + credits + " (one per credit)");
            }
            if (wallets[2] != st[3]) {
                check.problems.add("the run's balances add up to " + wallets[2] + ", its credits to " + st[3]);
            }
            check.outboxLeft = longs(c, "SELECT count(*) FROM outbox WHERE msg_key LIKE ?", like)[0];
        }
        return check;
    }

    private static long[] longs(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long[] v = new long[rs.getMetaData().getColumnCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = rs.getLong(i + 1);
                }
                return v;
            }
        }
    }

    private static void cleanUpKafka(Options o, String topic, String group) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap))) {
            admin.deleteConsumerGroups(List.of(group)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            admin.deleteTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            System.out.println("deleted topic " + topic + " and consumer group " + group);
        } catch (Exception e) {
            System.out.println("DrainBench: could not delete topic " + topic + " / group " + group + " (harmless): " + e);
        }
    }
}
