package com.sportswallet.ingress.provider.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import jakarta.transaction.RollbackException;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.provider.budget.CallbackBudget;
import com.sportswallet.ingress.provider.lane.MakeLanes;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The provider callbacks' fault mapper tells a passing fault (503: the provider retries, and a retry can succeed) from a
 * bug (500, counted apart): a provider must not be told to retry, silently, what fails the same way every time.
 */
class CallbackFaultMapperTest {
    @Test
    void passingFaultsAre503AndBugsAre500CountedApart() {
        SportsbookResource resource = new SportsbookResource();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        resource.registry = meters;

        assertEquals(503, resource.fault(new SQLException("canceling statement due to lock timeout", "55P03")).getStatus());
        assertEquals(503, resource.fault(new SQLTransientConnectionException("acquisition timeout")).getStatus());
        assertEquals(503, resource.fault(new IllegalStateException("wrapped", new RollbackException("transaction timeout"))).getStatus());
        assertEquals(503, resource.fault(new CallbackBudget.Spent("the callback's budget was spent")).getStatus());
        assertEquals(503, resource.fault(new RuntimeException("wrapped", new CallbackBudget.Spent("spent"))).getStatus());
        assertEquals(503, resource.fault(new MakeLanes.Busy("player p has 256 makes in progress (MAKE_QUEUE_MAX)")).getStatus());
        assertEquals(6.0, meters.counter(SportsbookResource.FAULTS_METRIC).count());

        assertEquals(500, resource.fault(new NullPointerException("a bug")).getStatus());
        assertEquals(500, resource.fault(new IllegalStateException("another bug")).getStatus());
        assertEquals(500, resource.fault(new SQLException("duplicate key value violates unique constraint", "23505")).getStatus(),
                "a statement a retry cannot mend");
        assertEquals(3.0, meters.counter(SportsbookResource.INTERNAL_ERRORS_METRIC).count());
        assertEquals(6.0, meters.counter(SportsbookResource.FAULTS_METRIC).count(), "bugs are not counted as passing faults");
    }
}
