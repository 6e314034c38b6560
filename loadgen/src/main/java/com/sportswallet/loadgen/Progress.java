package com.sportswallet.loadgen;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/** A daemon thread that calls {@code tick(now)} every interval from {@code t0} (System.nanoTime()); shut it down after the run. */
final class Progress {
    static final long INTERVAL_SECONDS = 5;

    private Progress() {
    }

    static ScheduledExecutorService every(long t0, LongConsumer tick) {
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "progress");
            th.setDaemon(true);
            return th;
        });
        long interval = TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS);
        progress.scheduleAtFixedRate(() -> tick.accept(System.nanoTime()), t0 + interval - System.nanoTime(), interval,
                TimeUnit.NANOSECONDS);
        return progress;
    }
}
