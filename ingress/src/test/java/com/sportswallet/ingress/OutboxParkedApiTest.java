package com.sportswallet.ingress;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * Parked outbox keys through the operator API and scripts/outbox, against the ingress's own relay
 * (OUTBOX_SEND_ATTEMPTS_MAX 3 in tests): a row for a topic that does not exist (auto-create is off)
 * parks its key with the row behind it, alerted, counted in outbox_parked_rows; the list shows
 * them; a release (by the script) sends them in order with the same ids once the topic exists.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
public class OutboxParkedApiTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aParkedKeyIsListedCountedAlertedAndReleasedInOrderWithTheSameIds() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        String key = "pk-" + run;
        String missing = "ingress-test.missing-" + run;
        List<String> eventIds = List.of("k1-" + run, "k2-" + run, "k3-" + run);
        long first = insert(missing, key, eventIds.get(0));
        long second = insert(Topics.WALLET_EVENTS, key, eventIds.get(1));

        await(() -> parkedKey(key) != null, "the key is listed as parked");
        JsonPath listed = parkedKey(key);
        assertEquals(first, listed.getLong("outbox_id"), "parked at the row that cannot be sent");
        assertEquals(3, listed.getInt("attempts"));
        assertTrue(listed.getString("error").contains("does not exist"), listed::prettify);
        assertEquals(2, listed.getLong("rows"));
        assertEquals(List.of(first, second), listed.getList("listed.id", Long.class));
        assertEquals(eventIds.subList(0, 2), listed.getList("listed.event_id", String.class));

        // Written while the key is parked: it waits behind the parked rows.
        long third = insert(Topics.WALLET_EVENTS, key, eventIds.get(2));
        await(() -> parkedKey(key) != null && parkedKey(key).getLong("rows") == 3, "the new row waits with them");
        await(() -> metric("outbox_parked_rows") >= 3, "outbox_parked_rows counts them (read at most once a second)");
        assertTrue(metric("outbox_parked_keys") >= 1);

        // Operator only: 401 without a token, 403 without the group.
        given().get("/operator/outbox/parked").then().statusCode(401);
        given().header("Authorization", "Bearer " + TestKeys.operatorToken(TestKeys.OPERATOR.getPrivate(), "viewer"))
                .post("/operator/outbox/parked/" + key + "/release").then().statusCode(403);
        OperatorApiTest.operator().post("/operator/outbox/parked/not-parked-" + run + "/release").then().statusCode(404)
                .body("error", org.hamcrest.Matchers.equalTo("not_parked"));

        JsonNode alert = awaitParkedAlert(key);
        assertEquals("_system", alert.path("subject").asText(), "the alert is not parked behind the key it is about");
        assertEquals(first, alert.path("data").path("outbox_id").asLong());

        String list = script("list");
        assertTrue(list.contains(key), list);

        // The cause fixed (the topic created), the operator releases the key with the script.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(missing, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        String released = script("release", key);
        assertTrue(released.contains("\"released_rows\":3") && released.contains("\"first_id\":" + first)
                && released.contains("\"last_id\":" + third), released);

        try (KafkaConsumer<String, String> consumer = OutboxKafkaTest.consumer(List.of(missing, Topics.WALLET_EVENTS))) {
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            await(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (key.equals(r.key())) {
                        seen.add(r);
                    }
                });
                return seen.size() >= 3;
            }, "the released rows on Kafka");
            assertEquals(List.of(eventIds.get(0)), idsOn(seen, missing));
            assertEquals(eventIds.subList(1, 3), idsOn(seen, Topics.WALLET_EVENTS), "in order, with the same ids");
        }
        await(() -> Db.count("SELECT count(*) FROM outbox WHERE msg_key = '" + key + "'") == 0, "the released rows are deleted");
        assertEquals(null, parkedKey(key));
        await(() -> metric("outbox_parked_rows") == 0, "outbox_parked_rows back to 0");
        String again = scriptExpectingExit(3, "release", key);
        assertTrue(again.contains("not_parked"), again);
    }

    static long insert(String topic, String key, String eventId) throws SQLException {
        String payload = CloudEventJson.mapper().createObjectNode().put("specversion", "1.0").put("id", eventId)
                .put("type", "test.parked").put("subject", key).toString();
        try (Connection c = TestInfra.get().connect();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO outbox (topic, msg_key, event_id, payload) VALUES (?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, topic);
            ps.setString(2, key);
            ps.setString(3, eventId);
            ps.setString(4, payload);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The parked key as GET /operator/outbox/parked lists it, or null. */
    static JsonPath parkedKey(String key) {
        JsonPath body = OperatorApiTest.operator().get("/operator/outbox/parked").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> keys = body.getList("keys");
        for (int i = 0; i < keys.size(); i++) {
            if (key.equals(keys.get(i).get("key"))) {
                return new JsonPath(CloudEventJson.mapper().valueToTree(keys.get(i)).toString());
            }
        }
        return null;
    }

    /** A gauge's value in /q/metrics (Prometheus text). */
    static double metric(String name) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), () -> name + " not in /q/metrics");
        return Double.parseDouble(m.group(2));
    }

    static List<String> idsOn(List<ConsumerRecord<String, String>> records, String topic) {
        return records.stream().filter(r -> r.topic().equals(topic)).map(r -> {
            try {
                return CloudEventJson.mapper().readTree(r.value()).path("id").asText();
            } catch (IOException e) {
                return "";
            }
        }).toList();
    }

    static JsonNode awaitParkedAlert(String parkedKey) throws Exception {
        JsonNode[] found = { null };
        try (KafkaConsumer<String, String> consumer = OutboxKafkaTest.consumer()) {
            await(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        JsonNode event = CloudEventJson.mapper().readTree(r.value());
                        if ("wallet.alert".equals(event.path("type").asText())
                                && "outbox_parked".equals(event.path("data").path("reason").asText())
                                && parkedKey.equals(event.path("data").path("parked_key").asText()) && "_system".equals(r.key())) {
                            found[0] = event;
                        }
                    } catch (IOException e) {
                        // not JSON: not the alert
                    }
                }
                return found[0] != null;
            }, "the outbox_parked alert");
        }
        return found[0];
    }

    /** Runs scripts/outbox against this test's ingress, signing with the test's operator key; its stdout (exit 0). */
    static String script(String... args) throws Exception {
        return scriptExpectingExit(0, args);
    }

    static String scriptExpectingExit(int exit, String... args) throws Exception {
        Path keys = Files.createDirectories(Path.of("target", "test-keys", "scripts"));
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(TestKeys.OPERATOR.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(keys.resolve("operator-private.pem"), pem);
        Path script = Files.exists(Path.of("..", "scripts", "outbox")) ? Path.of("..", "scripts", "outbox") : Path.of("scripts", "outbox");
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("INGRESS_URL", "http://127.0.0.1:" + RestAssured.port);
        pb.environment().put("KEYS_DIR", keys.toAbsolutePath().toString());
        pb.environment().put("OPERATOR_ISSUER", TestKeys.OPERATOR_ISSUER);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "scripts/outbox ended");
        assertEquals(exit, p.exitValue(), () -> "scripts/outbox " + String.join(" ", args) + ": " + out);
        return out;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(WAIT, condition, what);
    }
}
