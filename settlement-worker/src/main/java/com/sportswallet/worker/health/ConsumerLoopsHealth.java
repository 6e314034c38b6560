package com.sportswallet.worker.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import com.sportswallet.contracts.SupervisedLoop;
import com.sportswallet.worker.SettlementWorkerService;
import com.sportswallet.worker.settlement.SettlementConsumer;

/**
 * The supervised settlement consumer loops: DOWN while one of them failed and waits for its
 * restart; per loop its state, how many times it was restarted and its last failure (a loop that
 * was restarted and runs again is UP, and still shows them). Never a silently dead thread.
 */
@Readiness
@ApplicationScoped
public class ConsumerLoopsHealth implements HealthCheck {
    @Inject
    SettlementWorkerService service;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("settlement consumer loops").status(service.running());
        for (SupervisedLoop<SettlementConsumer> loop : service.consumerLoops()) {
            b.withData(loop.name() + ".state", loop.state().name());
            b.withData(loop.name() + ".restarts", loop.restarts());
            if (loop.lastFailure() != null) {
                b.withData(loop.name() + ".last_failure", loop.lastFailure());
                b.withData(loop.name() + ".last_failure_at", String.valueOf(loop.lastFailureAt()));
            }
        }
        return b.build();
    }
}
