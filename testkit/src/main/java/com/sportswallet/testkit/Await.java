package com.sportswallet.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits, bounded, for what a test expects to happen asynchronously (a relay, a consumer, a restart). */
public final class Await {
    /** How often the condition is asked. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private Await() {
    }

    /** Returns once {@code condition} holds; fails the test with {@code what} when it did not within {@code timeout}. */
    public static void until(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what + " (not within " + timeout + ")");
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }
}
