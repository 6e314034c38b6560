package com.sportswallet.worker.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import com.sportswallet.worker.SettlementWorkerService;

/** Ready while the settlement consumers run (a consumer that died would leave credits pending). */
@Readiness
@ApplicationScoped
public class ConsumerReadiness implements HealthCheck {
    @Inject
    SettlementWorkerService service;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("settlement consumers").status(service.running()).build();
    }
}
