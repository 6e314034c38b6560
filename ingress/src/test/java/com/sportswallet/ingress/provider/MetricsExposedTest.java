package com.sportswallet.ingress.provider;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
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
    /**
     * A group's lag is its committed offsets' distance to the partitions' ends, whether or not any member owns them:
     * a group with no member at all (a worker that is down) still shows its lag, never 0.
     */
    @Test
    void aGroupWithoutMembersShowsItsLag() throws Exception {
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        String topic = "lag-test-" + UUID.randomUUID();
        String group = "lag-test-group-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(10, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 7; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i)).get(10, TimeUnit.SECONDS);
                }
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(topic, 1, "k", "w" + i)).get(10, TimeUnit.SECONDS);
                }
            }
            // Committed by no member: offsets 2 of 7 and 1 of 3, so 5 + 2 records behind.
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(2),
                    new TopicPartition(topic, 1), new OffsetAndMetadata(1))).all().get(10, TimeUnit.SECONDS);
        }
        String line = "consumer_group_lag_records{group=\"" + group + "\",topic=\"" + topic + "\"} 7.0";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String scrape;
        do {
            scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
            if (!scrape.contains(line)) {
                Thread.sleep(500);
            }
        } while (!scrape.contains(line) && System.nanoTime() < deadline);
        assertTrue(scrape.contains(line), "expected " + line + " in " + scrape.lines().filter(l -> l.startsWith("consumer_group_lag")).toList());
    }

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
