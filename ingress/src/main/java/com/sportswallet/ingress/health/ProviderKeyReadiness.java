package com.sportswallet.ingress.health;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import com.sportswallet.ingress.provider.jwt.CallbackVerifier;

/**
 * Not ready without a usable provider key: every callback would be refused (2005). A configured key
 * that did not load is counted (its path and the reason are in the start log); the ingress stays
 * ready while another key verifies callbacks (a rotation half done).
 */
@Readiness
@Singleton
public class ProviderKeyReadiness implements HealthCheck {
    static final String NAME = "provider keys";
    private final CallbackVerifier verifier;

    @Inject
    public ProviderKeyReadiness(CallbackVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public HealthCheckResponse call() {
        int usable = verifier.usableKeys();
        return HealthCheckResponse.named(NAME).status(usable > 0).withData("usable", usable)
                .withData("unusable", verifier.unusableKeys()).build();
    }
}
