package com.sportswallet.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sportswallet.testkit.TestInfra;

/**
 * A key's rows reach Kafka in id order across a broker outage (issue 12, chaos run 2 of
 * 2026-12-02: a player's events landed out of {@code player_seq} order while the broker was
 * stopped and two relays' sends were timing out). Two relays, each with the production producer
 * settings, drain rows a writer commits steadily for many keys while the broker is stopped twice
 * and started again. Read back, every key's first occurrences are in the order they were written,
 * none missing (re-sends of a row are allowed: consumers drop them by event id).
 */
class OutboxRelayOutageOrderTest {
    static final int KEYS = 24;
    static final int RELAYS = 2;
    static final long WRITE_INTERVAL_MS = 4;
    static final long OUTAGE_MS = 5_000;
    static final long UP_BETWEEN_MS = 4_000;
    static final int OUTAGES = 2;
    static final Duration DRAIN_WAIT = Duration.ofSeconds(120);

    @BeforeAll
    static void prepare() throws Exception {
        OutboxRelayParkingTest.prepare();
    }

    @AfterAll
    static void close() {
        TestInfra.get().startBroker();
        OutboxRelayParkingTest.close();
    }

    @Test
    void eachKeyStaysInIdOrderWhileTheBrokerStopsAndStartsUnderLoad() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        // Two topics, each key's rows alternating between them: a round holds rows of both, and what stalls one topic's
        // sends (its metadata lost while the broker is away) delays the other's within the round.
        List<String> topics = List.of("outbox-test.outage-a-" + run, "outbox-test.outage-b-" + run);
        for (String topic : topics) {
            OutboxRelayParkingTest.createTopic(topic, 1_000_000);
        }
        List<KafkaProducer<String, String>> producers = new ArrayList<>();
        List<OutboxRelay> relays = new ArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        AtomicReference<Exception> writerFailed = new AtomicReference<>();
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        try {
            for (int i = 0; i < RELAYS; i++) {
                KafkaProducer<String, String> producer = OutboxRelayParkingTest.producer();
                producers.add(producer);
                // Production's shape: batches, a short poll, the send timeout the producer's delivery timeout is made from.
                relays.add(new OutboxRelay(OutboxRelayParkingTest.ds(), producer, new OutboxRelay.Config(200, 50, 3000, 800, 5, 1000), null,
                        OutboxRelayParkingTest.limits()));
            }
            relays.forEach(OutboxRelay::start);
            Thread writer = new Thread(() -> {
                try (Connection c = OutboxRelayParkingTest.ds().getConnection();
                        PreparedStatement ps = c.prepareStatement("INSERT INTO outbox (topic, msg_key, event_id, payload) VALUES (?, ?, ?, ?)")) {
                    for (int n = 0; writing.get(); n++) {
                        for (int k = 0; k < KEYS && writing.get(); k++) {
                            String id = "g-" + run + "-" + k + "-" + n;
                            ps.setString(1, topics.get(n % topics.size()));
                            ps.setString(2, key(run, k));
                            ps.setString(3, id);
                            ps.setString(4, OutboxRelayParkingTest.payload(id, 120));
                            ps.executeUpdate();
                            written.incrementAndGet();
                            relays.get((n + k) % RELAYS).wakeUp();
                        }
                        Thread.sleep(WRITE_INTERVAL_MS);
                    }
                } catch (Exception e) {
                    writerFailed.set(e);
                }
            }, "outage-writer");
            writer.start();
            Thread.sleep(UP_BETWEEN_MS);
            for (int i = 0; i < OUTAGES; i++) {
                TestInfra.get().stopBroker();
                Thread.sleep(OUTAGE_MS);
                TestInfra.get().startBroker();
                Thread.sleep(UP_BETWEEN_MS);
            }
            writing.set(false);
            writer.join();
            assertEquals(null, writerFailed.get(), "the writer's inserts");
            OutboxRelayParkingTest.await(() -> topics.stream().mapToLong(OutboxRelayOutageOrderTest::countRows).sum() == 0, "the outbox drained after the outages");
        } finally {
            writing.set(false);
            TestInfra.get().startBroker();
            relays.forEach(OutboxRelay::close);
            producers.forEach(KafkaProducer::close);
        }
        int total = written.get();
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = OutboxRelayParkingTest.consumer(topics)) {
            long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
            while (ids.size() < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r);
                    ids.add(OutboxRelayParkingTest.idOf(r.value()));
                }
            }
        }
        assertEquals(total, ids.size(), "every row written is on Kafka");
        Map<String, List<Integer>> firstSeen = new LinkedHashMap<>();
        Set<String> first = new HashSet<>();
        List<String> violations = new ArrayList<>();
        for (ConsumerRecord<String, String> r : seen) {
            String id = OutboxRelayParkingTest.idOf(r.value());
            if (!first.add(id)) {
                continue; // a re-send: dropped by id downstream
            }
            String[] parts = id.split("-");
            int n = Integer.parseInt(parts[parts.length - 1]);
            List<Integer> before = firstSeen.computeIfAbsent(r.topic() + "/" + r.key(), x -> new ArrayList<>());
            if (!before.isEmpty() && before.get(before.size() - 1) != n - topics.size()) {
                violations.add(r.key() + ": row " + n + " at " + r.topic() + "-" + r.partition() + "@" + r.offset() + " after row "
                        + before.get(before.size() - 1));
            }
            before.add(n);
        }
        System.out.printf("[relay-outage-order] %d relays, %d keys, %d rows written, %d records read (%d re-sends), %d out of order%n",
                RELAYS, KEYS, total, seen.size(), seen.size() - ids.size(), violations.size());
        assertTrue(violations.isEmpty(), () -> violations.size() + " rows out of their key's order, first: "
                + violations.subList(0, Math.min(10, violations.size())));
    }

    /**
     * The defect itself, made certain: a round sends row 1 of key K, then waits (a topic it has not
     * described yet, the broker away) past the producer's delivery timeout, so row 1's batch expires
     * in the producer; the broker is back when the wait ends. Before the fix the round went on and
     * sent K's row 2 in a second batch, delivered, and row 1 went out in a later round: row 2 before
     * row 1 on Kafka. Now the round stops sending once it has sent for longer than its window.
     */
    @Test
    void aRoundNeverDeliversAKeysLaterRowWhenItsEarlierRowsBatchExpired() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topicA = "outbox-test.expiry-a-" + run;
        String topicX = "outbox-test.expiry-x-" + run;
        OutboxRelayParkingTest.createTopic(topicA, 1_000_000);
        OutboxRelayParkingTest.createTopic(topicX, 1_000_000);
        String k = "exp-k-" + run;
        TopicLimits limits = new TopicLimits(OutboxRelayParkingTest.admin(), Duration.ofSeconds(40), TopicLimits.REQUEST_BYTES_MAX_DEFAULT,
                com.sportswallet.contracts.TopicSettings.defaults().withPartitions(3));
        try (KafkaProducer<String, String> producer = OutboxRelayParkingTest.producer();
                OutboxRelay relay = new OutboxRelay(OutboxRelayParkingTest.ds(), producer, new OutboxRelay.Config(500, 50, 3000, 400, 0, 1000),
                        null, limits)) {
            // Topic A described and in the producer's metadata; X never seen.
            OutboxRelayParkingTest.insert(topicA, "exp-w-" + run, "w1-" + run, OutboxRelayParkingTest.payload("w1-" + run, 100));
            assertEquals(1, relay.drainOnce(), "the warm-up row");
            OutboxRelayParkingTest.insert(topicA, k, "k1-" + run, OutboxRelayParkingTest.payload("k1-" + run, 100));
            OutboxRelayParkingTest.insert(topicX, "exp-z-" + run, "x1-" + run, OutboxRelayParkingTest.payload("x1-" + run, 100));
            OutboxRelayParkingTest.insert(topicA, k, "k2-" + run, OutboxRelayParkingTest.payload("k2-" + run, 100));
            TestInfra.get().stopBroker();
            // Back well after k1's batch expired (3 s), well before X's description gives up (40 s).
            Thread starter = new Thread(() -> {
                try {
                    Thread.sleep(4_500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                TestInfra.get().startBroker();
            }, "broker-starter");
            starter.start();
            try {
                relay.drainOnce();
            } catch (OutboxRelay.OutageException expected) {
                // k1 failed and nothing else went: the round was an outage
            }
            starter.join();
            long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
            while (countRows(topicA) + countRows(topicX) > 0 && System.nanoTime() < deadline) {
                try {
                    relay.drainOnce();
                } catch (OutboxRelay.OutageException notYet) {
                    Thread.sleep(200);
                }
                Thread.sleep(60); // a failed key waits 50 ms before its next try
            }
            assertEquals(0, countRows(topicA) + countRows(topicX), "the outbox drained");
        } finally {
            TestInfra.get().startBroker();
        }
        List<String> kIds = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = OutboxRelayParkingTest.consumer(List.of(topicA))) {
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            OutboxRelayParkingTest.await(() -> {
                OutboxRelayParkingTest.poll(consumer, seen);
                kIds.clear();
                seen.stream().filter(r -> k.equals(r.key())).map(r -> OutboxRelayParkingTest.idOf(r.value())).distinct().forEach(kIds::add);
                return kIds.size() == 2;
            }, "both rows of k on Kafka");
        }
        assertEquals(List.of("k1-" + run, "k2-" + run), kIds, "k's rows first reach Kafka in the order they were written");
    }

    private static long countRows(String topic) {
        try {
            return OutboxRelayParkingTest.count("SELECT count(*) FROM outbox WHERE topic = '" + topic + "'");
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    private static String key(String run, int k) {
        return "out-" + run + "-" + k;
    }
}
