package com.sportswallet.notifier.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import com.sportswallet.contracts.SupervisedLoop;

/**
 * The CRM webhook's delivery loop: UP when the webhook is off or its loop runs; DOWN while it
 * failed and waits for its restart. Its state, restarts and last failure are shown either way (a
 * loop restarted and running again is UP and still says so): never a silently dead thread.
 */
@Readiness
@ApplicationScoped
public class WebhookHealth implements HealthCheck {
    @Inject
    WebhookService service;

    @Override
    public HealthCheckResponse call() {
        SupervisedLoop<WebhookDelivery> loop = service.delivery();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("crm webhook");
        if (loop == null) {
            return b.up().withData("enabled", false).build();
        }
        b.status(loop.running()).withData("enabled", true).withData("state", loop.state().name()).withData("restarts", loop.restarts());
        if (loop.lastFailure() != null) {
            b.withData("last_failure", loop.lastFailure()).withData("last_failure_at", String.valueOf(loop.lastFailureAt()));
        }
        return b.build();
    }
}
