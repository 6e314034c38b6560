package com.sportswallet.ingress.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Readiness tells the truth: the ingress is ready only with its database and a usable provider key.
 * The broker is a wellness check, never readiness: with the broker stopped the ingress stays ready
 * and a bet is still decided and answered (its fact waits in the outbox), because a readiness that
 * followed Kafka would take every ingress out of rotation at once, a callback outage the outbox
 * exists to prevent. Liveness checks the outbox relay's thread.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class IngressHealthTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void readyWithDatabaseAndProviderKeyAndStillReadyAndAnsweringWithoutTheBroker() throws Exception {
        Map<String, String> ready = awaitStatus("/q/health/ready", 200);
        assertEquals(Map.of("Database connections health check", "UP", "provider keys", "UP"), ready);
        JsonPath keys = checks(given().get("/q/health/ready"), "provider keys");
        assertEquals(2, keys.getInt("data.usable"), keys.prettify());
        assertEquals(Map.of("kafka broker", "UP"), awaitStatus("/q/health/well", 200));
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "fund-" + player, 10_000).then().statusCode(200);

        TestInfra.get().stopBroker();
        try {
            Map<String, String> well = awaitStatus("/q/health/well", 503);
            assertEquals("DOWN", well.get("kafka broker"), well::toString);
            assertEquals("DOWN", awaitStatus("/q/health", 503).get("kafka broker"), "the overall health shows it");
            assertEquals(ready, statuses(given().get("/q/health/ready").then().statusCode(200).extract().response()),
                    "a broker outage changes nothing for callers");
            Provider.call("bet/make", Provider.make(player, Provider.txId(), 100, "EUR")).then().statusCode(200)
                    .body("balance", equalTo(9_900));
        } finally {
            TestInfra.get().startBroker();
        }
        assertEquals("UP", awaitStatus("/q/health/well", 200).get("kafka broker"));
    }

    @Test
    void livenessChecksTheOutboxRelay() {
        Response live = given().get("/q/health/live");
        live.then().statusCode(200);
        assertEquals(Map.of("outbox relay", "UP"), statuses(live), live.asString());
    }

    /** Polls a health endpoint until it answers {@code status} (bounded), and returns each check's status by name. */
    static Map<String, String> awaitStatus(String path, int status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Response r = given().get(path);
        while (r.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(250);
            r = given().get(path);
        }
        assertEquals(status, r.statusCode(), r.asString());
        return statuses(r);
    }

    static Map<String, String> statuses(Response r) {
        Map<String, String> m = new TreeMap<>();
        for (Map<String, Object> check : r.jsonPath().<Map<String, Object>>getList("checks")) {
            m.put((String) check.get("name"), (String) check.get("status"));
        }
        return m;
    }

    static JsonPath checks(Response r, String name) {
        return new JsonPath(r.asString()).setRootPath("checks.find { it.name == '" + name + "' }");
    }
}
