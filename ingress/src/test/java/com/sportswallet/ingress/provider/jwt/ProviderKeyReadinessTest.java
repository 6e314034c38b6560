package com.sportswallet.ingress.provider.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.health.ProviderKeyReadiness;

/** An ingress whose provider keys did not load refuses every callback: it is not ready. */
class ProviderKeyReadinessTest {

    static CallbackVerifier verifier(String... keyEntries) {
        CallbackVerifier v = new CallbackVerifier();
        v.keyEntries = List.of(keyEntries);
        v.operatorId = "demo-operator";
        v.brandIds = Optional.empty();
        v.init();
        return v;
    }

    @Test
    void downWithoutAUsableKeyUpWithOne() {
        HealthCheckResponse none = new ProviderKeyReadiness(verifier("target/no-such-provider-public.pem")).call();
        assertEquals(HealthCheckResponse.Status.DOWN, none.getStatus());
        assertEquals(Map.of("usable", 0L, "unusable", 1L), none.getData().orElseThrow());

        String good = TestKeys.writePublicPem(TestKeys.generate(), "readiness-provider").toString();
        HealthCheckResponse halfRotated = new ProviderKeyReadiness(verifier("p1=" + good, "p2=target/no-such-provider-public.pem")).call();
        assertEquals(HealthCheckResponse.Status.UP, halfRotated.getStatus(), "another key still verifies callbacks");
        assertEquals(Map.of("usable", 1L, "unusable", 1L), halfRotated.getData().orElseThrow());
    }
}
