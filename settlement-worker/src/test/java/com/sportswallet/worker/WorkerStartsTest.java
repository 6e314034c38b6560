package com.sportswallet.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.Topics;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The worker starts against the real database and broker, is ready, and runs the outbox relay. */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, initArgs = @ResourceArg(name = "migrate", value = "true"))
class WorkerStartsTest {

    @Test
    void isReadyAndCreatesTheTopics() throws Exception {
        awaitReady().then().body("status", equalTo("UP"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers()))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Set<String> names = Set.of();
            while (System.nanoTime() < deadline && !names.containsAll(Topics.retentionMsByTopic(1).keySet())) {
                names = admin.listTopics().names().get();
                Thread.sleep(200);
            }
            assertTrue(names.containsAll(List.of(Topics.SETTLEMENT_COMMANDS, Topics.WALLET_EVENTS, Topics.SETTLEMENT_COMMANDS_DLQ)), names::toString);
        }
    }

    /**
     * Readiness: the database (Quarkus's datasource check) and the consumers' membership of the group
     * (each consumer's partitions; -1 would be a consumer not in the group). Liveness: the consumer
     * threads, the re-drive's schedule and the outbox relay's thread.
     */
    @Test
    void readinessReflectsTheDatabaseAndTheAssignmentLivenessTheThreads() throws Exception {
        Response ready = awaitReady();
        JsonPath json = ready.jsonPath();
        assertEquals("UP", json.getString("checks.find { it.name == 'Database connections health check' }.status"), ready.asString());
        assertEquals("UP", json.getString("checks.find { it.name == 'settlement consumers' }.status"), ready.asString());
        // The only member of group settlement-worker in this JVM: it owns every partition (3 in %test).
        assertEquals(3, json.getInt("checks.find { it.name == 'settlement consumers' }.data.partitions"), ready.asString());
        assertEquals(0, json.getInt("checks.find { it.name == 'settlement consumers' }.data.not_in_group"), ready.asString());

        Response live = given().get("/q/health/live");
        JsonPath l = live.jsonPath();
        assertEquals(200, live.statusCode(), live.asString());
        assertEquals("UP", l.getString("checks.find { it.name == 'settlement threads' }.status"), live.asString());
        assertEquals("UP", l.getString("checks.find { it.name == 'outbox relay' }.status"), live.asString());
    }

    /** Ready once the consumers joined their group: polled, bounded. */
    static Response awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Response r = given().get("/q/health/ready");
        while (r.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = given().get("/q/health/ready");
        }
        assertEquals(200, r.statusCode(), r.asString());
        return r;
    }

    /** Every metric the contract lists for the worker (what the dashboard and the alert rules use) is exposed (issue 17). */
    @Test
    void exposesEveryMetricTheContractListsForIt() throws InterruptedException {
        awaitReady();
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertEquals(List.of(), com.sportswallet.contracts.Metrics.notExposed("settlement-worker", scrape), "not exposed");
        // The only member of its group here owns the 3 partitions of %test; its Kafka client's metrics carry its client id.
        assertTrue(scrape.contains("\nsettlement_consumer_partitions_assigned 3.0"), scrape);
        assertTrue(scrape.contains("kafka_consumer_coordinator_rebalance_total{client_id=\"settlement-worker-0\""), "the consumer's own metrics");
    }

    @Test
    void countsReDrivenCredits() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("worker_credit_redriven_total"));
    }

    @Test
    void relaysOutboxRowsWrittenToTheSharedTable() throws Exception {
        try (Connection c = TestInfra.get().connect(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO outbox (topic, msg_key, event_id, payload) VALUES ('wallet.events', 'w1', 'e-w1', '{}')");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long left = 1;
        while (System.nanoTime() < deadline && left > 0) {
            try (Connection c = TestInfra.get().connect(); Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT count(*) FROM outbox WHERE event_id = 'e-w1'")) {
                rs.next();
                left = rs.getLong(1);
            }
            Thread.sleep(100);
        }
        assertTrue(left == 0, "the worker's relay drained the row");
    }
}
