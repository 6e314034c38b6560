package com.sportswallet.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * Issue 12, finding 8b: an address outside PROVIDER_ALLOWED_CIDRS gets 403 on the provider
 * callbacks (the tests call from 127.0.0.1, outside 10.0.0.0/8), before any work; a client over
 * its rate limit gets 429 with Retry-After. Both with JSON bodies. Health stays open.
 */
@QuarkusTest
@TestProfile(CallerGateTest.Gated.class)
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class CallerGateTest {
    public static class Gated implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("wallet.provider.allowed-cidrs", "10.0.0.0/8, fd00::/8", "wallet.client-rate-limit.per-second", "1",
                    "wallet.client-rate-limit.burst", "3");
        }
    }

    @Test
    void aProviderCallFromAnAddressNotAllowedIs403BeforeAnyWork() {
        String tx = Provider.txId();
        Response r = Provider.call("bet/make", Provider.make("gate-player", tx, 100, "EUR"));
        assertEquals(403, r.statusCode(), r.asString());
        assertEquals("forbidden", r.jsonPath().getString("error"));
        assertEquals(200, RestAssured.get("/q/health/live").statusCode(), "health is never gated");
    }

    @Test
    void aClientOverItsRateLimitGets429WithRetryAfter() {
        List<Response> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(OperatorApiTest.operator().get("/operator/players/gate-nobody/wallet"));
        }
        Response limited = answers.stream().filter(r -> r.statusCode() == 429).findFirst().orElse(null);
        assertTrue(limited != null, "10 calls against a burst of 3 at 1/s: " + answers.stream().map(Response::statusCode).toList());
        assertEquals("too_many_requests", limited.jsonPath().getString("error"));
        assertTrue(Long.parseLong(limited.header("Retry-After")) >= 1, limited.headers().toString());
        assertEquals(404, answers.get(0).statusCode(), "the first calls are served: " + answers.get(0).asString());
    }
}
