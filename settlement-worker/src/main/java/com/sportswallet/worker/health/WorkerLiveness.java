package com.sportswallet.worker.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import com.sportswallet.worker.SettlementWorkerService;

/**
 * Alive while the settlement consumer threads run and the credit re-drive's and the bonus sweep's rounds are scheduled:
 * each retries its own failures (database, broker) for as long as it takes, so one that ended never
 * comes back without a restart. (The outbox relay's thread is the outbox module's RelayLiveness.)
 */
@Liveness
@ApplicationScoped
public class WorkerLiveness implements HealthCheck {
    @Inject
    SettlementWorkerService service;

    @Override
    public HealthCheckResponse call() {
        boolean consumers = service.supervised();
        boolean redrive = service.redriveAlive();
        boolean bonusSweep = service.bonusSweepAlive();
        return HealthCheckResponse.named("settlement threads").status(consumers && redrive && bonusSweep)
                .withData("consumers", consumers).withData("redrive", redrive).withData("bonus_sweep", bonusSweep).build();
    }
}
