package com.sportswallet.ingress.provider;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.Metrics;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The ingress exposes every metric the contract ({@link Metrics#EXPOSED}) lists for it, which is what the
 * dashboard and the alert rules may use (issue 17); and a callback is counted under its own endpoint and
 * outcome, in a histogram with buckets.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class MetricsExposedTest {
    @Test
    void everyContractedMetricIsExposedAndCallbacksAreCountedByEndpointAndOutcome() throws InterruptedException {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "dep-" + UUID.randomUUID(), 100).then().statusCode(200);
        assertEquals(200, Provider.call("bet/make", Provider.make(player, Provider.txId(), 50, "EUR")).statusCode());
        assertEquals(400, Provider.call("bet/make", Provider.make(player, Provider.txId(), 500, "EUR")).statusCode());
        assertEquals(400, Provider.call("bet/win", Provider.win("no-such-bet", Provider.txId(), 1, "EUR")).statusCode());

        // The gauges read the database every few seconds, the producer's metrics appear with its first send.
        List<String> missing = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
            missing.clear();
            missing.addAll(Metrics.notExposed("ingress", scrape));
            if (!missing.isEmpty()) {
                Thread.sleep(500);
            }
        } while (!missing.isEmpty() && System.nanoTime() < deadline);
        assertTrue(missing.isEmpty(), "not exposed: " + missing);

        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(scrape.contains("callback_requests_seconds_bucket{endpoint=\"bet/make\",outcome=\"200\",le=\"0.05\"}"), scrape);
        assertTrue(scrape.contains("callback_requests_seconds_count{endpoint=\"bet/make\",outcome=\"400-2001\"}"), "a 2001 under its own outcome");
        assertTrue(scrape.contains("callback_requests_seconds_count{endpoint=\"bet/win\",outcome=\"400-2003\"}"), "a 2003 under bet/win");
        assertTrue(scrape.contains("callback_refused_total{code=\"2001\",endpoint=\"bet/make\"}"), "refusals by endpoint and code");
        for (String reason : Metrics.ALERT_REASONS) {
            assertTrue(scrape.contains("wallet_alerts_total{reason=\"" + reason + "\"}"), reason);
        }
    }
}
