package com.sportswallet.outbox;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while the outbox relay's thread runs (in the ingress and the worker alike): its loop retries
 * every failure of its own (database, broker), so only an Error ends it, nothing restarts it, and
 * committed events would wait for a restart of the process. Neither the database nor the broker is
 * checked here: their outage is a matter of readiness, and a restart would not bring them back.
 */
@Liveness
@Singleton
public class RelayLiveness implements HealthCheck {
    static final String NAME = "outbox relay";
    private final RelayService relayService;

    @Inject
    public RelayLiveness(RelayService relayService) {
        this.relayService = relayService;
    }

    @Override
    public HealthCheckResponse call() {
        OutboxRelay relay = relayService.relay();
        if (relay == null) {
            return HealthCheckResponse.named(NAME).up().withData("enabled", false).build();
        }
        return HealthCheckResponse.named(NAME).status(relay.alive()).withData("published", relay.publishedTotal()).build();
    }
}
