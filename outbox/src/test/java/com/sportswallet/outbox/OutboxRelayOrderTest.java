package com.sportswallet.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sportswallet.testkit.TestInfra;

/**
 * Several relays draining one outbox publish each key's rows in id order (issue 13): three relays,
 * each with its own producer, small batches and no linger, drain rows a writer commits meanwhile
 * for many keys. Read back, every key's events are in the order they were written, none missing.
 * With {@code FOR UPDATE SKIP LOCKED} claims (before V11's shard ownership) the relays held
 * disjoint batches at once and this failed.
 */
class OutboxRelayOrderTest {
    static final int KEYS = 16;
    static final int ROWS_PER_KEY = 40;
    static final int RELAYS = 3;
    static final Duration WAIT = Duration.ofSeconds(90);

    @BeforeAll
    static void prepare() throws Exception {
        OutboxRelayParkingTest.prepare();
    }

    @AfterAll
    static void close() {
        OutboxRelayParkingTest.close();
    }

    @Test
    void relaysDrainingOneOutboxTogetherPublishEachKeyInIdOrder() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "outbox-test.order-" + run;
        OutboxRelayParkingTest.createTopic(topic, 1_000_000);
        List<KafkaProducer<String, String>> producers = new ArrayList<>();
        List<OutboxRelay> relays = new ArrayList<>();
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        long drainMs;
        try (KafkaConsumer<String, String> consumer = OutboxRelayParkingTest.consumer(List.of(topic))) {
            // Half the rows wait in the outbox before the relays start (each claims a batch of the backlog at once), the
            // other half are written while they run. One writer, one commit per row: a key's rows are committed in id
            // order, as the wallet row lock makes them.
            try (Connection c = OutboxRelayParkingTest.ds().getConnection()) {
                write(c, run, topic, 0, ROWS_PER_KEY / 2, relays);
                for (int i = 0; i < RELAYS; i++) {
                    KafkaProducer<String, String> producer = OutboxRelayParkingTest.producer();
                    producers.add(producer);
                    relays.add(new OutboxRelay(OutboxRelayParkingTest.ds(), producer, new OutboxRelay.Config(7, 5, 3000, 400, 0), null,
                            OutboxRelayParkingTest.limits()));
                }
                relays.forEach(OutboxRelay::start);
                write(c, run, topic, ROWS_PER_KEY / 2, ROWS_PER_KEY, relays);
            }
            long started = System.nanoTime();
            long deadline = started + WAIT.toNanos();
            Set<String> ids = new HashSet<>();
            while (ids.size() < KEYS * ROWS_PER_KEY && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r);
                    ids.add(eventId(r));
                }
            }
            drainMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(KEYS * ROWS_PER_KEY, ids.size(), "every row published");
            assertTrue(relays.stream().mapToLong(OutboxRelay::publishedTotal).filter(p -> p > 0).count() >= 1);
        } finally {
            relays.forEach(OutboxRelay::close);
            producers.forEach(KafkaProducer::close);
        }
        Map<String, List<Integer>> firstSeen = new LinkedHashMap<>();
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<String, String> r : seen) {
            if (ids.add(eventId(r))) {
                String[] parts = eventId(r).split("-");
                firstSeen.computeIfAbsent(r.key(), x -> new ArrayList<>()).add(Integer.parseInt(parts[parts.length - 1]));
            }
        }
        List<Integer> inOrder = new ArrayList<>();
        for (int n = 0; n < ROWS_PER_KEY; n++) {
            inOrder.add(n);
        }
        for (int k = 0; k < KEYS; k++) {
            assertEquals(inOrder, firstSeen.get(key(run, k)), "key " + key(run, k) + " in the order its rows were written");
        }
        System.out.printf("[relay-order] %d relays, %d keys x %d rows: %d records read in %d ms after the second half was written,"
                + " %s published per relay%n", RELAYS, KEYS, ROWS_PER_KEY, seen.size(), drainMs,
                relays.stream().map(OutboxRelay::publishedTotal).toList());
        try (Connection c = OutboxRelayParkingTest.ds().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE topic = ?")) {
            ps.setString(1, topic);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(0, rs.getLong(1), "every published row deleted");
            }
        }
    }

    /** Rows {@code from..to-1} of every key, round-robin over the keys, each committed alone, waking a relay after each. */
    private static void write(Connection c, String run, String topic, int from, int to, List<OutboxRelay> relays) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox (topic, msg_key, event_id, payload) VALUES (?, ?, ?, ?)")) {
            for (int n = from; n < to; n++) {
                for (int k = 0; k < KEYS; k++) {
                    String id = "o-" + run + "-" + k + "-" + n;
                    ps.setString(1, topic);
                    ps.setString(2, key(run, k));
                    ps.setString(3, id);
                    ps.setString(4, OutboxRelayParkingTest.payload(id, 80));
                    ps.executeUpdate();
                    if (!relays.isEmpty()) {
                        relays.get((n + k) % relays.size()).wakeUp();
                    }
                }
            }
        }
    }

    private static String key(String run, int k) {
        return "ord-" + run + "-" + k;
    }

    private static String eventId(ConsumerRecord<String, String> r) {
        String v = r.value();
        int at = v.indexOf("\"id\":\"") + 6;
        return v.substring(at, v.indexOf('"', at));
    }
}
