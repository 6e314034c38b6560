package com.sportswallet.worker.settlement;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.worker.settlement.WorkerFixtures.Credit;
import com.sportswallet.worker.settlement.WorkerFixtures.Lane;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The worker service on the real settlement.commands (issue 12, finding 3): a dead-lettered command
 * emits a wallet.alert (under its key; a keyless one under _system) and counts in
 * worker_dlq_records_total; a consumer loop that an unexpected exception ends is restarted, with
 * backoff, and /q/health shows it.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, initArgs = @ResourceArg(name = "migrate", value = "true"))
class WorkerServiceFailuresTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Lane COMMANDS = new Lane(Topics.SETTLEMENT_COMMANDS, SettlementConsumer.GROUP_ID);

    @BeforeAll
    static void prepare() throws Exception {
        WorkerFixtures.prepare();
    }

    @Test
    void aDeadLetteredCommandEmitsAnAlertUnderItsKeyOrSystemAndCountsInTheMetric() throws Exception {
        double before = metric("worker_dlq_records_total");
        String key = "dlq-" + Long.toString(System.nanoTime(), 36);
        String keyed;
        String keyless;
        try (KafkaProducer<String, String> producer = WorkerFixtures.producer()) {
            keyed = source(producer.send(new ProducerRecord<>(Topics.SETTLEMENT_COMMANDS, key, "not a command " + key)).get());
            keyless = source(producer.send(new ProducerRecord<>(Topics.SETTLEMENT_COMMANDS, null, "no key either " + key)).get());
        }
        await(() -> metric("worker_dlq_records_total") >= before + 2, "worker_dlq_records_total counts both");
        Map<String, ConsumerRecord<String, String>> alerts = awaitAlerts(List.of(keyed, keyless));
        assertEquals(key, alerts.get(keyed).key(), "under the record's key");
        assertEquals("_system", alerts.get(keyless).key(), "a record without a key alerts under _system");
        JsonNode data = CloudEventJson.mapper().readTree(alerts.get(keyed).value()).path("data");
        assertEquals("command_dead_lettered", data.path("reason").asText());
        assertEquals(key, data.path("player_id").asText());
        assertEquals(Topics.SETTLEMENT_COMMANDS_DLQ, data.path("dlq_topic").asText());
        assertTrue(data.path("dlq_reason").asText().startsWith("unparseable"), data::toString);
        assertTrue(CloudEventJson.mapper().readTree(alerts.get(keyless).value()).path("data").path("record_key").isNull());
    }

    @Test
    void aConsumerLoopEndedByAnUnexpectedExceptionIsRestartedAndHealthShowsIt() throws Exception {
        long walletId = WorkerFixtures.wallet(1000);
        Credit win = WorkerFixtures.pendingCredit(walletId, 70);
        InjectedCrash.ARMED.set(new AssertionError("injected crash before the database commit"));
        WorkerFixtures.send(COMMANDS, List.of(win), 1);

        assertEquals(1, WorkerFixtures.awaitDecided(List.of(win)), "the credit lands: the loop was restarted and read its command again");
        assertEquals(1, InjectedCrash.THROWN.get(), "the loop did end with the injected exception");
        assertEquals(1070, WorkerFixtures.balance(walletId));

        JsonPath health = given().get("/q/health/ready").then().statusCode(200).extract().jsonPath();
        Map<String, Object> loops = check(health, "settlement consumer loops");
        assertEquals("UP", loops.get("status"));
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) loops.get("data");
        assertTrue(((Number) data.get("settlement-consumer-0.restarts")).longValue() >= 1, data::toString);
        assertTrue(String.valueOf(data.get("settlement-consumer-0.last_failure")).contains("injected crash"), data::toString);
        assertEquals("RUNNING", data.get("settlement-consumer-0.state"));
        assertTrue(metric("worker_consumer_restarts_total") >= 1);
    }

    static String source(RecordMetadata m) {
        return m.topic() + "-" + m.partition() + "@" + m.offset();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> check(JsonPath health, String name) {
        List<Map<String, Object>> checks = health.getList("checks");
        return checks.stream().filter(c -> name.equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no health check '" + name + "' in " + health.prettify()));
    }

    static double metric(String name) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(2)) : Double.NaN;
    }

    /** The command_dead_lettered alerts on wallet.events for these sources (topic-partition@offset), by source. */
    static Map<String, ConsumerRecord<String, String>> awaitAlerts(List<String> sources) throws Exception {
        Map<String, ConsumerRecord<String, String>> found = new HashMap<>();
        Properties p = WorkerFixtures.kafka("alerts-" + System.nanoTime());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "alerts-check-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(Topics.WALLET_EVENTS));
            await(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        JsonNode event = CloudEventJson.mapper().readTree(r.value());
                        String source = event.path("data").path("source").asText();
                        if ("wallet.alert".equals(event.path("type").asText()) && sources.contains(source)) {
                            found.put(source, r);
                        }
                    } catch (IOException e) {
                        // not JSON: not an alert
                    }
                }
                return found.keySet().containsAll(sources);
            }, "an alert per dead-lettered record");
        }
        return found;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(WAIT, condition, what);
    }
}
