package com.sportswallet.notifier.support;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;

import com.sportswallet.notifier.streams.NotifierSettings;
import com.sportswallet.notifier.streams.PlayerState;
import com.sportswallet.notifier.streams.StoreNames;
import com.sportswallet.notifier.streams.TopologyProducer;

/** The notifier topology as a plain KafkaStreams app against the real test broker (production settings: exactly_once_v2). */
public final class StreamsRunner implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(120);
    /** One admin call of a catch-up round; well below CATCH_UP_TIMEOUT so a late answer costs a round, not the wait. */
    static final long ADMIN_CALL_TIMEOUT_MS = 15_000;

    private final String applicationId;
    private final String bootstrap;
    private final KafkaStreams streams;
    private final TopologyProducer.TopicNames topics;

    public StreamsRunner(String bootstrap, String applicationId, Path stateDir, NotifierSettings settings) throws InterruptedException {
        this(bootstrap, applicationId, stateDir, settings, TopologyProducer.TopicNames.DEFAULT);
    }

    public StreamsRunner(String bootstrap, String applicationId, Path stateDir, NotifierSettings settings,
            TopologyProducer.TopicNames topics) throws InterruptedException {
        this(bootstrap, applicationId, stateDir, settings, topics, false);
    }

    /**
     * @param production true: the notifier's Kafka Streams settings exactly as production has them (the throughput
     *                   program measures those); false: with the test profile's ({@code %test.kafka-streams.*}) on top,
     *                   as the notifier runs under @QuarkusTest
     */
    public StreamsRunner(String bootstrap, String applicationId, Path stateDir, NotifierSettings settings,
            TopologyProducer.TopicNames topics, boolean production) throws InterruptedException {
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.applicationId = applicationId;
        Properties p = new Properties();
        p.putAll(notifierStreamsConfig(production));
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // -Dbench.streams.<config>=<value> overrides (the throughput program uses it to compare settings).
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.streams."))
                .forEach(k -> p.put(k.substring("bench.streams.".length()), System.getProperty(k)));
        streams = new KafkaStreams(TopologyProducer.build(settings, topics), p);
        streams.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(applicationId + " not RUNNING within " + START_TIMEOUT + ": " + streams.state());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Waits until the app has committed every input (wallet.events) offset (its outputs and stores are then complete). One
     * round's admin call that the broker answers late (a loaded CI box; the group coordinator still loading) is a round
     * lost, not a failure: only the overall CATCH_UP_TIMEOUT fails the wait, naming the last late call.
     */
    public void awaitCaughtUp() throws Exception {
        long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
        String last = "no round finished";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            while (true) {
                try {
                    Map<TopicPartition, OffsetSpec> req = new HashMap<>();
                    for (var d : admin.describeTopics(List.of(topics.walletEvents())).allTopicNames().get(ADMIN_CALL_TIMEOUT_MS,
                            TimeUnit.MILLISECONDS).values()) {
                        d.partitions().forEach(part -> req.put(new TopicPartition(d.name(), part.partition()), OffsetSpec.latest()));
                    }
                    var ends = admin.listOffsets(req).all().get(ADMIN_CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                            .partitionsToOffsetAndMetadata().get(ADMIN_CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    boolean done = ends.entrySet().stream().allMatch(e -> {
                        OffsetAndMetadata c = committed.get(e.getKey());
                        return e.getValue().offset() == 0 || (c != null && c.offset() >= e.getValue().offset());
                    });
                    if (done) {
                        return;
                    }
                    last = "committed " + committed + " ends " + ends;
                } catch (TimeoutException e) {
                    last = "an admin call unanswered after " + ADMIN_CALL_TIMEOUT_MS + " ms";
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(applicationId + " did not catch up within " + CATCH_UP_TIMEOUT + ": " + last);
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * The notifier's own Kafka Streams configuration: every {@code kafka-streams.*} property of its
     * application.properties (what Quarkus hands Kafka Streams), each {@code ${ENV:default}} at its
     * default, so these runs use production's commit interval, record cache, producer batching and
     * RocksDB memory bound instead of a copy that drifts; with the test profile's on top unless
     * {@code production}. The state dir and client id are the runner's own.
     */
    public static Map<String, String> notifierStreamsConfig(boolean production) {
        Properties file = new Properties();
        try (var in = StreamsRunner.class.getClassLoader().getResourceAsStream("application.properties")) {
            file.load(in);
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("the notifier's application.properties is not on the classpath", e);
        }
        Map<String, String> out = new HashMap<>();
        List<String> prefixes = production ? List.of("kafka-streams.") : List.of("kafka-streams.", "%test.kafka-streams.");
        for (String prefix : prefixes) {
            for (String key : file.stringPropertyNames()) {
                if (key.startsWith(prefix)) {
                    String name = key.substring(prefix.length());
                    if (!name.equals(StreamsConfig.STATE_DIR_CONFIG) && !name.equals(StreamsConfig.CLIENT_ID_CONFIG)) {
                        out.put(name, resolve(file, file.getProperty(key), 0));
                    }
                }
            }
        }
        return out;
    }

    /** {@code ${NAME:default}} at its default, {@code ${other.property}} at that property's value (resolved in turn). */
    private static String resolve(Properties file, String value, int depth) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{([^:}]+)(?::([^}]*))?}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(2) != null ? m.group(2) : file.getProperty(m.group(1));
            if (replacement == null || depth > 5) {
                throw new IllegalStateException("cannot resolve " + m.group() + " in the notifier's application.properties");
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(resolve(file, replacement, depth + 1)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The Kafka Streams client's metrics (its own, its consumers' and its producers'): the throughput program prints some. */
    public Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics() {
        return streams.metrics();
    }

    /** Every player aggregate of the app (all local partitions). */
    public Map<String, PlayerState> players() {
        Map<String, PlayerState> m = new HashMap<>();
        var store = streams.store(StoreQueryParameters.fromNameAndType(StoreNames.PLAYERS, QueryableStoreTypes.<String, PlayerState>keyValueStore()));
        try (KeyValueIterator<String, PlayerState> it = store.all()) {
            it.forEachRemaining(kv -> m.put(kv.key, kv.value));
        }
        return m;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
