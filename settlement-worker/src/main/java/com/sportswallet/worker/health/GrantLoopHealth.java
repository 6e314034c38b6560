package com.sportswallet.worker.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import com.sportswallet.contracts.SupervisedLoop;
import com.sportswallet.worker.bonus.GrantConsumer;
import com.sportswallet.worker.bonus.GrantWorkerService;

/**
 * The granting consumer (issue 14): alive while its loop is supervised (running, or waiting for its
 * restart) and its re-drive's rounds are scheduled; shows the loop's state, restarts and last
 * failure. A liveness check only: settlement readiness does not wait for grants.
 */
@Liveness
@ApplicationScoped
public class GrantLoopHealth implements HealthCheck {
    @Inject
    GrantWorkerService service;

    @Override
    public HealthCheckResponse call() {
        SupervisedLoop<GrantConsumer> loop = service.loop();
        boolean supervised = loop == null || loop.state() != SupervisedLoop.State.STOPPED;
        HealthCheckResponseBuilder b = HealthCheckResponse.named("bonus grant threads").status(supervised && service.redriveAlive())
                .withData("enabled", loop != null).withData("redrive", service.redriveAlive());
        if (loop != null) {
            b.withData("consumer.state", loop.state().name()).withData("consumer.restarts", loop.restarts());
            if (loop.lastFailure() != null) {
                b.withData("consumer.last_failure", loop.lastFailure());
            }
        }
        return b.build();
    }
}
