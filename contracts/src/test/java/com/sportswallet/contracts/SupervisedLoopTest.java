package com.sportswallet.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** A supervised loop that throws is closed and started afresh, with backoff, and says so; close stops it. */
class SupervisedLoopTest {

    /** A loop that fails its first {@code failures} runs, then runs until closed. */
    static class Loop implements Runnable, AutoCloseable {
        final int number;
        final int failures;
        final CountDownLatch closed = new CountDownLatch(1);
        final List<String> events;

        Loop(int number, int failures, List<String> events) {
            this.number = number;
            this.failures = failures;
            this.events = events;
        }

        @Override
        public void run() {
            events.add("run " + number);
            if (number <= failures) {
                throw new IllegalStateException("boom " + number);
            }
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            events.add("close " + number);
            closed.countDown();
        }
    }

    @Test
    void aLoopThatThrowsIsClosedAndRestartedFreshWithBackoffAndItsFailuresAreVisible() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicInteger built = new AtomicInteger();
        SupervisedLoop<Loop> supervised = new SupervisedLoop<>(new SupervisedLoop.Config("test-loop", 10, 40, 5000),
                () -> new Loop(built.incrementAndGet(), 2, events));
        assertEquals(SupervisedLoop.State.STARTING, supervised.state());
        supervised.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && !(supervised.running() && built.get() == 3)) {
            Thread.sleep(10);
        }
        assertTrue(supervised.running(), "the third loop runs");
        assertEquals(2, supervised.restarts());
        assertEquals("java.lang.IllegalStateException: boom 2", supervised.lastFailure());
        assertTrue(supervised.lastFailureAt() != null);
        assertEquals(List.of("run 1", "close 1", "run 2", "close 2", "run 3"), events, "each failed loop closed before a fresh one runs");

        supervised.close();
        assertEquals(SupervisedLoop.State.STOPPED, supervised.state());
        assertEquals("close 3", events.get(events.size() - 1));
        assertEquals(3, built.get(), "no loop started after close");
    }

    @Test
    void anErrorAndAFailingFactoryAreRestartedToo() throws Exception {
        AtomicInteger built = new AtomicInteger();
        List<String> events = new CopyOnWriteArrayList<>();
        SupervisedLoop<Loop> supervised = new SupervisedLoop<>(new SupervisedLoop.Config("test-loop-2", 10, 40, 5000), () -> {
            int n = built.incrementAndGet();
            if (n == 1) {
                throw new IllegalArgumentException("cannot build");
            }
            return new Loop(n, 0, events) {
                @Override
                public void run() {
                    if (number == 2) {
                        throw new AssertionError("an Error");
                    }
                    super.run();
                }
            };
        });
        supervised.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && !(supervised.running() && built.get() == 3)) {
            Thread.sleep(10);
        }
        assertTrue(supervised.running());
        assertEquals(2, supervised.restarts());
        assertTrue(supervised.lastFailure().startsWith("java.lang.AssertionError"), supervised.lastFailure());
        supervised.close();
    }
}
