package com.sportswallet.worker.settlement;

import static com.sportswallet.worker.settlement.SettlementConsumerTest.assertBalances;
import static com.sportswallet.worker.settlement.SettlementConsumerTest.awaitCommitted;
import static com.sportswallet.worker.settlement.SettlementConsumerTest.credits;
import static com.sportswallet.worker.settlement.SettlementConsumerTest.expectedBalances;
import static com.sportswallet.worker.settlement.WorkerFixtures.awaitDecided;
import static com.sportswallet.worker.settlement.WorkerFixtures.count;
import static com.sportswallet.worker.settlement.WorkerFixtures.idList;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sportswallet.testkit.TestInfra;
import com.sportswallet.worker.settlement.WorkerFixtures.Credit;
import com.sportswallet.worker.settlement.WorkerFixtures.Lane;
import com.sportswallet.worker.settlement.WorkerFixtures.Running;

/**
 * Issue 12, finding 1: a consumer backing off after a transient database failure polls its paused
 * assignment to stay in the group. When the group rebalances during that backoff, its partitions
 * come back unpaused; every record such a poll returns must be read again later (never dropped), and
 * no offset may be committed past a record that was not applied.
 */
class SettlementConsumerBackoffRebalanceTest {
    /** Long enough that each rebalance lands inside a backoff, where the consumer polls. */
    private static final long BACKOFF_MS = 3000;
    private static final long LOCK_TIMEOUT_MS = 300;

    @BeforeAll
    static void prepare() throws Exception {
        WorkerFixtures.prepare();
    }

    @Test
    void aRebalanceDuringTheBackoffDropsNoRecordAndEveryCreditLandsOnce() throws Exception {
        Lane lane = Lane.fresh();
        List<Credit> early = credits(20, 60);
        List<Credit> late = credits(20, 240);
        List<Credit> all = new ArrayList<>(early);
        all.addAll(late);
        SettlementConsumer.Config config = new SettlementConsumer.Config(500, 200, 200, BACKOFF_MS, BACKOFF_MS, 10_000, lane.topic(), lane.group());
        DataSource failing = WorkerFixtures.dataSourceWithLockTimeout(LOCK_TIMEOUT_MS);
        AtomicInteger retriesA = new AtomicInteger();
        AtomicInteger retriesB = new AtomicInteger();
        try (KafkaProducer<String, String> dlq = WorkerFixtures.producer(); Admin admin = SettlementConsumerTest.admin();
                Connection locker = TestInfra.get().connect()) {
            // The forced failure: another session holds the credit table, so every batch times out on its lock.
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE credit IN EXCLUSIVE MODE");
            }
            WorkerFixtures.send(lane, early, 1);
            Running a = WorkerFixtures.start(lane, failing, dlq, config, retrying(retriesA));
            try {
                awaitAtLeast(retriesA, 1, "worker A's first batch failed on the lock and backs off");
                // Commands arriving while A backs off with its partitions paused.
                WorkerFixtures.send(lane, late, 1);

                // A second worker joins: the group rebalances while A backs off.
                Running b = WorkerFixtures.start(lane, failing, dlq, config, retrying(retriesB));
                try {
                    awaitGroup(admin, lane, g -> g.members().size() == 2 && g.members().stream()
                            .allMatch(m -> !m.assignment().topicPartitions().isEmpty()), "two members, each with partitions");
                    awaitAtLeast(retriesB, 1, "worker B's first batch failed on the lock too");
                    int before = retriesA.get();
                    awaitAtLeast(retriesA, before + 1, "worker A polled through the rebalance and retried");
                } finally {
                    b.close(); // and leaves: another rebalance, A takes every partition back during a backoff
                }
                awaitGroup(admin, lane, g -> g.members().size() == 1 && g.members().iterator().next().assignment().topicPartitions().size() == 3,
                        "A alone with the three partitions");
                int before = retriesA.get();
                awaitAtLeast(retriesA, before + 1, "worker A polled through the second rebalance and retried");
                assertEquals(all.size(), count("SELECT count(*) FROM credit WHERE status = 'PENDING' AND id IN (" + idList(all) + ")"),
                        "nothing applied while the table is locked");
            } finally {
                locker.rollback(); // the database is back
            }
            assertEquals(all.size(), awaitDecided(all), "every credit applied, none left PENDING");
            awaitCommitted(lane, all.size());
            a.close();
        }
        assertEquals(all.size(), count("SELECT count(*) FROM ledger_entry WHERE idempotency_key IN ("
                + String.join(",", all.stream().map(c -> "'credit:" + c.id() + "'").toList()) + ")"), "one ledger entry per credit");
        assertBalances(expectedBalances(all));
        assertTrue(retriesA.get() >= 3);
    }

    private static SettlementConsumer.Listener retrying(AtomicInteger retries) {
        return new SettlementConsumer.Listener() {
            @Override
            public void retrying(Exception cause, long backoffMs) {
                retries.incrementAndGet();
            }
        };
    }

    private static void awaitAtLeast(AtomicInteger counter, int value, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WorkerFixtures.WAIT.toNanos();
        while (counter.get() < value && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(counter.get() >= value, what);
    }

    private static void awaitGroup(Admin admin, Lane lane, Predicate<ConsumerGroupDescription> shape, String what) throws Exception {
        long deadline = System.nanoTime() + WorkerFixtures.WAIT.toNanos();
        ConsumerGroupDescription group = null;
        while (System.nanoTime() < deadline) {
            group = admin.describeConsumerGroups(List.of(lane.group())).all().get().get(lane.group());
            if (shape.test(group)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("group " + lane.group() + " never reached: " + what + " (last: " + group + ")");
    }
}
