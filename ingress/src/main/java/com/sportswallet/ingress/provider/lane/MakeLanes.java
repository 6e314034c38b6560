package com.sportswallet.ingress.provider.lane;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * One lane per player for bet/make (issue 16): at most one transaction of a player's makes at a
 * time from this ingress, and that transaction decides a <b>batch</b> of the makes queued for the
 * player (group commit done by the ingress: one commit, one wallet row lock, for up to
 * {@code MAKE_BATCH_MAX} makes). The others wait here, in arrival order, not in PostgreSQL's lock
 * queue on the wallet row, where every commit wakes all of them (seed 000's parallel bets timing
 * out on one player). A player's makes always lock the same wallet row, so running them one batch
 * at a time costs no parallelism the database would have given.
 *
 * <p>How a batch forms: from the queue's head, in arrival order, up to {@code MAKE_BATCH_MAX}
 * makes; it stops before a make whose key is already in it (two requests with the same key never
 * share a batch: the second replays the first's answer in the next one). A member whose budget
 * ended while it waited is refused ({@link Busy}) instead of joining. The batch runs under the
 * earliest deadline of its members.
 * Who runs it: the thread of the make at the head when the lane was idle, then, batch after batch,
 * the thread of the next make at the head (the runner role is handed on, so nobody's answer waits
 * for more than its own batch after its turn came). A member the batch {@link Outcome#deferred
 * defers} goes back to the head of the queue, before every make that arrived after it.
 *
 * <p>Bounds: a lane holds at most {@code MAKE_QUEUE_MAX} makes (the running batch included); one
 * more is refused at once ({@link Busy}: a 503 the provider retries, nothing written). A waiting
 * make holds its worker thread (no connection, no backend): {@link #check} keeps one lane below
 * half of the worker pool. A lane exists only while a make is in it.
 */
@ApplicationScoped
public class MakeLanes {
    /** Makes refused at the lane, tagged {@code reason}: {@code full} or {@code budget}. */
    public static final String REFUSED_METRIC = "callback.make.lane.refused";
    /** How long makes waited for their batch to start. */
    public static final String WAIT_METRIC = "callback.make.lane.wait";
    /** Makes per batch (one transaction, one commit). */
    public static final String BATCH_SIZE_METRIC = "callback.make.batch.size";
    /** Makes a batch handed back to the queue (a short balance with pending money it may no longer apply). */
    public static final String DEFERRED_METRIC = "callback.make.batch.deferred";
    public static final int QUEUE_MAX_BOUND = 10_000;
    /** A finite budget longer than this (an hour) is taken as this: deadlines stay far from nanoTime's overflow. */
    static final long WAIT_MS_MAX = 3_600_000;
    /**
     * PostgreSQL caches 64 subtransaction ids per backend (PGPROC_MAX_CACHED_SUBXIDS); a transaction
     * with more overflows that cache and every snapshot taken meanwhile must look subtransactions up
     * in pg_subtrans. A batch takes one savepoint per member that reaches its debit: at most 64.
     */
    public static final int BATCH_MAX_BOUND = 64;

    /** A make the lane refused (queue full, or its budget ended while it waited): answered 503. */
    public static final class Busy extends RuntimeException {
        public Busy(String message) {
            super(message, null, false, false);
        }
    }

    /** What the lane needs to know of a make to place it in a batch. */
    public interface Member {
        /** Its idempotency key: two members with the same key never share a batch. */
        String key();
    }

    /** What a batch decided for one member: its answer, its failure, or deferred (back to the queue's head). */
    public record Outcome<R>(R value, Exception failure, boolean deferred) {
        public static <R> Outcome<R> of(R value) {
            return new Outcome<>(value, null, false);
        }

        public static <R> Outcome<R> failed(Exception failure) {
            return new Outcome<>(null, failure, false);
        }

        public static <R> Outcome<R> defer() {
            return new Outcome<>(null, null, true);
        }
    }

    /** Decides a batch in ONE transaction; a thrown exception fails every member (none was answered 200). */
    @FunctionalInterface
    public interface Batch<M extends Member, R> {
        /**
         * @param members in arrival order, distinct keys
         * @param remainingMs the earliest member's remaining budget (Long.MAX_VALUE: none has a budget)
         * @return one outcome per member, in the same order
         */
        List<Outcome<R>> run(List<M> members, long remainingMs) throws Exception;
    }

    private enum State {
        /** In the queue. */
        QUEUED,
        /** Its thread is to run the next batch. */
        TURN,
        /** In the running batch. */
        IN_BATCH,
        /** Answered. */
        DONE
    }

    private static final class Waiting<M extends Member, R> {
        final M member;
        /** System.nanoTime() when its budget ends; Long.MAX_VALUE: no budget. */
        final long deadlineNanos;
        final long joinedNanos;
        final Condition changed;
        State state = State.QUEUED;
        Outcome<R> outcome;

        Waiting(M member, long deadlineNanos, Condition changed) {
            this.member = member;
            this.deadlineNanos = deadlineNanos;
            this.joinedNanos = System.nanoTime();
            this.changed = changed;
        }

        /** Whether its budget has ended at {@code nowNanos} (System.nanoTime(): compared by difference). */
        boolean expired(long nowNanos) {
            return deadlineNanos != Long.MAX_VALUE && deadlineNanos - nowNanos <= 0;
        }

        void done(Outcome<R> o) {
            outcome = o;
            state = State.DONE;
            changed.signal();
        }
    }

    private static final class Lane {
        final ReentrantLock lock = new ReentrantLock();
        /** Waiting makes in arrival order (deferred ones back at the head); guarded by {@link #lock}. */
        final ArrayDeque<Waiting<?, ?>> queue = new ArrayDeque<>();
        /** Whether some thread holds the runner role; guarded by {@link #lock}. */
        boolean running;
        /** Makes in the lane, the running batch included; changed only inside the map's compute, under its bin lock. */
        int members;
    }

    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    @ConfigProperty(name = "wallet.make.queue-max")
    int queueMax;
    @ConfigProperty(name = "wallet.make.batch-max")
    int batchMax;
    /** The worker pool a waiting make holds a thread of (HTTP_WORKER_THREADS_MAX). */
    @ConfigProperty(name = "quarkus.thread-pool.max-threads")
    int workerThreadsMax;
    @Inject
    MeterRegistry meters;

    /**
     * Decides {@code member} in a batch of {@code playerId}'s makes, once every earlier batch of the
     * player in this ingress has finished.
     *
     * @param waitMsMax the callback's remaining budget (Long.MAX_VALUE: no bound): the longest wait for its batch, and
     *        a bound on the batch it joins
     * @throws Busy when the lane is full or the wait would outlast {@code waitMsMax}
     * @throws Exception the member's refusal, or the batch's failure
     */
    public <M extends Member, R> R run(String playerId, long waitMsMax, M member, Batch<M, R> batch) throws Exception {
        Lane lane = join(playerId);
        try {
            Waiting<M, R> me;
            lane.lock.lock();
            try {
                long now = System.nanoTime();
                long deadline = waitMsMax == Long.MAX_VALUE ? Long.MAX_VALUE
                        : now + TimeUnit.MILLISECONDS.toNanos(Math.max(0, Math.min(waitMsMax, WAIT_MS_MAX)));
                me = new Waiting<>(member, deadline, lane.lock.newCondition());
                lane.queue.addLast(me);
                if (!lane.running) {
                    lane.running = true;
                    me.state = State.TURN;
                }
            } finally {
                lane.lock.unlock();
            }
            Outcome<R> outcome = decide(playerId, lane, me, batch);
            if (outcome.failure() != null) {
                throw outcome.failure();
            }
            return outcome.value();
        } finally {
            leave(playerId);
        }
    }

    /** Waits for {@code me}'s outcome, running batches whenever the runner role comes to it. */
    private <M extends Member, R> Outcome<R> decide(String playerId, Lane lane, Waiting<M, R> me, Batch<M, R> batch) {
        while (true) {
            lane.lock.lock();
            try {
                awaitTurnOrOutcome(playerId, lane, me);
                if (me.state == State.DONE) {
                    return me.outcome;
                }
            } finally {
                lane.lock.unlock();
            }
            runOneBatch(playerId, lane, me, batch);
        }
    }

    /** Under the lane's lock: returns once {@code me} is DONE or has the TURN. */
    private void awaitTurnOrOutcome(String playerId, Lane lane, Waiting<?, ?> me) {
        while (me.state == State.QUEUED || me.state == State.IN_BATCH) {
            if (me.state == State.IN_BATCH) {
                // Its batch runs under its deadline (the earliest of its members'): the answer comes within it.
                me.changed.awaitUninterruptibly();
                continue;
            }
            long now = System.nanoTime();
            if (me.expired(now)) {
                lane.queue.remove(me);
                me.done(Outcome.failed(budgetEnded(playerId)));
                return;
            }
            try {
                if (me.deadlineNanos == Long.MAX_VALUE) {
                    me.changed.await();
                } else {
                    me.changed.awaitNanos(me.deadlineNanos - now);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                lane.queue.remove(me);
                me.done(Outcome.failed(new Busy("interrupted while waiting for player " + playerId + "'s earlier makes")));
            }
        }
    }

    /** Holds the runner role: forms one batch from the queue's head, runs it, hands the role on. */
    @SuppressWarnings("unchecked")
    private <M extends Member, R> void runOneBatch(String playerId, Lane lane, Waiting<M, R> me, Batch<M, R> batch) {
        List<Waiting<M, R>> members = new ArrayList<>();
        long deadline = Long.MAX_VALUE;
        lane.lock.lock();
        try {
            me.state = State.QUEUED; // in the queue still: it joins the batch below like any member
            Set<String> keys = new HashSet<>();
            long now = System.nanoTime();
            for (Iterator<Waiting<?, ?>> it = lane.queue.iterator(); it.hasNext() && members.size() < batchMax;) {
                Waiting<M, R> w = (Waiting<M, R>) it.next();
                if (w.expired(now)) {
                    it.remove();
                    w.done(Outcome.failed(budgetEnded(playerId)));
                    continue;
                }
                if (keys.contains(w.member.key())) {
                    break;
                }
                it.remove();
                members.add(w);
                keys.add(w.member.key());
                w.state = State.IN_BATCH;
                deadline = Math.min(deadline, w.deadlineNanos);
                meters.timer(WAIT_METRIC).record(now - w.joinedNanos, TimeUnit.NANOSECONDS);
            }
        } finally {
            lane.lock.unlock();
        }
        List<Outcome<R>> outcomes = members.isEmpty() ? List.of() : runBatch(members, deadline, batch);
        lane.lock.lock();
        try {
            List<Waiting<M, R>> deferred = new ArrayList<>();
            for (int i = 0; i < members.size(); i++) {
                Outcome<R> o = outcomes.get(i);
                if (o.deferred()) {
                    deferred.add(members.get(i));
                } else {
                    members.get(i).done(o);
                }
            }
            for (int i = deferred.size() - 1; i >= 0; i--) {
                Waiting<M, R> w = deferred.get(i);
                w.state = State.QUEUED;
                lane.queue.addFirst(w);
                w.changed.signal();
            }
            if (me.state == State.DONE || me.state == State.QUEUED && lane.queue.peekFirst() != me) {
                handOn(lane);
            } else {
                me.state = State.TURN; // deferred to the head: it runs the next batch itself
            }
        } finally {
            lane.lock.unlock();
        }
    }

    private <M extends Member, R> List<Outcome<R>> runBatch(List<Waiting<M, R>> members, long deadlineNanos, Batch<M, R> batch) {
        meters.summary(BATCH_SIZE_METRIC).record(members.size());
        List<M> ms = members.stream().map(w -> w.member).toList();
        long remainingMs = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE
                : Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        try {
            List<Outcome<R>> outcomes = batch.run(ms, remainingMs);
            if (outcomes.size() != ms.size()) {
                throw new IllegalStateException("a batch of " + ms.size() + " makes decided " + outcomes.size());
            }
            long deferred = outcomes.stream().filter(Outcome::deferred).count();
            if (deferred > 0) {
                meters.counter(DEFERRED_METRIC).increment(deferred);
            }
            return outcomes;
        } catch (Exception e) {
            return ms.stream().map(m -> Outcome.<R>failed(e)).toList();
        } catch (Error e) {
            // Nobody may wait forever on a batch that died: every member fails with it, then it goes on up.
            IllegalStateException failed = new IllegalStateException("the batch failed", e);
            return ms.stream().map(m -> Outcome.<R>failed(failed)).toList();
        }
    }

    /** Under the lane's lock: the runner role goes to the make at the queue's head, or the lane idles. */
    private static void handOn(Lane lane) {
        Waiting<?, ?> next = lane.queue.peekFirst();
        if (next == null) {
            lane.running = false;
            return;
        }
        next.state = State.TURN;
        next.changed.signal();
    }

    private Busy budgetEnded(String playerId) {
        refused("budget");
        return new Busy("the callback's budget ended while it waited for player " + playerId + "'s earlier makes");
    }

    /** Makes of {@code playerId} in the lane now, the running batch included (0: no lane). */
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

    /** For a test: the distribution of batch sizes. */
    public DistributionSummary batchSizes() {
        return meters.summary(BATCH_SIZE_METRIC);
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
        if (batchMax < 1 || batchMax > BATCH_MAX_BOUND) {
            throw new IllegalStateException("MAKE_BATCH_MAX (" + batchMax + ") must be within 1.." + BATCH_MAX_BOUND
                    + ": a batch takes a savepoint per make, and PostgreSQL caches 64 subtransactions per transaction");
        }
        if (queueMax > workerThreadsMax / 2) {
            throw new IllegalStateException("MAKE_QUEUE_MAX (" + queueMax + ") must be at most half of HTTP_WORKER_THREADS_MAX ("
                    + workerThreadsMax + "): each waiting make holds a worker thread");
        }
    }
}
