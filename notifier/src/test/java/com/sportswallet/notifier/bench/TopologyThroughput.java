package com.sportswallet.notifier.bench;

import static com.sportswallet.notifier.streams.WalletEventsFixture.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import com.sportswallet.contracts.Topics;
import com.sportswallet.notifier.streams.NotifierSettings;
import com.sportswallet.notifier.streams.WalletEventsFixture.Ev;
import com.sportswallet.notifier.support.StreamsRunner;
import com.sportswallet.testkit.KafkaBroker;

/**
 * Events/s through the notifier topology on a real broker, exactly as it runs in production: every
 * {@code kafka-streams.*} setting of the notifier's application.properties at its default
 * (exactly_once_v2, the commit interval, record cache, producer batching, the bounded RocksDB memory;
 * {@link StreamsRunner#notifierStreamsConfig}), RocksDB stores with changelogs, one stream thread.
 * {@code -Dbench.streams.<config>=<value>} overrides one to compare. Not a test: prints a figure.
 *
 * <p>It pre-loads N wallet events (default 200000, over 10000 players: deposits, bets, wins, losses,
 * refunds, credit.applied, rollbacks, 1% duplicates) into wallet.events (12 partitions), then starts
 * the topology and times it from RUNNING until every offset is committed.
 *
 * <pre>
 *   java -cp ... com.sportswallet.notifier.bench.TopologyThroughput [events] [bootstrap]
 * </pre>
 * Without a bootstrap it starts its own Kafka 4.3.1 broker (testkit's child JVM) and stops it after.
 */
public final class TopologyThroughput {
    private TopologyThroughput() {
    }

    public static void main(String[] args) throws Exception {
        // Warnings only (run with -Djava.util.logging.manager=org.jboss.logmanager.LogManager, as Quarkus does):
        // Kafka's INFO and below would otherwise be formatted and printed on the measured threads.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        KafkaBroker broker = args.length > 1 ? null : KafkaBroker.startFresh();
        String bootstrap = args.length > 1 ? args[1] : broker.bootstrapServers();
        try {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic(Topics.WALLET_EVENTS, 12, (short) 1), new NewTopic(Topics.CRM_EVENTS, 12, (short) 1),
                        new NewTopic(Topics.BONUS_EVENTS, 12, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            List<Ev> events = events(n, 10_000);
            long t0 = System.nanoTime();
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new StringSerializer())) {
                for (Ev e : events) {
                    p.send(new ProducerRecord<>(Topics.WALLET_EVENTS, e.player(), e.json()));
                }
                p.flush();
            }
            System.out.printf("loaded %d events into wallet.events in %.1f s%n", events.size(), (System.nanoTime() - t0) / 1e9);
            Path state = Files.createTempDirectory(Path.of("target"), "bench-state-");
            System.out.println("streams config: " + new java.util.TreeMap<>(StreamsRunner.notifierStreamsConfig(true)) + " overrides: "
                    + System.getProperties().entrySet().stream().filter(e -> e.getKey().toString().startsWith("bench.streams.")).toList());
            long start = System.nanoTime();
            try (StreamsRunner app = new StreamsRunner(bootstrap, "bench-notifier", state, NotifierSettings.defaults(),
                    com.sportswallet.notifier.streams.TopologyProducer.TopicNames.DEFAULT, true)) {
                long running = System.nanoTime();
                long cpuBefore = streamThreadCpuNanos();
                long brokerCpuBefore = brokerCpuNanos();
                app.awaitCaughtUp();
                long done = System.nanoTime();
                double cpuSeconds = (streamThreadCpuNanos() - cpuBefore) / 1e9;
                double brokerCpuSeconds = (brokerCpuNanos() - brokerCpuBefore) / 1e9;
                double seconds = (done - running) / 1e9;
                System.out.printf("topology: %d events in %.2f s after RUNNING = %.0f events/s wall clock (start to RUNNING %.1f s);"
                        + " stream thread CPU %.2f s = %.0f events per CPU-second, %.1f us/event; load average %.1f on %d cores%n",
                        events.size(), seconds, events.size() / seconds, (running - start) / 1e9, cpuSeconds, events.size() / cpuSeconds,
                        cpuSeconds * 1e6 / events.size(), java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                        Runtime.getRuntime().availableProcessors());
                if (brokerCpuSeconds >= 0) {
                    System.out.printf("broker: CPU %.2f s over the same time = %.1f us/event%n", brokerCpuSeconds, brokerCpuSeconds * 1e6 / events.size());
                }
                printMetrics(app);
            }
        } finally {
            if (broker != null) {
                broker.stop();
            }
        }
    }

    /**
     * What the run cost in commits and requests (the levers of a commit interval, a record cache and
     * the producer's batching): the stream thread's commits and their latency, the producer's
     * requests, records and batch sizes, the consumer's fetches.
     */
    private static void printMetrics(StreamsRunner app) {
        java.util.Map<String, String> wanted = new java.util.LinkedHashMap<>();
        wanted.put("stream-thread-metrics/commit-total", "commits");
        wanted.put("stream-thread-metrics/commit-latency-avg", "commit ms avg");
        wanted.put("stream-thread-metrics/commit-latency-max", "commit ms max");
        wanted.put("producer-metrics/request-total", "produce+txn requests");
        wanted.put("producer-metrics/record-send-total", "records sent");
        wanted.put("producer-metrics/records-per-request-avg", "records/request avg");
        wanted.put("producer-metrics/batch-size-avg", "batch bytes avg");
        wanted.put("producer-metrics/outgoing-byte-total", "bytes out");
        wanted.put("consumer-fetch-manager-metrics/fetch-total", "fetches");
        StringBuilder out = new StringBuilder("metrics:");
        for (var w : wanted.entrySet()) {
            String[] gn = w.getKey().split("/");
            double sum = 0;
            int found = 0;
            for (var m : app.metrics().entrySet()) {
                if (m.getKey().group().equals(gn[0]) && m.getKey().name().equals(gn[1]) && !m.getKey().tags().containsKey("topic")
                        && m.getValue().metricValue() instanceof Double d && !d.isNaN()) {
                    sum = found == 0 || !gn[1].endsWith("-max") ? sum + d : Math.max(sum, d);
                    found++;
                }
            }
            out.append(String.format(" %s %.1f;", w.getValue(), gn[1].endsWith("-avg") && found > 0 ? sum / found : sum));
        }
        System.out.println(out);
    }

    /** CPU time of the broker's JVM (the testkit's child process; it shares the cores), or -1 when it is not ours. */
    private static long brokerCpuNanos() {
        String pid = System.getProperty("testinfra.kafka.pid");
        return pid == null ? -1 : ProcessHandle.of(Long.parseLong(pid)).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos)
                .orElse(-1L);
    }

    /** CPU time of the Kafka Streams processing threads (the topology's work; the broker runs in another JVM). */
    private static long streamThreadCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null && t.getThreadName().contains("StreamThread")) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
            }
        }
        return sum;
    }

    static List<Ev> events(int n, int players) {
        Random random = new Random(1);
        Instant t = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        List<Ev> out = new ArrayList<>(n + n / 100);
        int seq = 0;
        while (out.size() < n) {
            String p = "bench-" + random.nextInt(players);
            seq++;
            Instant at = t.plusMillis(seq);
            String bet = betId(p + "-" + seq);
            long stake = 100 + random.nextInt(5_000);
            int kind = random.nextInt(100);
            if (kind < 5) {
                out.add(deposit(p, p + "-dep-" + seq, 100_000, 100_000, seq, at));
                continue;
            }
            out.add(placed(p, bet, stake, at));
            String sid = settlementId("bet/win", p + "-s" + seq);
            if (kind < 45) {
                out.add(won(p, bet, sid, stake * 2, false, at));
                out.add(creditApplied(p, bet, sid, "WIN", stake * 2, 1_000_000, seq, at));
                if (kind < 8) {
                    out.add(rolledBack(p, bet, settlementId("bet/rollback", p + "-rb" + seq), sid, "win", stake * 2, at));
                }
            } else if (kind < 90) {
                out.add(lost(p, bet, sid, at));
            } else {
                out.add(refunded(p, bet, sid, stake, at));
            }
            if (random.nextInt(100) == 0) {
                out.add(out.get(out.size() - 1)); // a re-sent duplicate
            }
        }
        return current(out.subList(0, n)); // with player_seq and stakes, as the ingress writes them today
    }
}
