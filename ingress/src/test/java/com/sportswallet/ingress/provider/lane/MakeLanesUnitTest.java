package com.sportswallet.ingress.provider.lane;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** The lane's rules without Quarkus or a database: one at a time, arrival order, its bounds. */
class MakeLanesUnitTest {
    private static MakeLanes lanes(int queueMax) {
        MakeLanes lanes = new MakeLanes();
        lanes.queueMax = queueMax;
        lanes.meters = new SimpleMeterRegistry();
        return lanes;
    }

    /** Starts a make that holds the lane until {@code release} opens; returns once it runs. */
    private static Future<String> holding(ExecutorService pool, MakeLanes lanes, String player, CountDownLatch release) throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        Future<String> f = pool.submit(() -> lanes.run(player, Long.MAX_VALUE, () -> {
            running.countDown();
            assertTrue(release.await(30, TimeUnit.SECONDS));
            return "held";
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

    @Test
    void onePlayersMakesRunOneAtATimeInArrivalOrder() throws Exception {
        MakeLanes lanes = lanes(256);
        ExecutorService pool = Executors.newFixedThreadPool(21);
        try {
            CountDownLatch release = new CountDownLatch(1);
            Future<String> first = holding(pool, lanes, "p1", release);
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger insideMax = new AtomicInteger();
            List<Integer> order = new ArrayList<>();
            List<Future<Integer>> waiting = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                waiting.add(pool.submit(() -> lanes.run("p1", Long.MAX_VALUE, () -> {
                    insideMax.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    synchronized (order) {
                        order.add(n);
                    }
                    Thread.sleep(2);
                    inside.decrementAndGet();
                    return n;
                })));
                awaitMembers(lanes, "p1", i + 2); // make i has joined before make i + 1 is sent: their arrival order
            }
            assertEquals(0, inside.get(), "nobody passes the running make");
            release.countDown();
            assertEquals("held", first.get(30, TimeUnit.SECONDS));
            for (Future<Integer> f : waiting) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(1, insideMax.get(), "at most one make of the player at a time");
            List<Integer> arrival = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                arrival.add(i);
            }
            assertEquals(arrival, order, "in arrival order");
            assertEquals(0, lanes.members("p1"), "an empty lane is gone");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anotherPlayersMakeDoesNotWait() throws Exception {
        MakeLanes lanes = lanes(256);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch release = new CountDownLatch(1);
            Future<String> first = holding(pool, lanes, "p1", release);
            assertEquals("other", pool.submit(() -> lanes.run("p2", 1, () -> "other")).get(30, TimeUnit.SECONDS));
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFullLaneRefusesOneMoreAtOnceAndAWaitPastTheBudgetIsRefused() throws Exception {
        MakeLanes lanes = lanes(2);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch release = new CountDownLatch(1);
            Future<String> first = holding(pool, lanes, "p1", release);
            AtomicInteger ran = new AtomicInteger();
            // Waits at most 50 ms: its budget ends while the first still runs.
            MakeLanes.Busy late = assertThrows(MakeLanes.Busy.class, () -> lanes.run("p1", 50, () -> ran.incrementAndGet()));
            assertTrue(late.getMessage().contains("budget"), late.getMessage());
            Future<Integer> second = pool.submit(() -> lanes.run("p1", Long.MAX_VALUE, () -> ran.incrementAndGet()));
            awaitMembers(lanes, "p1", 2);
            MakeLanes.Busy full = assertThrows(MakeLanes.Busy.class, () -> lanes.run("p1", Long.MAX_VALUE, () -> ran.incrementAndGet()));
            assertTrue(full.getMessage().contains("MAKE_QUEUE_MAX"), full.getMessage());
            assertEquals(0, ran.get(), "a refused make never ran");
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
            assertEquals(1, second.get(30, TimeUnit.SECONDS), "the one that fit ran once the lane was free");
            assertEquals(0, lanes.members("p1"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingMakeFreesTheLane() throws Exception {
        MakeLanes lanes = lanes(4);
        assertThrows(IllegalStateException.class, () -> lanes.run("p1", Long.MAX_VALUE, () -> {
            throw new IllegalStateException("refused");
        }));
        assertEquals(0, lanes.members("p1"));
        assertEquals("next", lanes.run("p1", 1, () -> "next"));
    }

    @Test
    void oneLaneMayHoldAtMostHalfOfTheWorkerThreads() {
        MakeLanes lanes = lanes(256);
        lanes.workerThreadsMax = 512;
        lanes.check(null);
        lanes.workerThreadsMax = 511;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> lanes.check(null));
        assertTrue(e.getMessage().contains("HTTP_WORKER_THREADS_MAX"), e.getMessage());
        lanes.queueMax = 0;
        lanes.workerThreadsMax = 512;
        assertThrows(IllegalStateException.class, () -> lanes.check(null));
    }
}
