package com.sportswallet.ingress.provider.lane;

import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * One lane per player for bet/make (issue 16): at most one make of a player is in a database
 * transaction at a time from this ingress; the others wait here, in arrival order (a fair lock),
 * not in PostgreSQL's lock queue on the wallet row, where every commit wakes all of them (seed
 * 000's parallel bets timing out on one player). A player's makes always lock the same wallet row,
 * so running them one at a time costs no parallelism the database would have given.
 *
 * <p>Bounds: a lane holds at most {@code MAKE_QUEUE_MAX} makes (the running one included); one
 * more is refused at once ({@link Busy}: a 503 the provider retries, nothing written). The wait
 * counts against the callback's budget (issue 9): a make still waiting when its budget ends is
 * refused the same way, before it took a connection. A lane exists only while a make is in it.
 * A waiting make holds its worker thread (no connection, no backend): {@link #check} keeps one
 * lane below half of the worker pool.
 */
@ApplicationScoped
public class MakeLanes {
    /** Makes refused at the lane, tagged {@code reason}: {@code full} or {@code budget}. */
    public static final String REFUSED_METRIC = "callback.make.lane.refused";
    /** How long makes waited for their turn. */
    public static final String WAIT_METRIC = "callback.make.lane.wait";
    public static final int QUEUE_MAX_BOUND = 10_000;

    /** A make the lane refused (queue full, or its budget ended while it waited): answered 503. */
    public static final class Busy extends RuntimeException {
        public Busy(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Lane {
        /** Fair: the longest-waiting make goes next. */
        final ReentrantLock turn = new ReentrantLock(true);
        /** Makes in the lane, the running one included; changed only inside the map's compute, under its bin lock. */
        int members;
    }

    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    @ConfigProperty(name = "wallet.make.queue-max")
    int queueMax;
    /** The worker pool a waiting make holds a thread of (HTTP_WORKER_THREADS_MAX). */
    @ConfigProperty(name = "quarkus.thread-pool.max-threads")
    int workerThreadsMax;
    @Inject
    MeterRegistry meters;

    /**
     * Runs {@code make} once every earlier make of {@code playerId} in this ingress has finished.
     *
     * @param waitMsMax the longest wait for the turn (the callback's remaining budget; Long.MAX_VALUE: no bound)
     * @throws Busy when the lane is full or the wait would outlast {@code waitMsMax}
     */
    public <T> T run(String playerId, long waitMsMax, Callable<T> make) throws Exception {
        Lane lane = join(playerId);
        try {
            long started = System.nanoTime();
            boolean turn;
            try {
                // Long.MAX_VALUE ms saturates to the longest nanosecond wait: no bound.
                turn = lane.turn.tryLock(Math.max(0, waitMsMax), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Busy("interrupted while waiting for player " + playerId + "'s earlier makes");
            }
            meters.timer(WAIT_METRIC).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (!turn) {
                refused("budget");
                throw new Busy("the callback's budget ended while it waited " + waitMsMax + " ms for player " + playerId + "'s earlier makes");
            }
            try {
                return make.call();
            } finally {
                lane.turn.unlock();
            }
        } finally {
            leave(playerId);
        }
    }

    /** Makes of {@code playerId} in the lane now, the running one included (0: no lane). */
    public int members(String playerId) {
        Lane lane = lanes.get(playerId);
        return lane == null ? 0 : lane.members;
    }

    private Lane join(String playerId) {
        boolean[] full = new boolean[1];
        Lane lane = lanes.compute(playerId, (id, l) -> {
            Lane joined = l == null ? new Lane() : l;
            if (joined.members >= queueMax) {
                full[0] = true;
            } else {
                joined.members++;
            }
            return joined;
        });
        if (full[0]) {
            refused("full");
            throw new Busy("player " + playerId + " has " + queueMax + " makes in progress (MAKE_QUEUE_MAX)");
        }
        return lane;
    }

    private void leave(String playerId) {
        lanes.computeIfPresent(playerId, (id, l) -> --l.members == 0 ? null : l);
    }

    private void refused(String reason) {
        meters.counter(REFUSED_METRIC, "reason", reason).increment();
    }

    /**
     * Settings that cannot work fail at start, not at the first make. Each waiting make holds a
     * worker thread: one player's lane may hold at most half of them, so a hot player never starves
     * the others' callbacks (nor the operator API) of threads.
     */
    void check(@Observes StartupEvent event) {
        if (queueMax < 1 || queueMax > QUEUE_MAX_BOUND) {
            throw new IllegalStateException("MAKE_QUEUE_MAX (" + queueMax + ") must be within 1.." + QUEUE_MAX_BOUND);
        }
        if (queueMax > workerThreadsMax / 2) {
            throw new IllegalStateException("MAKE_QUEUE_MAX (" + queueMax + ") must be at most half of HTTP_WORKER_THREADS_MAX ("
                    + workerThreadsMax + "): each waiting make holds a worker thread");
        }
    }
}
