package com.sportswallet.ingress.provider;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.contracts.Topics;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.OperatorKeys;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Issue 17's operational reads over HTTP: the pipeline (backlog, pending credits, consumer lag, dead
 * letters), the alert log (a rollback below zero is listed with its reason), and the open-bets report.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class OperationsApiTest {
    private static JsonPath get(String path) {
        Response r = given().header("Authorization", "Bearer " + OperatorKeys.operatorToken(OperatorKeys.OPERATOR.getPrivate(), OperatorRoles.SUPPORT))
                .get(path);
        assertEquals(200, r.statusCode(), () -> path + ": " + r.asString());
        return r.jsonPath();
    }

    @Test
    void thePipelineShowsPendingCreditsAndTheLagOfAGroupThatCommittedBehindTheEnd() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "dep-" + UUID.randomUUID(), 1_000).then().statusCode(200);
        String bet = Provider.call("bet/make", Provider.make(player, Provider.txId(), 100, "EUR")).jsonPath().getString("id");
        String winTx = Provider.txId();
        assertEquals(200, Provider.call("bet/win", Provider.win(bet, winTx, 300, "EUR")).statusCode());
        // A group that committed offset 0 of a partition of wallet.events the relay has published to (the player's, by now).
        String group = "pipeline-test-" + UUID.randomUUID();
        TopicPartition[] published = new TopicPartition[1];
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(Topics.WALLET_EVENTS).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            Await.until(Duration.ofSeconds(30), () -> {
                c.endOffsets(partitions).forEach((tp, end) -> {
                    if (end > 0) {
                        published[0] = tp;
                    }
                });
                return published[0] != null;
            }, "wallet.events has records");
            c.commitSync(Map.of(published[0], new OffsetAndMetadata(0)));
        }

        // The Kafka figures are cached for up to 2 s: wait for a reading that has the group.
        Await.until(Duration.ofSeconds(20), () -> get("/operator/pipeline").getList("kafka.consumer_lag.group").contains(group), "the group is listed");
        JsonPath pipeline = get("/operator/pipeline");
        boolean stillPending = "PENDING".equals(ProviderConcurrencyTest.text("SELECT status FROM credit WHERE id = ?", Provider.operatorId("bet/win", winTx)));
        assertNull(pipeline.get("kafka.error"));
        Map<String, Object> lag = pipeline.getMap("kafka.consumer_lag.find { it.group == '" + group + "' }");
        assertEquals(Topics.WALLET_EVENTS, lag.get("topic"));
        assertEquals(published[0].partition(), ((Number) lag.get("partition")).intValue());
        assertEquals(0, ((Number) lag.get("committed")).longValue());
        assertEquals(((Number) lag.get("end")).longValue(), ((Number) lag.get("lag")).longValue(), "committed 0: the lag is the end offset");
        assertEquals(List.of(Topics.SETTLEMENT_COMMANDS_DLQ, Topics.BONUS_GRANTS_DLQ, Topics.CRM_WEBHOOK_DLQ), pipeline.getList("kafka.dead_letters.topic"));
        assertTrue(pipeline.getLong("outbox.rows") >= 0 && pipeline.getLong("outbox.parked_keys") >= 0, pipeline.prettify());
        if (stillPending) {
            assertTrue(pipeline.getLong("pending_credits.count") >= 1, pipeline.prettify());
            assertTrue(pipeline.getLong("pending_credits.oldest_age_ms") >= 0, pipeline.prettify());
        }
    }

    @Test
    void aRollbackBelowZeroIsListedAmongTheAlertsWithItsReason() {
        Instant since = Instant.now().minus(Duration.ofMinutes(5));
        RollbackShortfallTest.Won w = RollbackShortfallTest.wonThenSpent();
        RollbackShortfallTest.rollback(w);
        JsonPath alerts = get("/operator/alerts?since=" + since + "&limit=500");
        List<String> reasons = alerts.getList("alerts.findAll { it.player_id == '" + w.player() + "' }.reason");
        assertTrue(reasons.contains("negative_balance") || reasons.contains("absorbed_shortfall"), alerts.prettify());
        assertEquals(Db.count("SELECT count(*) FROM alert WHERE player_id = '" + w.player() + "'"), reasons.size(), "one row per alert event");
        given().header("Authorization", "Bearer " + OperatorKeys.operatorToken(OperatorKeys.OPERATOR.getPrivate(), OperatorRoles.SUPPORT))
                .get("/operator/alerts?since=yesterday").then().statusCode(400);
    }

    @Test
    void theOpenBetsReportCountsAnOpenBetsStakeAndExposure() {
        JsonPath before = get("/operator/reports/open-bets");
        long betsBefore = sum(before, "bets");
        long stakesBefore = sum(before, "stakes");
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "dep-" + UUID.randomUUID(), 1_000).then().statusCode(200);
        assertEquals(200, Provider.call("bet/make", Provider.make(player, Provider.txId(), 123, "EUR")).statusCode());
        JsonPath after = get("/operator/reports/open-bets");
        // Other tests' bets are settled meanwhile only by their own calls: none run concurrently with this one.
        assertEquals(betsBefore + 1, sum(after, "bets"), after.prettify());
        assertEquals(stakesBefore + 123, sum(after, "stakes"), after.prettify());
        assertTrue(after.getList("bands.age").contains("under_1h"));
    }

    private static long sum(JsonPath report, String field) {
        List<Number> values = report.getList("bands.findAll { it.currency == 'EUR' }." + field);
        return values.stream().mapToLong(Number::longValue).sum();
    }
}
