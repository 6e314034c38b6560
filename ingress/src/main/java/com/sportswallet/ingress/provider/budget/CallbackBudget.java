package com.sportswallet.ingress.provider.budget;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * The provider's callback timeout holds per request, not per statement (issue 12, finding 4): the
 * budget ({@code CALLBACK_TIMEOUT_MS} minus {@code CALLBACK_ANSWER_MARGIN_MS}, the time the answer
 * needs to reach the provider) starts when the callback's body has been read and covers the token
 * check, the connection acquisition, every statement, and any wait in this JVM between them.
 * <ul>
 * <li>A request whose budget is spent when it holds its connection is refused before its first
 * statement ({@link Spent}: a 503 the provider retries; nothing was written);</li>
 * <li>otherwise {@link #guard} arms a cancel of whatever statement the connection runs when the
 * budget ends (PostgreSQL's cancel request: the statement fails, the transaction rolls back, the
 * provider gets a 503 while it still listens), and the guard's close refuses to let a transaction
 * whose budget ended go on to commit.</li>
 * </ul>
 * Statement and lock timeouts stay as a second bound below it. Requests that are not provider
 * callbacks (the operator API) have no budget: their guard does nothing.
 */
@ApplicationScoped
public class CallbackBudget {
    private static final Logger LOG = Logger.getLogger(CallbackBudget.class);
    public static final String SPENT_METRIC = "callback.budget.spent";

    /** A callback whose budget is spent: answered 503 (the provider retries), its transaction rolled back. */
    public static final class Spent extends RuntimeException {
        public Spent(String message) {
            super(message, null, false, false);
        }
    }

    /** Closes at the end of the transaction's work, before its commit. */
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }

    private static final Guard NONE = () -> {
    };

    @Inject
    CallbackStart start;
    @Inject
    MeterRegistry meters;
    @ConfigProperty(name = "wallet.callback-timeout-ms")
    long callbackTimeoutMs;
    @ConfigProperty(name = "wallet.callback-answer-margin-ms")
    long answerMarginMs;

    LongSupplier nanoTime = System::nanoTime;
    private final ScheduledExecutorService canceller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "callback-budget-canceller");
        t.setDaemon(true);
        return t;
    });

    /** The budget of one callback, in milliseconds. */
    public long budgetMs() {
        return callbackTimeoutMs - answerMarginMs;
    }

    /** The callback's body has been read: its budget starts now. */
    public void start() {
        start.startNanos = nanoTime.getAsLong();
    }

    /** Milliseconds left of this request's budget (Long.MAX_VALUE when the request has none). */
    public long remainingMs() {
        if (start.startNanos == CallbackStart.NOT_STARTED) {
            return Long.MAX_VALUE;
        }
        return budgetMs() - TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - start.startNanos);
    }

    /**
     * Called with the transaction's connection before its first statement: refuses a request whose
     * budget is spent ({@link Spent}), else cancels the connection's running statement when the
     * budget ends. Close it when the transaction's work is done, before the commit.
     */
    public Guard guard(Connection c) throws SQLException {
        return guard(c, remainingMs());
    }

    /**
     * {@link #guard(Connection)} for a transaction that decides for other requests than the running one
     * (a batch of makes, issue 16): {@code remainingMs} is the earliest of their budgets' remaining
     * milliseconds (Long.MAX_VALUE: none has a budget).
     */
    public Guard guard(Connection c, long remainingMs) throws SQLException {
        if (remainingMs == Long.MAX_VALUE) {
            return NONE;
        }
        if (remainingMs <= 0) {
            meters.counter(SPENT_METRIC, "when", "before-first-statement").increment();
            throw new Spent("the callback's budget of " + budgetMs() + " ms was spent before its first statement");
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        AtomicBoolean ended = new AtomicBoolean();
        ScheduledFuture<?> cancel = canceller.schedule(() -> {
            ended.set(true);
            try {
                pg.cancelQuery();
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("could not cancel the statement of a callback past its budget: %s", e.toString());
            }
        }, remainingMs, TimeUnit.MILLISECONDS);
        return () -> {
            cancel.cancel(false);
            if (ended.get()) {
                meters.counter(SPENT_METRIC, "when", "during-transaction").increment();
                throw new Spent("the callback's budget of " + budgetMs() + " ms ended during its transaction");
            }
        };
    }

    /** Settings that cannot work fail at start, not at the first callback. */
    void check(@Observes StartupEvent event) {
        if (callbackTimeoutMs < 1 || answerMarginMs < 0 || answerMarginMs >= callbackTimeoutMs) {
            throw new IllegalStateException("CALLBACK_ANSWER_MARGIN_MS (" + answerMarginMs + ") must be >= 0 and below CALLBACK_TIMEOUT_MS ("
                    + callbackTimeoutMs + ")");
        }
    }

    @PreDestroy
    void stop() {
        canceller.shutdownNow();
    }
}
