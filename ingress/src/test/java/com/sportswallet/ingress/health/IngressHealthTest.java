package com.sportswallet.ingress.health;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Readiness tells the truth: the ingress is ready only with its database, a usable provider key and
 * its broker; with the broker stopped it is not ready (and ready again once it is back); liveness
 * checks the outbox relay's thread.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class IngressHealthTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void readyWithDatabaseProviderKeyAndBrokerNotReadyWithoutTheBroker() throws Exception {
        Map<String, String> ready = awaitReadiness(200);
        assertEquals(Map.of("Database connections health check", "UP", "provider keys", "UP", "kafka broker", "UP"), ready);
        JsonPath keys = checks(given().get("/q/health/ready"), "provider keys");
        assertEquals(2, keys.getInt("data.usable"), keys.prettify());

        TestInfra.get().stopBroker();
        try {
            Map<String, String> down = awaitReadiness(503);
            assertEquals("DOWN", down.get("kafka broker"), down::toString);
            assertEquals("UP", down.get("provider keys"));
            assertEquals("UP", down.get("Database connections health check"), "the database is not the broker");
        } finally {
            TestInfra.get().startBroker();
        }
        assertEquals("UP", awaitReadiness(200).get("kafka broker"));
    }

    @Test
    void livenessChecksTheOutboxRelay() {
        Response live = given().get("/q/health/live");
        live.then().statusCode(200);
        assertEquals(Map.of("outbox relay", "UP"), statuses(live), live.asString());
    }

    /** Polls readiness until it answers {@code status} (bounded), and returns each check's status by name. */
    static Map<String, String> awaitReadiness(int status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Response r = given().get("/q/health/ready");
        while (r.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(250);
            r = given().get("/q/health/ready");
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
