package com.sportswallet.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Hands out the slots of a timed phase to worker threads: slot indices 0, 1, ... below
 * {@code limit} (the pre-signed work), none started at or after {@code end}.
 * <ul>
 * <li>Closed loop (rate 0): a slot is taken as soon as a worker is free; its intended start is now.</li>
 * <li>Open loop (rate &gt; 0): slot i is due at {@code t0 + i / rate}; {@link #next} waits until
 * then. A caller measuring latency from the intended start charges a stalled server for the
 * requests it delayed (no coordinated omission).</li>
 * </ul>
 * Running out of slots before {@code end} is recorded ({@link #exhausted()}, {@link #exhaustedAt()}).
 */
final class Pacer {
    private final long t0;
    private final long end;
    private final double nanosPerSlot;
    private final int limit;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong exhaustedAt = new AtomicLong(Long.MAX_VALUE);

    /** A worker's current slot (one instance per worker, reused). */
    static final class Slot {
        int index;
        /** System.nanoTime() at which the slot was meant to start. */
        long intended;
    }

    Pacer(long t0, long end, double ratePerSecond, int limit) {
        this.t0 = t0;
        this.end = end;
        this.nanosPerSlot = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
        this.limit = limit;
    }

    /** What one worker does with each slot it gets. */
    interface Work {
        void run(Slot slot);
    }

    /**
     * Runs {@code workers} threads ({@code name-0, name-1, ...}): each waits for t0, then runs
     * {@code work.apply(worker)} on every slot it claims; returns when all have run out of slots.
     */
    void runWorkers(int workers, String name, IntFunction<Work> work) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Work mine = work.apply(w);
            Thread th = new Thread(() -> {
                LockSupport.parkNanos(t0 - System.nanoTime());
                Slot slot = new Slot();
                while (next(slot)) {
                    mine.run(slot);
                }
            }, name + "-" + w);
            th.setUncaughtExceptionHandler((t, e) -> e.printStackTrace());
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
    }

    /** Claims the next slot into {@code slot}; false when the phase is over for this worker. */
    boolean next(Slot slot) {
        if (nanosPerSlot > 0) {
            int i = next.getAndIncrement();
            long intended = t0 + (long) (i * nanosPerSlot);
            if (intended >= end) {
                return false;
            }
            if (i >= limit) {
                exhaust(intended);
                return false;
            }
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            slot.index = i;
            slot.intended = intended;
            return true;
        }
        long now = System.nanoTime();
        if (now >= end) {
            return false;
        }
        int i = next.getAndIncrement();
        if (i >= limit) {
            exhaust(now);
            return false;
        }
        slot.index = i;
        slot.intended = now;
        return true;
    }

    private void exhaust(long at) {
        exhaustedAt.accumulateAndGet(at, Math::min);
    }

    boolean exhausted() {
        return exhaustedAt.get() != Long.MAX_VALUE;
    }

    /** When the slots ran out (System.nanoTime()), or Long.MAX_VALUE. */
    long exhaustedAt() {
        return exhaustedAt.get();
    }

    /** Slots handed out so far. */
    int started() {
        return Math.min(limit, next.get());
    }
}
