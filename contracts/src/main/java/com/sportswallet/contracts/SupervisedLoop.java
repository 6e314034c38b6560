package com.sportswallet.contracts;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a consumer loop on its own thread and keeps it running: when the loop ends with an
 * unexpected exception (or an Error, or returns while it should run), the supervisor closes it,
 * waits a backoff ({@code backoffMsMin} doubling up to {@code backoffMsMax}; back to the minimum
 * after a run longer than {@code backoffMsMax}), and starts a fresh one from its factory (a new
 * Kafka consumer, which resumes from the group's committed offsets). Never a silently dead thread:
 * every restart is logged with its cause and counted, and {@link #state()}, {@link #restarts()}
 * and {@link #lastFailure()} are what the services' health checks show.
 *
 * @param <T> the loop: {@link Runnable#run()} runs it until {@link AutoCloseable#close()} stops it
 */
public final class SupervisedLoop<T extends Runnable & AutoCloseable> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SupervisedLoop.class.getName());

    /**
     * @param name         the thread's name, and the loop's in logs and health checks
     * @param backoffMsMin first wait before a restart
     * @param backoffMsMax longest wait before a restart
     * @param closeWaitMs  longest wait for the loop to end on {@link #close()}
     */
    public record Config(String name, long backoffMsMin, long backoffMsMax, long closeWaitMs) {
        public Config {
            if (backoffMsMin < 1 || backoffMsMax < backoffMsMin || closeWaitMs < 0) {
                throw new IllegalArgumentException("bad supervision timings for " + name + ": " + backoffMsMin + ".." + backoffMsMax
                        + " ms, close " + closeWaitMs + " ms");
            }
        }
    }

    public enum State {
        /** Created, or a fresh loop being built. */
        STARTING,
        /** The loop runs. */
        RUNNING,
        /** The loop failed; the supervisor waits before it starts a fresh one. */
        BACKING_OFF,
        /** Closed. */
        STOPPED
    }

    private final Config config;
    private final Supplier<? extends T> factory;
    private final AtomicLong restarts = new AtomicLong();
    private final Object sleeper = new Object();
    private volatile boolean running;
    private volatile State state = State.STARTING;
    private volatile T current;
    private volatile String lastFailure;
    private volatile Instant lastFailureAt;
    private Thread thread;

    public SupervisedLoop(Config config, Supplier<? extends T> factory) {
        this.config = config;
        this.factory = factory;
    }

    public synchronized SupervisedLoop<T> start() {
        if (running) {
            return this;
        }
        running = true;
        thread = new Thread(this::supervise, config.name());
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    public String name() {
        return config.name();
    }

    public State state() {
        return state;
    }

    /** True while the loop runs (not while it is being restarted). */
    public boolean running() {
        return state == State.RUNNING;
    }

    /** How many times the loop failed and was (or is being) restarted. */
    public long restarts() {
        return restarts.get();
    }

    /** The last failure ({@code Class: message}), or null. */
    public String lastFailure() {
        return lastFailure;
    }

    /** When the last failure happened (for display), or null. */
    public Instant lastFailureAt() {
        return lastFailureAt;
    }

    /** The loop running now, or null between two. */
    public T current() {
        return current;
    }

    private void supervise() {
        long backoffMs = config.backoffMsMin();
        while (running) {
            state = State.STARTING;
            long startedNs = System.nanoTime();
            Throwable failure = null;
            T loop = null;
            try {
                loop = factory.get();
            } catch (Throwable t) {
                failure = t;
            }
            if (loop != null) {
                current = loop;
                if (!running) {
                    closeQuietly(loop);
                    break;
                }
                state = State.RUNNING;
                try {
                    loop.run();
                    if (running) {
                        failure = new IllegalStateException("the loop returned while it should run");
                    }
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    current = null;
                    closeQuietly(loop);
                }
            }
            // close() never interrupts: a loop ended by an interrupt must not hand the flag to the next one.
            Thread.interrupted();
            if (!running) {
                break;
            }
            if (System.nanoTime() - startedNs > TimeUnit.MILLISECONDS.toNanos(config.backoffMsMax())) {
                backoffMs = config.backoffMsMin(); // it ran well for a while: a new failure starts the backoff over
            }
            state = State.BACKING_OFF;
            long n = restarts.incrementAndGet();
            lastFailure = describe(failure);
            lastFailureAt = Instant.now();
            LOG.log(Level.SEVERE, config.name() + " failed, restart " + n + " in " + backoffMs + " ms", failure);
            pause(backoffMs);
            backoffMs = Math.min(config.backoffMsMax(), backoffMs * 2);
        }
        state = State.STOPPED;
    }

    private void pause(long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        synchronized (sleeper) {
            long left;
            while (running && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(sleeper, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        String text = t.getClass().getName() + ": " + t.getMessage();
        return text.length() > 500 ? text.substring(0, 500) + "…" : text;
    }

    private static void closeQuietly(AutoCloseable loop) {
        try {
            loop.close();
        } catch (Throwable t) {
            LOG.log(Level.FINE, "closing a loop failed (ignored)", t);
        }
    }

    /** Stops the loop and the supervisor (bounded by {@code closeWaitMs}). */
    @Override
    public void close() {
        running = false;
        T loop = current;
        if (loop != null) {
            closeQuietly(loop);
        }
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(config.closeWaitMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        state = State.STOPPED;
    }
}
