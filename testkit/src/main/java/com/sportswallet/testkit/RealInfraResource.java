package com.sportswallet.testkit;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} at the real broker and database of {@link TestInfra}. With init
 * argument {@code migrate=true} it applies the ingress's migrations first (for services that do
 * not own the schema).
 */
public class RealInfraResource implements QuarkusTestResourceLifecycleManager {
    private boolean migrate;

    @Override
    public void init(Map<String, String> initArgs) {
        migrate = Boolean.parseBoolean(initArgs.getOrDefault("migrate", "false"));
    }

    @Override
    public Map<String, String> start() {
        TestInfra infra = TestInfra.get();
        if (migrate) {
            infra.migrate();
        }
        return new HashMap<>(infra.quarkusConfig());
    }

    @Override
    public void stop() {
        // The infrastructure lives as long as the test JVM (TestInfra's shutdown hook stops it).
    }
}
