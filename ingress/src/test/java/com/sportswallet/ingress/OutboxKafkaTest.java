package com.sportswallet.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The outbox against the real broker: events arrive; with the broker down, money still moves. */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
public class OutboxKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    public static KafkaConsumer<String, String> consumer() {
        return consumer(List.of(Topics.WALLET_EVENTS));
    }

    public static KafkaConsumer<String, String> consumer(List<String> topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "outbox-test-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
        consumer.subscribe(topics);
        return consumer;
    }

    /** Reads wallet.events until every wanted event id was seen (or the wait ends); returns them by id. */
    public static Map<String, ConsumerRecord<String, String>> awaitEvents(KafkaConsumer<String, String> consumer, Set<String> eventIds) throws Exception {
        Map<String, ConsumerRecord<String, String>> seen = new HashMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && !seen.keySet().containsAll(eventIds)) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                String id = CloudEventJson.mapper().readTree(r.value()).path("id").asText();
                if (eventIds.contains(id)) {
                    seen.put(id, r);
                }
            }
        }
        return seen;
    }

    @Test
    void aDepositIsPublishedAsAStructuredCloudEventKeyedByPlayer() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "ev-" + player, 4200).then().statusCode(200);
        String eventId = CloudEventJson.stableId("wallet.deposit", "ev-" + player);
        try (KafkaConsumer<String, String> consumer = consumer()) {
            ConsumerRecord<String, String> record = awaitEvents(consumer, Set.of(eventId)).get(eventId);
            assertTrue(record != null, "deposit event published");
            assertEquals(player, record.key());
            assertEquals("application/cloudevents+json; charset=UTF-8",
                    new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));
            JsonNode event = CloudEventJson.mapper().readTree(record.value());
            assertEquals("1.0", event.get("specversion").asText());
            assertEquals("wallet.deposit", event.get("type").asText());
            assertEquals(player, event.get("subject").asText());
            JsonNode data = event.get("data");
            assertEquals(4200, data.get("amount").asLong());
            assertEquals(4200, data.get("balance_after").asLong());
            assertEquals(1, data.get("sequence").asLong());
            assertEquals("EUR", data.get("currency").asText());
        }
        waitForEmptyOutbox();
    }

    @Test
    void withTheBrokerDownMoneyStillMovesAndEventsArriveWhenItReturns() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        waitForEmptyOutbox();
        Set<String> eventIds = new HashSet<>();
        TestInfra.get().stopBroker();
        try {
            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                OperatorApiTest.deposit(player, "down-" + player + "-" + i, 100).then().statusCode(200);
                assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "a deposit never waits for Kafka");
                eventIds.add(CloudEventJson.stableId("wallet.deposit", "down-" + player + "-" + i));
            }
            OperatorApiTest.withdraw(player, "down-wd-" + player, 250).then().statusCode(200);
            eventIds.add(CloudEventJson.stableId("wallet.withdrawal", "down-wd-" + player));
            assertEquals(250, OperatorApiTest.balance(player));
            assertTrue(Db.count("SELECT count(*) FROM outbox") >= 6, "the outbox buffers while Kafka is away");
        } finally {
            TestInfra.get().startBroker();
        }
        try (KafkaConsumer<String, String> consumer = consumer()) {
            Map<String, ConsumerRecord<String, String>> seen = awaitEvents(consumer, eventIds);
            assertEquals(eventIds, seen.keySet());
        }
        waitForEmptyOutbox();
    }

    @Test
    void withTheBrokerDownCallbacksStillCommitAndTheirEventsAndCommandsArriveLater() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "cb-fund-" + player, 10_000).then().statusCode(200);
        waitForEmptyOutbox();
        Set<String> eventIds = new HashSet<>();
        TestInfra.get().stopBroker();
        try {
            for (int i = 0; i < 3; i++) {
                String makeTx = com.sportswallet.ingress.provider.Provider.txId();
                String betId = com.sportswallet.ingress.provider.Provider.call("bet/make",
                        com.sportswallet.ingress.provider.Provider.make(player, makeTx, 100, "EUR"))
                        .then().statusCode(200).extract().jsonPath().getString("id");
                String winTx = com.sportswallet.ingress.provider.Provider.txId();
                com.sportswallet.ingress.provider.Provider.call("bet/win",
                        com.sportswallet.ingress.provider.Provider.win(betId, winTx, 250, "EUR")).then().statusCode(200);
                String winId = com.sportswallet.ingress.provider.Provider.operatorId("bet/win", winTx);
                eventIds.add(CloudEventJson.stableId("wallet.bet.placed", betId));
                eventIds.add(CloudEventJson.stableId("wallet.bet.won", winId));
                eventIds.add(CloudEventJson.stableId("settlement.credit", winId));
            }
            assertEquals(10_000 - 300, OperatorApiTest.settledBalance(player));
            assertEquals(10_000 - 300 + 750, OperatorApiTest.balance(player), "available: the wins are pending");
            assertTrue(Db.count("SELECT count(*) FROM outbox") >= 9, "the outbox buffers while Kafka is away");
        } finally {
            TestInfra.get().startBroker();
        }
        try (KafkaConsumer<String, String> consumer = consumer(List.of(Topics.WALLET_EVENTS, Topics.SETTLEMENT_COMMANDS))) {
            Map<String, ConsumerRecord<String, String>> seen = awaitEvents(consumer, eventIds);
            assertEquals(eventIds, seen.keySet());
            seen.values().forEach(r -> assertEquals(player, r.key(), "keyed by player"));
        }
        waitForEmptyOutbox();
    }

    static void waitForEmptyOutbox() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && Db.count("SELECT count(*) FROM outbox") > 0) {
            Thread.sleep(100);
        }
        assertEquals(0, Db.count("SELECT count(*) FROM outbox"), "outbox drained");
    }
}
