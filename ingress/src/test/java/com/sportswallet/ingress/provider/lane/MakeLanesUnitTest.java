package com.sportswallet.ingress.provider.lane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The lane's rules without Quarkus or a database: one batch at a time, arrival order, how batches form, its bounds. */
class MakeLanesUnitTest {
    record M(String key) implements MakeLanes.Member {
        static M of(String key) {
            return new M(key);
        }
    }

    private static MakeLanes lanes(int queueMax, int batchMax) {
        MakeLanes lanes = new MakeLanes();
        lanes.queueMax = queueMax;
        lanes.batchMax = batchMax;
        lanes.meters = new SimpleMeterRegistry();
        return lanes;
    }

    /** A batch that records its members' keys and answers each with its key. */
    static final class Recorder implements MakeLanes.Batch<M, String> {
        final List<List<String>> batches = new ArrayList<>();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger insideMax = new AtomicInteger();

        @Override
        public List<MakeLanes.Outcome<String>> run(List<M> members, long remainingMs) throws Exception {
            insideMax.accumulateAndGet(inside.incrementAndGet(), Math::max);
            synchronized (batches) {
                batches.add(members.stream().map(M::key).toList());
            }
            Thread.sleep(2);
            inside.decrementAndGet();
            return members.stream().map(m -> MakeLanes.Outcome.of(m.key())).toList();
        }

        List<String> all() {
            synchronized (batches) {
                return batches.stream().flatMap(List::stream).toList();
            }
        }
    }

    /** Starts a batch that holds the lane until {@code release} opens; returns once it runs. */
    private static Future<String> holding(ExecutorService pool, MakeLanes lanes, String player, CountDownLatch release) throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        Future<String> f = pool.submit(() -> lanes.run(player, Long.MAX_VALUE, M.of("held"), (members, ms) -> {
            running.countDown();
            assertTrue(release.await(30, TimeUnit.SECONDS));
            return List.of(MakeLanes.Outcome.of("held"));
        }));
        assertTrue(running.await(30, TimeUnit.SECONDS), "the first make runs at once");
        return f;
    }

    /** Waits until the player's lane holds {@code members} makes. */
    private static void awaitMembers(MakeLanes lanes, String player, int members) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (lanes.members(player) != members && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(members, lanes.members(player));
    }

    /** Queues {@code keys} behind a held batch, one after the other (their arrival order), then releases it. */
    private static List<Future<String>> queueBehind(ExecutorService pool, MakeLanes lanes, List<M> members, MakeLanes.Batch<M, String> batch)
            throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = holding(pool, lanes, "p1", release);
        List<Future<String>> waiting = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            M m = members.get(i);
            waiting.add(pool.submit(() -> lanes.run("p1", Long.MAX_VALUE, m, batch)));
            awaitMembers(lanes, "p1", i + 2); // member i has joined before member i + 1 is sent: their arrival order
        }
        release.countDown();
        assertEquals("held", first.get(30, TimeUnit.SECONDS));
        return waiting;
    }

    @Test
    void queuedMakesAreDecidedInBatchesOfAtMostBatchMaxInArrivalOrderOneBatchAtATime() throws Exception {
        MakeLanes lanes = lanes(256, 8);
        ExecutorService pool = Executors.newFixedThreadPool(21);
        try {
            Recorder batch = new Recorder();
            List<M> members = new ArrayList<>();
            List<String> arrival = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                members.add(M.of("k" + i));
                arrival.add("k" + i);
            }
            List<Future<String>> waiting = queueBehind(pool, lanes, members, batch);
            for (int i = 0; i < 20; i++) {
                assertEquals("k" + i, waiting.get(i).get(30, TimeUnit.SECONDS), "each member gets its own outcome");
            }
            assertEquals(1, batch.insideMax.get(), "one batch of the player at a time");
            assertEquals(arrival, batch.all(), "in arrival order");
            assertEquals(List.of(8, 8, 4), batch.batches.stream().map(List::size).toList(), "the queue in batches of at most 8");
            assertEquals(0, lanes.members("p1"), "an empty lane is gone");
            assertEquals(4, lanes.batchSizes().count(), "the held batch and three more");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoRequestsWithOneKeyNeverShareABatch() throws Exception {
        MakeLanes lanes = lanes(256, 64);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Recorder batch = new Recorder();
            List<M> members = List.of(M.of("a"), M.of("b"), M.of("a"), M.of("c"), M.of("a"), M.of("d"));
            List<Future<String>> waiting = queueBehind(pool, lanes, members, batch);
            for (Future<String> f : waiting) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(List.of(List.of("a", "b"), List.of("a", "c"), List.of("a", "d")), batch.batches);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void deferredMembersGoBackToTheHeadBeforeLaterArrivals() throws Exception {
        MakeLanes lanes = lanes(256, 3);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<List<String>> batches = new ArrayList<>();
            AtomicInteger deferrals = new AtomicInteger();
            MakeLanes.Batch<M, String> batch = (members, ms) -> {
                batches.add(members.stream().map(M::key).toList());
                // The first batch accepts its first member and defers the rest, once.
                boolean defer = deferrals.getAndIncrement() == 0;
                List<MakeLanes.Outcome<String>> out = new ArrayList<>();
                for (int i = 0; i < members.size(); i++) {
                    out.add(defer && i > 0 ? MakeLanes.Outcome.defer() : MakeLanes.Outcome.of(members.get(i).key()));
                }
                return out;
            };
            List<Future<String>> waiting = queueBehind(pool, lanes, List.of(M.of("a"), M.of("b"), M.of("c"), M.of("d"), M.of("e")), batch);
            for (Future<String> f : waiting) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(List.of(List.of("a", "b", "c"), List.of("b", "c", "d"), List.of("e")), batches);
            assertEquals(0, lanes.members("p1"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedBatchFailsEveryMemberAndFreesTheLane() throws Exception {
        MakeLanes lanes = lanes(256, 64);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            IllegalStateException commitFailed = new IllegalStateException("commit failed");
            MakeLanes.Batch<M, String> failing = (members, ms) -> {
                throw commitFailed;
            };
            List<Future<String>> waiting = queueBehind(pool, lanes, List.of(M.of("a"), M.of("b")), failing);
            for (Future<String> f : waiting) {
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> f.get(30, TimeUnit.SECONDS));
                assertSame(commitFailed, e.getCause(), "none answered as if it had committed");
            }
            assertEquals(0, lanes.members("p1"));
            assertEquals("next", lanes.run("p1", 1_000, M.of("next"), new Recorder()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anotherPlayersMakeDoesNotWait() throws Exception {
        MakeLanes lanes = lanes(256, 64);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch release = new CountDownLatch(1);
            Future<String> first = holding(pool, lanes, "p1", release);
            assertEquals("other", pool.submit(() -> lanes.run("p2", 1_000, M.of("other"), new Recorder())).get(30, TimeUnit.SECONDS));
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFullLaneRefusesOneMoreAtOnceAndAWaitPastTheBudgetIsRefused() throws Exception {
        MakeLanes lanes = lanes(2, 64);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch release = new CountDownLatch(1);
            Future<String> first = holding(pool, lanes, "p1", release);
            Recorder batch = new Recorder();
            // Waits at most 50 ms: its budget ends while the first still runs.
            MakeLanes.Busy late = assertThrows(MakeLanes.Busy.class, () -> lanes.run("p1", 50, M.of("late"), batch));
            assertTrue(late.getMessage().contains("budget"), late.getMessage());
            Future<String> second = pool.submit(() -> lanes.run("p1", Long.MAX_VALUE, M.of("second"), batch));
            awaitMembers(lanes, "p1", 2);
            MakeLanes.Busy full = assertThrows(MakeLanes.Busy.class, () -> lanes.run("p1", Long.MAX_VALUE, M.of("full"), batch));
            assertTrue(full.getMessage().contains("MAKE_QUEUE_MAX"), full.getMessage());
            assertEquals(List.of(), batch.all(), "a refused make never ran");
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
            assertEquals("second", second.get(30, TimeUnit.SECONDS), "the one that fit ran once the lane was free");
            assertEquals(List.of("second"), batch.all());
            assertEquals(0, lanes.members("p1"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBatchRunsUnderTheEarliestBudgetOfItsMembers() throws Exception {
        MakeLanes lanes = lanes(256, 64);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch release = new CountDownLatch(1);
            Future<String> first = holding(pool, lanes, "p1", release);
            List<Long> remaining = new ArrayList<>();
            MakeLanes.Batch<M, String> batch = (members, ms) -> {
                remaining.add(ms);
                return members.stream().map(m -> MakeLanes.Outcome.of(m.key())).toList();
            };
            Future<String> patient = pool.submit(() -> lanes.run("p1", Long.MAX_VALUE, M.of("patient"), batch));
            awaitMembers(lanes, "p1", 2);
            Future<String> hurried = pool.submit(() -> lanes.run("p1", 20_000, M.of("hurried"), batch));
            awaitMembers(lanes, "p1", 3);
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
            patient.get(30, TimeUnit.SECONDS);
            hurried.get(30, TimeUnit.SECONDS);
            assertEquals(1, remaining.size(), "one batch");
            assertTrue(remaining.get(0) <= 20_000 && remaining.get(0) > 0, "the hurried member's budget bounds it: " + remaining);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void startChecks() {
        MakeLanes lanes = lanes(256, 64);
        lanes.workerThreadsMax = 512;
        lanes.check(null);
        lanes.workerThreadsMax = 511;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> lanes.check(null));
        assertTrue(e.getMessage().contains("HTTP_WORKER_THREADS_MAX"), e.getMessage());
        lanes.workerThreadsMax = 512;
        lanes.batchMax = 65;
        e = assertThrows(IllegalStateException.class, () -> lanes.check(null));
        assertTrue(e.getMessage().contains("MAKE_BATCH_MAX"), e.getMessage());
        lanes.batchMax = 0;
        assertThrows(IllegalStateException.class, () -> lanes.check(null));
        lanes.batchMax = 64;
        lanes.queueMax = 0;
        assertThrows(IllegalStateException.class, () -> lanes.check(null));
    }
}
