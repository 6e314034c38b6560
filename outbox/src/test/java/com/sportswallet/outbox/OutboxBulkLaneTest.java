package com.sportswallet.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A mass grant's rows (the outbox's bulk lane, V17) do not hold back what is decided after them
 * (issue 14: credit latency p99 went from 113 ms to 7,489 ms during a 100,000-player grant): a
 * round claims the live lane first, then a quarter of a round of bulk rows, whatever the live lane
 * holds, and at most OUTBOX_BULK_ROWS_PER_SECOND_MAX bulk rows a second (publishing a grant's
 * records flat out took the credits' CPU). The relay started on its own drains a bulk backlog at that
 * rate, without waiting for its poll between rounds. Each lane keeps each key's rows in id order.
 */
class OutboxBulkLaneTest {
    static final int BATCH = 100;

    @BeforeAll
    static void prepare() throws Exception {
        OutboxRelayParkingTest.prepare();
    }

    @AfterAll
    static void close() {
        OutboxRelayParkingTest.close();
    }

    @Test
    void aLiveRowWrittenAfterABulkFanOutGoesInTheNextRoundAndTheBulkLaneStillDrainsInOrder() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String grants = "outbox-test.grants-" + run;
        String events = "outbox-test.live-" + run;
        OutboxRelayParkingTest.createTopic(grants, 1_000_000);
        OutboxRelayParkingTest.createTopic(events, 1_000_000);
        int bulkKeys = 50;
        int bulkPerKey = 20; // 1,000 bulk rows: ten rounds of BATCH
        writeBulk(grants, run, bulkKeys, bulkPerKey);
        long live = OutboxRelayParkingTest.insert(events, "live-" + run, "live-" + run, OutboxRelayParkingTest.payload("live-" + run, 100));
        assertTrue(live < OutboxRelay.BULK_LANE_START, "a plain insert takes a live id");
        assertEquals(OutboxRelay.BULK_LANE_START, OutboxRelayParkingTest.count("SELECT outbox_bulk_lane_start()"), "V17's bound");
        // The relay's clock runs, and the test moves it past the bulk lane's rate bound between its own rounds.
        AtomicLong skippedNanos = new AtomicLong();
        try (KafkaProducer<String, String> producer = OutboxRelayParkingTest.producer();
                OutboxRelay relay = new OutboxRelay(OutboxRelayParkingTest.ds(), producer, new OutboxRelay.Config(BATCH, 50, 3000, 400, 0), null,
                        OutboxRelayParkingTest.limits(), () -> System.nanoTime() + skippedNanos.get())) {
            assertEquals(1 + BATCH / 4, relay.drainOnce(), "the live row and the bulk lane's share");
            skippedNanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            assertEquals(List.of(), OutboxRelayParkingTest.outboxIdsOf("live-" + run), "the live row went in the first round, before the bulk rows");
            assertEquals(bulkKeys * bulkPerKey - BATCH / 4, bulkRows(grants), "a quarter of a round of bulk rows");

            // The live lane filling every round: the bulk lane still gets its quarter of a round on top.
            for (int i = 0; i < 2 * BATCH; i++) {
                OutboxRelayParkingTest.insert(events, "busy-" + run + "-" + (i % 7), "busy-" + run + "-" + i,
                        OutboxRelayParkingTest.payload("busy-" + run + "-" + i, 100));
            }
            long bulkBefore = bulkRows(grants);
            assertEquals(BATCH + BATCH / 4, relay.drainOnce(), "a full live round plus the bulk lane's share");
            assertEquals(bulkBefore - BATCH / 4, bulkRows(grants));
            // The rest by the relay's own loop: rounds of a full bulk share follow each other without its 50 ms poll.
            long started = System.nanoTime();
            relay.start();
            OutboxRelayParkingTest.await(() -> {
                try {
                    return bulkRows(grants) == 0;
                } catch (Exception e) {
                    return false;
                }
            }, "the bulk lane drained by the relay's loop");
            System.out.printf("[bulk-lane] %d bulk rows left drained by the loop in %d ms%n", bulkBefore - BATCH / 4,
                    (System.nanoTime() - started) / 1_000_000);
        }
        assertEquals(0, bulkRows(grants));
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = OutboxRelayParkingTest.consumer(List.of(grants))) {
            OutboxRelayParkingTest.await(() -> OutboxRelayParkingTest.poll(consumer, seen).size() >= bulkKeys * bulkPerKey,
                    "every bulk row on Kafka");
        }
        for (int k = 0; k < bulkKeys; k++) {
            List<String> expected = new ArrayList<>();
            for (int n = 0; n < bulkPerKey; n++) {
                expected.add(bulkId(run, k, n));
            }
            assertEquals(expected, OutboxRelayParkingTest.eventIdsOf(seen, grants, "bulk-" + run + "-" + k), "key " + k + " in id order");
        }
    }

    @Test
    void theBulkLaneIsClaimedAtMostAtItsRateWhileLiveRowsGoEveryRound() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String grants = "outbox-test.grants-" + run;
        String events = "outbox-test.live-" + run;
        OutboxRelayParkingTest.createTopic(grants, 1_000_000);
        OutboxRelayParkingTest.createTopic(events, 1_000_000);
        writeBulk(grants, run, 10, 10);
        int perSecond = 50; // a round's share is min(BATCH / 4, 50) = 25 rows, then 500 ms before the next bulk claim
        AtomicLong clock = new AtomicLong(); // the relay's clock: only the test moves it
        try (KafkaProducer<String, String> producer = OutboxRelayParkingTest.producer();
                OutboxRelay relay = new OutboxRelay(OutboxRelayParkingTest.ds(), producer,
                        new OutboxRelay.Config(BATCH, 50, 3000, 400, 0, 10, perSecond), null, OutboxRelayParkingTest.limits(), clock::get)) {
            assertEquals(BATCH / 4, relay.drainOnce(), "the first bulk claim takes a share");
            assertEquals(100 - BATCH / 4, bulkRows(grants));
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(499));
            assertEquals(0, relay.drainOnce(), "25 rows at 50 a second: no bulk claim before 500 ms");
            OutboxRelayParkingTest.insert(events, "live-" + run, "live-" + run, OutboxRelayParkingTest.payload("live-" + run, 100));
            assertEquals(1, relay.drainOnce(), "a live row goes while the bulk lane waits for its rate");
            assertEquals(100 - BATCH / 4, bulkRows(grants), "and no bulk row with it");
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
            assertEquals(BATCH / 4, relay.drainOnce(), "500 ms after the first share, the next");
            assertEquals(100 - 2 * (BATCH / 4), bulkRows(grants));
        } finally {
            // The other tests' relays claim every bulk row of the shared outbox: leave none of this test's.
            try (Connection c = OutboxRelayParkingTest.ds().getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM outbox WHERE topic = ?")) {
                ps.setString(1, grants);
                ps.executeUpdate();
            }
        }
    }

    /** One transaction, as a grant's fan-out: row n of every key, n = 0.., ids from the bulk lane's sequence. */
    private static void writeBulk(String topic, String run, int keys, int perKey) throws Exception {
        try (Connection c = OutboxRelayParkingTest.ds().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO outbox (id, topic, msg_key, event_id, payload) VALUES (nextval('outbox_bulk_id_seq'), ?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int n = 0; n < perKey; n++) {
                for (int k = 0; k < keys; k++) {
                    ps.setString(1, topic);
                    ps.setString(2, "bulk-" + run + "-" + k);
                    ps.setString(3, bulkId(run, k, n));
                    ps.setString(4, OutboxRelayParkingTest.payload(bulkId(run, k, n), 100));
                    ps.addBatch();
                }
            }
            ps.executeBatch();
            c.commit();
        }
    }

    private static String bulkId(String run, int k, int n) {
        return "b-" + run + "-" + k + "-" + n;
    }

    private static long bulkRows(String topic) throws Exception {
        return OutboxRelayParkingTest.count("SELECT count(*) FROM outbox WHERE topic = '" + topic + "' AND id >= outbox_bulk_lane_start()");
    }
}
