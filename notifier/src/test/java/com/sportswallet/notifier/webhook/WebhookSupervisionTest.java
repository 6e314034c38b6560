package com.sportswallet.notifier.webhook;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;
import com.sportswallet.notifier.support.KafkaTestClients;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The CRM webhook's loop under supervision, in the real notifier (issue 12, finding 3): an
 * unexpected exception ends the loop (here a real one: the webhook's group has no committed offset
 * and CRM_WEBHOOK_AUTO_OFFSET_RESET=none, so its first poll throws NoOffsetForPartitionException);
 * it used to leave a dead thread and a notifier that said nothing. Now the loop is restarted with
 * backoff, /q/health shows the failure and the restarts, and once the operator sets the group's
 * offsets the restarted loop delivers.
 */
@QuarkusTest
@TestProfile(WebhookSupervisionTest.WebhookOnProfile.class)
@QuarkusTestResource(RealInfraResource.class)
class WebhookSupervisionTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String PORT_PROPERTY = "webhook-supervision-test.port";
    static final String GROUP_PROPERTY = "webhook-supervision-test.group";

    /** The webhook on, pointed at this test's HTTP server, in a group of its own that has no offsets, with no reset. */
    public static class WebhookOnProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "notifier.webhook.url", "http://127.0.0.1:" + port() + "/hook",
                    "notifier.webhook.group-id", group(),
                    "notifier.webhook.auto-offset-reset", "none",
                    "notifier.webhook.backoff-initial-ms", "500",
                    "notifier.webhook.backoff-max-ms", "2000");
        }
    }

    /** JVM-wide (the profile and the test may be loaded by different class loaders). */
    static synchronized int port() {
        String p = System.getProperty(PORT_PROPERTY);
        if (p == null) {
            try (ServerSocket s = new ServerSocket(0)) {
                p = Integer.toString(s.getLocalPort());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            System.setProperty(PORT_PROPERTY, p);
        }
        return Integer.parseInt(p);
    }

    static synchronized String group() {
        String g = System.getProperty(GROUP_PROPERTY);
        if (g == null) {
            g = "webhook-supervision-" + UUID.randomUUID().toString().substring(0, 8);
            System.setProperty(GROUP_PROPERTY, g);
        }
        return g;
    }

    @Test
    void aDeliveryLoopEndedByAnUnexpectedExceptionIsRestartedWithBackoffAndHealthShowsIt() throws Exception {
        Map<String, String> received = new ConcurrentHashMap<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port()), 0);
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.put(CloudEventJson.mapper().readTree(body).path("id").asText(), body);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            await(() -> {
                Map<String, Object> webhook = webhookCheck();
                return webhook != null && number(webhook, "restarts") >= 1
                        && String.valueOf(data(webhook).get("last_failure")).contains("NoOffsetForPartitionException");
            }, "/q/health shows the webhook loop failed and restarting");

            // The operator fixes the cause: the group starts at the end of crm.events. Possible only while no
            // member is in the group, that is between two of the supervisor's attempts.
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers()))) {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(List.of(Topics.CRM_EVENTS)).allTopicNames().get(30, TimeUnit.SECONDS).get(Topics.CRM_EVENTS).partitions()
                        .forEach(p -> latest.put(new TopicPartition(Topics.CRM_EVENTS, p.partition()), OffsetSpec.latest()));
                Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
                admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                        .forEach((tp, info) -> ends.put(tp, new OffsetAndMetadata(info.offset())));
                await(() -> {
                    try {
                        admin.alterConsumerGroupOffsets(group(), ends).all().get(10, TimeUnit.SECONDS);
                        return true;
                    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                        return false; // a member is in the group right now: try again
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }, "the group's offsets set");
            }

            String id = "crm-supervised-" + UUID.randomUUID();
            String event = CloudEventJson.mapper().createObjectNode().put("specversion", "1.0").put("id", id)
                    .put("type", "crm.player.deposit").put("source", "/test").put("subject", "p-" + id).toString();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    TestInfra.get().bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(Topics.CRM_EVENTS, "p-" + id, event))
                        .get(KafkaTestClients.DELIVERY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            await(() -> received.containsKey(id), "the restarted loop delivers");

            Map<String, Object> webhook = webhookCheck();
            assertEquals("UP", webhook.get("status"), webhook::toString);
            assertEquals("RUNNING", data(webhook).get("state"));
            assertTrue(number(webhook, "restarts") >= 1, webhook::toString);
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.lines().filter(l -> l.startsWith("notifier_webhook_restarts_total"))
                    .anyMatch(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 1), "counted in notifier_webhook_restarts_total");
        } finally {
            server.stop(0);
        }
    }

    /** The "crm webhook" readiness check, or null. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> webhookCheck() {
        JsonPath health = given().get("/q/health/ready").then().extract().jsonPath();
        List<Map<String, Object>> checks = health.getList("checks");
        return checks == null ? null : checks.stream().filter(c -> "crm webhook".equals(c.get("name"))).findFirst().orElse(null);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(Map<String, Object> check) {
        Object d = check.get("data");
        return d == null ? Map.of() : (Map<String, Object>) d;
    }

    static long number(Map<String, Object> check, String field) {
        Object v = data(check).get(field);
        return v instanceof Number n ? n.longValue() : -1;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(WAIT, condition, what);
    }
}
