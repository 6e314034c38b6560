package com.sportswallet.worker.settlement;

import static com.sportswallet.worker.settlement.SettlementConsumerTest.assertBalances;
import static com.sportswallet.worker.settlement.SettlementConsumerTest.awaitCommitted;
import static com.sportswallet.worker.settlement.WorkerFixtures.awaitDecided;
import static com.sportswallet.worker.settlement.WorkerFixtures.balance;
import static com.sportswallet.worker.settlement.WorkerFixtures.count;
import static com.sportswallet.worker.settlement.WorkerFixtures.pendingCredit;
import static com.sportswallet.worker.settlement.WorkerFixtures.wallet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;
import com.sportswallet.money.CreditBatch;
import com.sportswallet.money.CreditRedrive;
import com.sportswallet.testkit.TestInfra;
import com.sportswallet.worker.settlement.WorkerFixtures.Credit;
import com.sportswallet.worker.settlement.WorkerFixtures.Lane;
import com.sportswallet.worker.settlement.WorkerFixtures.Running;

/**
 * Issue 12, finding 2: a credit whose command the worker will never read is applied from the
 * database (the re-drive), once, through the worker's own flip; two workers re-driving the same
 * backlog apply each credit once, beside the normal path, without a deadlock.
 */
class CreditRedriveTest {
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime());
    /** A backend flushes its statistics within 10 s of going idle (PostgreSQL 15): the deadlock counter is watched a little longer. */
    private static final long DEADLOCK_COUNTER_WAIT_MS = 11_000;

    @BeforeAll
    static void prepare() throws Exception {
        WorkerFixtures.prepare();
    }

    @Test
    void aWinWhoseCommandTheGroupWasMovedPastLandsOnceThroughTheRedrive() throws Exception {
        Lane lane = Lane.fresh();
        long walletId = wallet(1000);
        Credit earlier = pendingCredit(walletId, 40);
        WorkerFixtures.send(lane, List.of(earlier), 1);
        Credit win;
        try (KafkaProducer<String, String> dlq = WorkerFixtures.producer()) {
            try (Running worker = WorkerFixtures.start(lane, WorkerFixtures.dataSource(), dlq, null)) {
                assertEquals(1, awaitDecided(List.of(earlier)));
                awaitCommitted(lane, 1);
            } // the worker stops (and leaves its group)

            // A win is decided while the worker is away: its PENDING credit and its command.
            win = pendingCredit(walletId, 250);
            WorkerFixtures.send(lane, List.of(win), 1);
            // The operator moves the worker's group past it with Kafka's own tool.
            String out = consumerGroupTool("--group", lane.group(), "--topic", lane.topic(), "--reset-offsets", "--to-latest", "--execute");
            assertEquals(2, committed(lane), "the group now stands past the command: " + out);

            List<CreditRedrive.Redriven> redriven = new CopyOnWriteArrayList<>();
            CreditRedriver.Listener listener = new CreditRedriver.Listener() {
                @Override
                public void redriven(List<CreditRedrive.Redriven> credits) {
                    redriven.addAll(credits);
                }
            };
            try (Running worker = WorkerFixtures.start(lane, WorkerFixtures.dataSource(), dlq, null);
                    CreditRedriver redrive = new CreditRedriver(WorkerFixtures.dataSource(), new CreditRedriver.Config(1000, 100, 200), listener)
                            .start()) {
                assertEquals(1, awaitDecided(List.of(win)), "the re-drive applied the credit");
                Thread.sleep(600); // a few more rounds: nothing more to do
            }
            String winId = win.id();
            assertEquals(1, redriven.stream().filter(r -> r.credit().creditId().equals(winId)).count(), "re-driven once");
            CreditRedrive.Redriven r = redriven.stream().filter(x -> x.credit().creditId().equals(winId)).findFirst().orElseThrow();
            assertEquals(walletId, r.credit().walletId());
            assertEquals(250, r.credit().amount());
            assertTrue(r.pendingMs() >= 1000, "claimed only after the bound: " + r.pendingMs());
            assertEquals(2, committed(lane), "the consumer read nothing: the command was skipped");
        }
        assertEquals(1000 + 40 + 250, balance(walletId));
        assertEquals(1, count("SELECT count(*) FROM ledger_entry WHERE idempotency_key = 'credit:" + win.id() + "'"));
        assertEquals(1000 + 40 + 250, count("SELECT balance_after FROM ledger_entry WHERE idempotency_key = 'credit:" + win.id() + "'"));
        assertBalances(Map.of(walletId, 1000L + 40 + 250));
        assertEquals(1, appliedEventCopies(win.id()), "one wallet.credit.applied event");
    }

    @Test
    void twoWorkersRedriveTenThousandStrandedCreditsOnceEachBesideTheNormalPathWithoutADeadlock() throws Exception {
        int wallets = 300;
        int n = 10_000;
        String prefix = "rd" + SEQ.incrementAndGet() + "-";
        List<Credit> credits = stranded(prefix, wallets, n, 60_000);
        assertEquals(n, credits.size());
        long deadlocksBefore = deadlocks();

        // The normal path too: every fifth credit's command reaches a consumer while the re-drives run.
        Lane lane = Lane.fresh();
        List<Credit> commanded = new ArrayList<>();
        for (int i = 0; i < n; i += 5) {
            commanded.add(credits.get(i));
        }
        WorkerFixtures.send(lane, commanded, 1);
        Set<String> appliedByConsumer = ConcurrentHashMap.newKeySet();
        SettlementConsumer.Listener consumerListener = new SettlementConsumer.Listener() {
            @Override
            public void batchCommitted(int commands, CreditBatch.Result result, long transactionNanos) {
                result.applied().forEach(a -> appliedByConsumer.add(a.creditId()));
            }
        };
        Map<String, Integer> redrivenTimes = new ConcurrentHashMap<>();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        AtomicLong[] perWorker = { new AtomicLong(), new AtomicLong() };
        List<CreditRedriver> redrivers = new ArrayList<>();
        try (KafkaProducer<String, String> dlq = WorkerFixtures.producer()) {
            // A 2 s transaction target, not the service's 200 ms: the consumer halves its batch after every slower
            // transaction, and on a loaded machine (two shared cores, load average 16) its batches shrank until each
            // few commands paid a new connection and an offset commit of their own: 1,522 of the 2,000 commands were
            // committed within the wait. This test is about the two paths side by side, not the batch-size adaptation.
            Running consumer = WorkerFixtures.start(lane, WorkerFixtures.dataSource(), dlq,
                    new SettlementConsumer.Config(500, 2_000, 200, 50, 1000, 10_000, lane.topic(), lane.group()), consumerListener);
            try {
                for (int w = 0; w < 2; w++) {
                    AtomicLong mine = perWorker[w];
                    redrivers.add(new CreditRedriver(WorkerFixtures.dataSource(), new CreditRedriver.Config(30_000, 500, 100),
                            new CreditRedriver.Listener() {
                                @Override
                                public void redriven(List<CreditRedrive.Redriven> batch) {
                                    batch.stream().filter(r -> r.credit().creditId().startsWith(prefix)).forEach(r -> {
                                        redrivenTimes.merge(r.credit().creditId(), 1, Integer::sum);
                                        mine.incrementAndGet();
                                    });
                                }

                                @Override
                                public void failed(Exception cause) {
                                    failures.add(cause);
                                }
                            }).start());
                }
                long deadline = System.nanoTime() + WorkerFixtures.WAIT.toNanos();
                while (System.nanoTime() < deadline && count("SELECT count(*) FROM credit WHERE status = 'PENDING' AND id LIKE '" + prefix + "%'") > 0) {
                    Thread.sleep(200);
                }
                awaitCommitted(lane, commanded.size());
            } finally {
                redrivers.forEach(CreditRedriver::close);
                consumer.close();
            }
        }
        System.out.printf("[redrive] %d credits: worker 1 re-drove %d, worker 2 %d, the consumer applied %d%n", n, perWorker[0].get(),
                perWorker[1].get(), appliedByConsumer.size());
        assertEquals(List.of(), failures, "no re-drive batch failed (a deadlock would)");
        assertEquals(n, count("SELECT count(*) FROM credit WHERE status = 'APPLIED' AND id LIKE '" + prefix + "%'"), "every credit APPLIED");
        assertTrue(redrivenTimes.values().stream().allMatch(t -> t == 1), "no credit re-driven twice");
        Set<String> both = new HashSet<>(redrivenTimes.keySet());
        both.retainAll(appliedByConsumer);
        assertEquals(Set.of(), both, "no credit applied by both paths");
        assertEquals(n, redrivenTimes.size() + appliedByConsumer.size(), "each credit applied by exactly one path");
        assertEquals(n, count("SELECT count(*) FROM ledger_entry WHERE idempotency_key LIKE 'credit:" + prefix + "%'"), "one ledger entry each");

        Map<Long, Long> expected = new HashMap<>();
        Map<Long, Long> perWallet = new HashMap<>();
        credits.forEach(c -> {
            expected.merge(c.walletId(), c.amount(), Long::sum);
            perWallet.merge(c.walletId(), 1L, Long::sum);
        });
        expected.replaceAll((w, sum) -> 1000 + sum);
        assertBalances(expected); // balance = 1000 + its credits = the sum of its ledger; nothing pending
        perWallet.forEach((walletId, k) -> assertEquals(2 * k, count("SELECT player_seq FROM wallet WHERE id = " + walletId),
                "wallet " + walletId + ": one decision and one credit.applied event per credit"));

        long deadline = System.currentTimeMillis() + DEADLOCK_COUNTER_WAIT_MS;
        while (System.currentTimeMillis() < deadline && deadlocks() == deadlocksBefore) {
            Thread.sleep(500);
        }
        assertEquals(deadlocksBefore, deadlocks(), "pg_stat_database.deadlocks grew");
    }

    /**
     * {@code n} PENDING credits of 1..97 minor units over {@code wallets} fresh wallets (1000 each,
     * with its opening ledger entry), decided {@code ageMs} ago and never commanded: recorded as the
     * ingress records them (bet WON, credit PENDING, wallet pending += amount, player_seq + 1), set-based.
     */
    static List<Credit> stranded(String prefix, int wallets, int n, long ageMs) throws SQLException {
        try (Connection c = TestInfra.get().connect()) {
            c.setAutoCommit(false);
            String[] statements = {
                    "INSERT INTO player (id) SELECT ? || g FROM generate_series(1, ?) g",
                    "INSERT INTO wallet (player_id, currency, balance, version) SELECT ? || g, 'EUR', 1000, 1 FROM generate_series(1, ?) g",
                    "INSERT INTO ledger_entry (wallet_id, amount, balance_after, wallet_version, operation, idempotency_key)"
                            + " SELECT w.id, 1000, 1000, 1, 'deposit', 'deposit:' || w.player_id FROM wallet w"
                            + " JOIN generate_series(1, ?) g ON w.player_id = ? || g",
                    "INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake, state, latest_settlement_id)"
                            + " SELECT ? || 'bet-' || g, ? || 'ptx-' || g, w.player_id, w.id, 'EUR', 1, 'WON', ? || 'credit-' || g"
                            + " FROM generate_series(1, ?) g JOIN wallet w ON w.player_id = ? || (g % ? + 1)",
                    "INSERT INTO credit (id, wallet_id, player_id, bet_id, kind, amount, created_at)"
                            + " SELECT ? || 'credit-' || g, w.id, w.player_id, ? || 'bet-' || g, 'WIN', g % 97 + 1, now() - ? * interval '1 millisecond'"
                            + " FROM generate_series(1, ?) g JOIN wallet w ON w.player_id = ? || (g % ? + 1)",
                    "UPDATE wallet w SET pending = w.pending + s.total, player_seq = w.player_seq + s.k FROM"
                            + " (SELECT wallet_id, sum(amount) AS total, count(*) AS k FROM credit WHERE id LIKE ? || 'credit-%' GROUP BY wallet_id) s"
                            + " WHERE w.id = s.wallet_id" };
            Object[][] params = {
                    { prefix, wallets },
                    { prefix, wallets },
                    { wallets, prefix },
                    { prefix, prefix, prefix, n, prefix, wallets },
                    { prefix, prefix, ageMs, n, prefix, wallets },
                    { prefix } };
            for (int i = 0; i < statements.length; i++) {
                try (PreparedStatement ps = c.prepareStatement(statements[i])) {
                    for (int p = 0; p < params[i].length; p++) {
                        ps.setObject(p + 1, params[i][p]);
                    }
                    ps.executeUpdate();
                }
            }
            c.commit();
            List<Credit> credits = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, wallet_id, player_id, bet_id, amount FROM credit WHERE id LIKE ? || 'credit-%'"
                    + " ORDER BY id")) {
                ps.setString(1, prefix);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        credits.add(new Credit(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5)));
                    }
                }
            }
            Collections.shuffle(credits, new java.util.Random(42));
            return credits;
        }
    }

    static long deadlocks() {
        return count("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }

    static long committed(Lane lane) throws Exception {
        try (Admin admin = SettlementConsumerTest.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(lane.group()).partitionsToOffsetAndMetadata().get();
            return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
        }
    }

    /**
     * Kafka's own consumer-group tool ({@code kafka-consumer-groups.sh}: kafka-tools 4.3.1, from the
     * classpath kafka-runtime resolved for the broker), as an operator runs it; fails unless it exits 0.
     */
    static String consumerGroupTool(String... args) throws Exception {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path classpath = null;
        for (; dir != null && classpath == null; dir = dir.getParent()) {
            Path candidate = dir.resolve("kafka-runtime/target/kafka.classpath");
            classpath = Files.exists(candidate) ? candidate : null;
        }
        assertTrue(classpath != null, "kafka-runtime/target/kafka.classpath (built by mvn -pl settlement-worker -am)");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m", "-cp", Files.readString(classpath).trim(),
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server", TestInfra.get().bootstrapServers()));
        command.addAll(List.of(args));
        File log = File.createTempFile("consumer-groups-", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        try {
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            assertTrue(done && p.exitValue() == 0, "kafka-consumer-groups " + String.join(" ", args) + " failed: " + out);
            return out;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log.toPath());
        }
    }

    /** How many copies of the credit's wallet.credit.applied event wallet.events holds, once the relay published it. */
    static long appliedEventCopies(String creditId) throws Exception {
        String eventId = CloudEventJson.stableId("wallet.credit.applied", creditId);
        long deadline = System.nanoTime() + WorkerFixtures.WAIT.toNanos();
        while (System.nanoTime() < deadline && count("SELECT count(*) FROM outbox WHERE event_id = '" + eventId + "'") > 0) {
            Thread.sleep(100);
        }
        Properties p = WorkerFixtures.kafka("events-copies-" + SEQ.incrementAndGet());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        long copies = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.WALLET_EVENTS).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value().contains(eventId) && eventId.equals(CloudEventJson.mapper().readTree(r.value()).path("id").asText())) {
                        copies++;
                    }
                }
            }
        }
        return copies;
    }
}
