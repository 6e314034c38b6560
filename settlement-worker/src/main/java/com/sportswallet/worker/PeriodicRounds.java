package com.sportswallet.worker;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one scheduler of the worker's periodic jobs (credit re-drive, grant re-drive, bonus sweeps):
 * a daemon thread of its own that runs a round, then waits {@code intervalMs} before the next. A
 * round must catch its own exceptions: only an Error ends the schedule, and {@link #alive} then
 * says so (liveness). {@link #closed} tells a running round to stop between batches.
 */
public final class PeriodicRounds implements AutoCloseable {
    /** How long {@link #close} waits for a running round before interrupting it. */
    static final long CLOSE_WAIT_SECONDS = 10;

    private final ScheduledExecutorService executor;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> rounds;

    public PeriodicRounds(String threadName) {
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code round} after {@code initialDelayMs}, then every {@code intervalMs} after each round ends. */
    public void start(Runnable round, long initialDelayMs, long intervalMs) {
        rounds = executor.scheduleWithFixedDelay(round, initialDelayMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** True while rounds are scheduled. */
    public boolean alive() {
        ScheduledFuture<?> r = rounds;
        return !closed && r != null && !r.isDone();
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
