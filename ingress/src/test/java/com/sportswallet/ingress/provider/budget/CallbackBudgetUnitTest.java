package com.sportswallet.ingress.provider.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The budget's arithmetic on a clock the test moves: no wall clock, no database. */
class CallbackBudgetUnitTest {
    private final AtomicLong now = new AtomicLong(1_000_000L);

    private CallbackBudget budget(long timeoutMs, long marginMs) {
        CallbackBudget b = new CallbackBudget();
        b.start = new CallbackStart();
        b.meters = new SimpleMeterRegistry();
        b.callbackTimeoutMs = timeoutMs;
        b.answerMarginMs = marginMs;
        b.nanoTime = now::get;
        return b;
    }

    @Test
    void aRequestWhoseBudgetIsSpentIsRefusedBeforeItsFirstStatement() throws Exception {
        CallbackBudget b = budget(5_000, 500);
        b.start();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(4_600));
        assertEquals(-100, b.remainingMs());
        // No connection is ever touched: the guard refuses before it looks at one.
        assertThrows(CallbackBudget.Spent.class, () -> b.guard(null));
        assertEquals(1, b.meters.find(CallbackBudget.SPENT_METRIC).tag("when", "before-first-statement").counter().count());
    }

    @Test
    void otherRequestsHaveNoBudget() throws Exception {
        CallbackBudget b = budget(5_000, 500);
        assertEquals(Long.MAX_VALUE, b.remainingMs());
        b.guard(null).close();
    }

    @Test
    void aMarginThatLeavesNoBudgetFailsAtStart() {
        assertThrows(IllegalStateException.class, () -> budget(500, 500).check(null));
    }
}
