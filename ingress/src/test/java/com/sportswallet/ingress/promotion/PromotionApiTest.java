package com.sportswallet.ingress.promotion;

import static com.sportswallet.ingress.OperatorApiTest.createPlayer;
import static com.sportswallet.ingress.OperatorApiTest.operator;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.Topics;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.OutboxKafkaTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.reconcile.BonusChecksProbe;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * Limited-claim promotions (issue 14) against the real ingress, PostgreSQL and Kafka: 1,000 concurrent
 * claims by distinct players on a promotion of 100 make exactly 100 claims, 100 grant records and
 * bonus.grants records, and exactly one claim event saying no claim is left; a player's repeat is the
 * same claim; sold_out, expired, unknown promotion or player, and a claims_max below the claims are
 * refused with nothing written.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
public class PromotionApiTest {
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime());
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int THREADS = 24;

    @Test
    void aThousandConcurrentClaimsOnAPromotionOfAHundredMakeExactlyAHundred() throws Exception {
        String run = Long.toString(SEQ.incrementAndGet(), 36);
        String promotion = "flash-" + run;
        List<String> players = insertPlayers("pc-" + run, 1000, "EUR");
        put(promotion, "freebet_freemoney", 500, "EUR", 100, Instant.now().plus(1, ChronoUnit.DAYS)).then().statusCode(201)
                .body("claims_max", equalTo(100)).body("claims_taken", equalTo(0));

        // Plain java.net.http with one token: RestAssured and a fresh JWT per call would cost this 2-core box more than the claims.
        String token = "Bearer " + TestKeys.operatorToken();
        URI claims = URI.create("http://127.0.0.1:" + RestAssured.port + "/operator/promotions/" + promotion + "/claims");
        ExecutorService httpPool = Executors.newFixedThreadPool(THREADS);
        HttpClient http = HttpClient.newBuilder().executor(httpPool).build();
        Map<String, HttpResponse<String>> answers = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (String p : players) {
                calls.add(pool.submit(() -> answers.put(p, http.send(HttpRequest.newBuilder(claims).header("Authorization", token)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"player_id\":\"" + p + "\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString()))));
            }
            for (Future<?> f : calls) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            httpPool.shutdownNow();
        }
        Map<Integer, Integer> byStatus = new HashMap<>();
        Set<String> winners = new HashSet<>();
        for (Map.Entry<String, HttpResponse<String>> a : answers.entrySet()) {
            HttpResponse<String> r = a.getValue();
            byStatus.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 201) {
                winners.add(a.getKey());
            } else {
                assertEquals("sold_out", CloudEventJson.mapper().readTree(r.body()).path("error").asText(), r.body());
            }
        }
        assertEquals(Map.of(201, 100, 409, 900), byStatus, "exactly 100 claims, every other one sold out");
        String requestId = "promotion:" + promotion;
        assertEquals(100, Db.count("SELECT count(*) FROM promotion_slot WHERE promotion_id = '" + promotion + "' AND player_id IS NOT NULL"));
        assertEquals(100, Db.count("SELECT count(*) FROM promotion_slot WHERE promotion_id = '" + promotion + "'"));
        assertEquals(100, Db.count("SELECT count(*) FROM bonus_grant_player WHERE request_id = '" + requestId + "'"));
        assertEquals(0, Db.count("SELECT count(*) FROM bonus_grant_player g WHERE request_id = '" + requestId + "' AND NOT EXISTS"
                + " (SELECT 1 FROM promotion_slot s WHERE s.promotion_id = '" + promotion + "' AND s.player_id = g.player_id)"),
                "each grant record is a claim's");
        operator().get("/operator/promotions/" + promotion).then().statusCode(200).body("claims_max", equalTo(100))
                .body("claims_taken", equalTo(100)).body("request_id", equalTo(requestId));

        // A winner's repeat is its claim again, sold out or not; a loser's repeat is still sold out.
        String winner = winners.iterator().next();
        Response again = claim(promotion, winner);
        assertEquals(200, again.statusCode(), again.asString());
        assertEquals(answers.get(winner).body(), again.asString(), "the same claim");
        String loser = players.stream().filter(p -> !winners.contains(p)).findFirst().orElseThrow();
        claim(promotion, loser).then().statusCode(409).body("error", equalTo("sold_out"));

        // On Kafka, once the outbox drained: 100 bonus.grants records for the promotion's grant, 100 claim events,
        // exactly one of them with promotion_claims_left 0.
        Await.until(WAIT, () -> Db.count("SELECT count(*) FROM outbox WHERE topic IN ('" + Topics.BONUS_GRANTS + "', '"
                + Topics.WALLET_EVENTS + "') AND payload LIKE '%" + requestId + "%'") == 0, "the outbox sends the promotion's records");
        List<JsonNode> grants = new ArrayList<>();
        List<JsonNode> claimed = new ArrayList<>();
        for (ConsumerRecord<String, String> r : readToEnd(List.of(Topics.BONUS_GRANTS, Topics.WALLET_EVENTS))) {
            if (r.value() == null || !r.value().contains(requestId)) {
                continue; // other tests' records, poison ones included (the grant tests send some)
            }
            JsonNode event = CloudEventJson.mapper().readTree(r.value());
            JsonNode data = event.path("data");
            if (!requestId.equals(data.path("request_id").asText())) {
                continue;
            }
            assertEquals(event.path("subject").asText(), r.key(), "keyed by player");
            (r.topic().equals(Topics.BONUS_GRANTS) ? grants : claimed).add(event);
        }
        assertEquals(100, grants.size(), "one bonus.grants record per claim");
        assertEquals(winners, grants.stream().map(e -> e.path("data").path("player_id").asText()).collect(java.util.stream.Collectors.toSet()));
        assertEquals(100, claimed.size(), "one claim event per claim");
        assertTrue(claimed.stream().allMatch(e -> e.path("type").asText().equals(EventTypes.BONUS_CLAIMED)
                && e.path("data").path("promotion_id").asText().equals(promotion) && e.path("data").path("player_seq").asLong() > 0));
        assertEquals(1, claimed.stream().filter(e -> e.path("data").path("promotion_claims_left").asLong() == 0).count(),
                "exactly one claim took the last slot");
        assertTrue(claimed.stream().allMatch(e -> e.path("data").path("promotion_claims_left").asLong() >= 0));
        // And reconcile's check of it (over this shared database: only its own finding is read).
        try (Connection c = TestInfra.get().connect()) {
            assertEquals(List.of(), BonusChecksProbe.failures(c).stream().filter(f -> f.contains("promotion-claims")).toList());
        }
    }

    @Test
    void aPlayersConcurrentRepeatsAreOneClaim() throws Exception {
        String run = Long.toString(SEQ.incrementAndGet(), 36);
        String promotion = "repeat-" + run;
        String player = createPlayer("EUR");
        put(promotion, "comboboost", 300, "EUR", 5, Instant.now().plus(1, ChronoUnit.DAYS)).then().statusCode(201);
        List<java.util.concurrent.Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(() -> claim(promotion, player));
        }
        List<Response> answers = OperatorApiTest.concurrently(calls);
        assertEquals(1, answers.stream().filter(r -> r.statusCode() == 201).count());
        assertEquals(9, answers.stream().filter(r -> r.statusCode() == 200).count());
        assertEquals(1, answers.stream().map(Response::asString).distinct().count(), "the same claim in every answer");
        assertEquals(1, Db.count("SELECT count(*) FROM promotion_slot WHERE promotion_id = '" + promotion + "' AND player_id IS NOT NULL"));
        assertEquals(1, Db.count("SELECT count(*) FROM bonus_grant_player WHERE request_id = 'promotion:" + promotion + "'"));
        assertEquals(1, Db.count("SELECT player_seq FROM wallet WHERE player_id = '" + player + "'"), "one claim event");
    }

    @Test
    void refusalsWriteNothing() {
        String run = Long.toString(SEQ.incrementAndGet(), 36);
        String promotion = "rules-" + run;
        Instant later = Instant.now().plus(1, ChronoUnit.DAYS);
        put(promotion, "freebet_refund", 1000, "EUR", 2, later).then().statusCode(201);
        put(promotion, "freebet_refund", 1000, "EUR", 2, later).then().statusCode(200).body("claims_max", equalTo(2));

        // Bad input: 400, nothing written.
        String unknown = "never-" + run;
        put(unknown, "cashback", 1000, "EUR", 2, later).then().statusCode(400).body("error", equalTo("invalid_bonus_type"));
        put(unknown, "freebet_refund", 0, "EUR", 2, later).then().statusCode(400).body("error", equalTo("invalid_amount"));
        put(unknown, "freebet_refund", 1000, "EUR", -1, later).then().statusCode(400).body("error", equalTo("invalid_claims_max"));
        operator().body("{\"bonus_type\":\"freebet_refund\",\"amount\":1,\"currency\":\"EUR\",\"claims_max\":1,\"expires_at\":\"tomorrow\"}")
                .put("/operator/promotions/" + unknown).then().statusCode(400).body("error", equalTo("invalid_expires_at"));
        operator().body("{}").post("/operator/promotions/" + promotion + "/claims").then().statusCode(400)
                .body("error", equalTo("invalid_player_id"));
        assertEquals(0, Db.count("SELECT count(*) FROM promotion WHERE id = '" + unknown + "'"));
        // An operator grant holding the promotion's grant id: the promotion is refused, not recorded into that grant.
        try (Connection c = TestInfra.get().connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO bonus_grant (request_id,"
                + " request_hash, bonus_type, currency, expires_at, players_total) VALUES (?, '\\x00', 'freebet_refund', 'EUR', now(), 0)")) {
            ps.setString(1, "promotion:taken-" + run);
            ps.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        put("taken-" + run, "freebet_refund", 1000, "EUR", 2, later).then().statusCode(409).body("error", equalTo("promotion_id_taken"));
        assertEquals(0, Db.count("SELECT count(*) FROM promotion WHERE id = 'taken-" + run + "'"));

        // 404s: an unknown promotion, an unknown player.
        String player = createPlayer("EUR");
        claim(unknown, player).then().statusCode(404).body("error", equalTo("promotion_not_found"));
        operator().get("/operator/promotions/" + unknown).then().statusCode(404).body("error", equalTo("promotion_not_found"));
        claim(promotion, "nobody-" + run).then().statusCode(404).body("error", equalTo("player_not_found"));
        claim(promotion, createPlayer("USD")).then().statusCode(409).body("error", equalTo("currency_mismatch"));

        // One claim; then claims_max below it is 409, to it is fine (sold out), and raising it again adds a slot.
        claim(promotion, player).then().statusCode(201);
        put(promotion, "freebet_refund", 1000, "EUR", 0, later).then().statusCode(409).body("error", equalTo("claims_max_below_claims"));
        put(promotion, "freebet_refund", 2000, "EUR", 2, later).then().statusCode(409).body("error", equalTo("promotion_claimed"));
        assertEquals(2, Db.count("SELECT count(*) FROM promotion_slot WHERE promotion_id = '" + promotion + "'"), "nothing changed");
        put(promotion, "freebet_refund", 1000, "EUR", 1, later).then().statusCode(200).body("claims_max", equalTo(1))
                .body("claims_taken", equalTo(1));
        assertEquals(1, Db.count("SELECT count(*) FROM promotion_slot WHERE promotion_id = '" + promotion + "'"), "the free slot removed");
        String second = createPlayer("EUR");
        claim(promotion, second).then().statusCode(409).body("error", equalTo("sold_out"));
        put(promotion, "freebet_refund", 1000, "EUR", 3, later).then().statusCode(200).body("claims_max", equalTo(3));
        claim(promotion, second).then().statusCode(201);
        operator().get("/operator/promotions/" + promotion).then().statusCode(200).body("claims_max", equalTo(3))
                .body("claims_taken", equalTo(2));

        // Expired (ended by its PUT): 409 for a new claim, the same claim for a repeat. Nothing written by the refusal.
        put(promotion, "freebet_refund", 1000, "EUR", 3, Instant.now().minusSeconds(1)).then().statusCode(200);
        String third = createPlayer("EUR");
        claim(promotion, third).then().statusCode(409).body("error", equalTo("expired"));
        claim(promotion, player).then().statusCode(200).body("player_id", equalTo(player));
        assertEquals(0, Db.count("SELECT count(*) FROM bonus_grant_player WHERE player_id = '" + third + "'"));
        assertEquals(0, Db.count("SELECT player_seq FROM wallet WHERE player_id = '" + third + "'"));
        assertEquals(2, Db.count("SELECT count(*) FROM bonus_grant_player WHERE request_id = 'promotion:" + promotion + "'"));
    }

    // ------------------------------------------------------------------ helpers

    static Response put(String id, String type, long amount, String currency, int claimsMax, Instant expiresAt) {
        return operator().body("{\"bonus_type\":\"" + type + "\",\"amount\":" + amount + ",\"currency\":\"" + currency + "\",\"claims_max\":"
                + claimsMax + ",\"expires_at\":\"" + expiresAt + "\"}").put("/operator/promotions/" + id);
    }

    static Response claim(String promotion, String player) {
        return operator().body("{\"player_id\":\"" + player + "\"}").post("/operator/promotions/" + promotion + "/claims");
    }

    /** {@code n} players with an empty CASH wallet each, written directly (1,000 PUTs would cost seconds). */
    static List<String> insertPlayers(String prefix, int n, String currency) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(prefix + "-" + i);
        }
        try (Connection c = TestInfra.get().connect();
                PreparedStatement players = c.prepareStatement("INSERT INTO player (id) SELECT unnest(?::text[])");
                PreparedStatement wallets = c.prepareStatement("INSERT INTO wallet (player_id, currency, kind) SELECT unnest(?::text[]), ?, 'CASH'")) {
            java.sql.Array array = c.createArrayOf("text", ids.toArray());
            players.setArray(1, array);
            players.executeUpdate();
            wallets.setArray(1, array);
            wallets.setString(2, currency);
            wallets.executeUpdate();
        }
        return ids;
    }

    /** Every record of {@code topics} up to their end offsets now. */
    public static List<ConsumerRecord<String, String>> readToEnd(List<String> topics) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = OutboxKafkaTest.consumer(List.of())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String t : topics) {
                consumer.partitionsFor(t).forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
            }
            consumer.unsubscribe();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topics + " to their end offsets " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
