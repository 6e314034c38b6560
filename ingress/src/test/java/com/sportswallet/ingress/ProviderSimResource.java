package com.sportswallet.ingress;

import java.util.Map;

import com.sportswallet.providersim.ProviderSimulator;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The provider's bonus API for the ingress under test: the project's provider simulator, in this JVM on
 * a free port (memory only), named by {@code wallet.provider-bonus-api.*}. Tests reach it over HTTP (its
 * {@code /control} endpoints) at the configured URL.
 */
public class ProviderSimResource implements QuarkusTestResourceLifecycleManager {
    public static final String CID = "ingress-test";
    private ProviderSimulator sim;

    @Override
    public Map<String, String> start() {
        try {
            sim = new ProviderSimulator("127.0.0.1", 0, CID, ProviderSimulator.DEV_SECRET, null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start the provider simulator", e);
        }
        return Map.of("wallet.provider-bonus-api.url", sim.baseUrl(), "wallet.provider-bonus-api.cid", CID,
                "wallet.provider-bonus-api.secret", ProviderSimulator.DEV_SECRET, "wallet.provider-bonus-api.attempts-max", "2",
                "wallet.provider-bonus-api.backoff-ms-max", "100");
    }

    @Override
    public void stop() {
        try {
            if (sim != null) {
                sim.close();
            }
        } catch (java.io.IOException e) {
            // exiting anyway
        }
    }
}
