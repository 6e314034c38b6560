package com.sportswallet.ingress.bonus;

import static com.sportswallet.ingress.OperatorApiTest.operator;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.SupervisedLoop;
import com.sportswallet.contracts.Topics;
import com.sportswallet.contracts.bonus.ProviderBonusApi;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.money.BonusChunks;
import com.sportswallet.money.BonusGrants;
import com.sportswallet.outbox.KafkaSettings;
import com.sportswallet.providersim.ProviderSimulator;
import com.sportswallet.reconcile.BonusChecksProbe;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;
import com.sportswallet.worker.bonus.GrantConsumer;
import com.sportswallet.worker.bonus.GrantRedriver;
import com.sportswallet.worker.bonus.Granter;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A grant end to end (issue 14): the real ingress records it (HTTP), its outbox relay publishes the
 * bonus.grants records to the real broker, the real granting consumer and re-drive (the worker's
 * core, in this JVM) call the provider simulator (in-process, over HTTP) and record the bonuses.
 * Every player ends with exactly one bonus in our database and one in the simulator's book (its own
 * counts), also when the simulator fails calls (before applying them, and after: the answer lost)
 * and when the consumer crashes between the provider's answer and its commit.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class BonusGrantEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String CID = "grant-e2e";
    private static ProviderSimulator sim;
    private static PGSimpleDataSource ds;
    private static KafkaProducer<String, String> dlq;

    @BeforeAll
    static void startSimulator() throws Exception {
        sim = new ProviderSimulator("127.0.0.1", 0, CID, ProviderSimulator.DEV_SECRET, null);
        ds = new PGSimpleDataSource();
        ds.setUrl(TestInfra.get().jdbcUrl());
        ds.setUser(TestInfra.get().dbUser());
        ds.setPassword(TestInfra.get().dbPassword());
        // As the worker's pool (application.properties): a lock or statement that waits is an error, retried.
        ds.setOptions("-c lock_timeout=2000 -c statement_timeout=10000");
        dlq = new KafkaProducer<>(KafkaSettings.relayProducer(TestInfra.get().bootstrapServers(), "grant-e2e-dlq", 5000));
    }

    @AfterAll
    static void stopSimulator() throws Exception {
        dlq.close();
        sim.close();
    }

    /** The granting consumer (supervised: restarted after a crash) and its re-drive, as the worker runs them. */
    static final class Worker implements AutoCloseable {
        final SupervisedLoop<GrantConsumer> loop;
        final GrantRedriver redriver;

        Worker(int chunkPlayersMax, Granter.CrashPoints crash) {
            ProviderBonusApi api = new ProviderBonusApi(new ProviderBonusApi.Config(URI.create(sim.baseUrl()), CID, ProviderSimulator.DEV_SECRET,
                    5_000, 3, 100));
            Granter granter = new Granter(ds, api, chunkPlayersMax, null, crash);
            Properties kafka = new Properties();
            kafka.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers());
            kafka.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
            GrantConsumer.Config config = new GrantConsumer.Config(chunkPlayersMax, 100, 50, 500, 5000, Topics.BONUS_GRANTS,
                    GrantConsumer.GROUP_ID);
            loop = new SupervisedLoop<>(new SupervisedLoop.Config("grant-e2e", 50, 500, 10_000),
                    () -> new GrantConsumer(ds, granter, kafka, dlq, config, null)).start();
            // CALLING chunks after 1 s (a crash's, a lost answer's), rounds every 300 ms; PENDING players never here.
            redriver = new GrantRedriver(ds, granter, new GrantRedriver.Config(1_000, 86_400_000, 300, 100, 10_000), null).start();
        }

        @Override
        public void close() {
            redriver.close();
            loop.close();
        }
    }

    @Test
    void aTenThousandPlayerGrantIsGrantedOnceEachOnBothSidesAndReplaysByRequestId() throws Exception {
        try (Worker worker = new Worker(ProviderBonusApi.CHUNK_PLAYERS_MAX, null)) {
            drainEarlierGrants();
            JsonNode simBefore = sim.stats();
            int n = 10_000;
            List<String> players = Grants.players(n, "EUR");
            String requestId = Grants.requestId();
            ObjectNode body = Grants.body(requestId, "EUR", players, 250);
            assertTrue(body.toString().length() > 256 * 1024, "a body only the grant endpoint takes");
            operator().body(body.toString()).post("/operator/bonus-grants").then().statusCode(202).body("players_total", equalTo(n));
            awaitDone(requestId);

            operator().get("/operator/bonus-grants/" + requestId).then().statusCode(200).body("players_granted", equalTo(n))
                    .body("players_rejected", equalTo(0)).body("status", equalTo("DONE"));
            assertGrantedOnceEach(requestId, players, simBefore);
            assertEquals(n, Db.count("SELECT count(*) FROM wallet WHERE player_id LIKE '" + prefix(players) + "%' AND player_seq = 1"),
                    "each wallet's player_seq advanced once, by its wallet.bonus.granted");
            Map<String, JsonNode> events = grantedEvents(requestId);
            assertEquals(n, events.size(), "one wallet.bonus.granted per player");
            JsonNode one = events.get(players.get(0));
            assertEquals(250, one.get("amount").asLong());
            assertEquals("freebet_freemoney", one.get("bonus_type").asText());
            assertEquals("EUR", one.get("currency").asText());
            assertEquals(body.get("expires_at").asText(), one.get("expires_at").asText());
            assertEquals(1, one.get("player_seq").asLong());
            assertEquals(Db.text("SELECT id FROM bonus WHERE player_id = '" + players.get(0) + "'"), one.get("bonus_id").asText());
            operator().get("/operator/players/" + players.get(0) + "/bonuses").then().statusCode(200).body("bonuses.size()", equalTo(1))
                    .body("bonuses[0].bonus_id", equalTo(one.get("bonus_id").asText())).body("bonuses[0].status", equalTo("ACTIVE"))
                    .body("bonuses[0].amount", equalTo(250)).body("bonuses[0].expires_at", equalTo(body.get("expires_at").asText()));

            // The same request again: 202, nothing new on either side; another body under its id: 409.
            long outboxIds = BonusGrantApiTest.outboxIds();
            long simCalls = sim.stats().path("calls").path("applyBatch").asLong();
            operator().body(body.toString()).post("/operator/bonus-grants").then().statusCode(202).body("players_total", equalTo(n));
            operator().body(Grants.body(requestId, "EUR", players, 251).toString()).post("/operator/bonus-grants").then().statusCode(409);
            Thread.sleep(500); // what a wrongly written record would have set off by now
            assertEquals(outboxIds, BonusGrantApiTest.outboxIds(), "the replay wrote nothing");
            assertEquals(simCalls, sim.stats().path("calls").path("applyBatch").asLong(), "and called nobody");
            assertGrantedOnceEach(requestId, players, simBefore);
        }
    }

    @Test
    void failedCallsLostAnswersAndACrashBeforeTheCommitStillGrantOnceEach() throws Exception {
        AtomicInteger completions = new AtomicInteger();
        AtomicInteger crashes = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> crashed = new java.util.concurrent.atomic.AtomicReference<>();
        Granter.CrashPoints crash = new Granter.CrashPoints() {
            @Override
            public void afterProviderAnswer(BonusChunks.Chunk chunk) {
                if (Thread.currentThread().getName().equals("grant-e2e") && completions.incrementAndGet() == 3
                        && crashes.incrementAndGet() == 1) {
                    crashed.set(chunk.id());
                    throw new Error("injected crash between the provider's answer and the commit of " + chunk.id());
                }
            }
        };
        try (Worker worker = new Worker(400, crash)) {
            drainEarlierGrants();
            JsonNode simBefore = sim.stats();
            int n = 2_000;
            List<String> players = Grants.players(n, "EUR");
            String requestId = Grants.requestId();
            // The first call is applied three times over with its answer lost each time (the client's three
            // attempts): its chunk stays CALLING for the re-drive. Then one call fails before applying.
            sim.failNext("applyBatch", 3, 502, true);
            operator().body(Grants.body(requestId, "EUR", players, 100).toString()).post("/operator/bonus-grants").then().statusCode(202);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (sim.stats().path("failed_calls").path("applyBatch").asLong() - simBefore.path("failed_calls").path("applyBatch").asLong() < 3
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            sim.failNext("applyBatch", 1, 503, false);
            awaitDone(requestId);

            assertEquals(1, crashes.get(), "the consumer crashed once, between an answer and its commit");
            assertTrue(worker.loop.restarts() >= 1, "and was restarted");
            // The chunk whose answer the crash lost was finished by a later call with its id: DONE, every player GRANTED.
            assertEquals(1, Db.count("SELECT count(*) FROM bonus_grant_chunk WHERE id = '" + crashed.get() + "' AND status = 'DONE'"));
            assertEquals(Db.count("SELECT players FROM bonus_grant_chunk WHERE id = '" + crashed.get() + "'"),
                    Db.count("SELECT count(*) FROM bonus_grant_player WHERE chunk_id = '" + crashed.get() + "' AND status = 'GRANTED'"));
            assertTrue(sim.stats().path("failed_calls").path("applyBatch").asLong() - simBefore.path("failed_calls").path("applyBatch").asLong() >= 4);
            assertGrantedOnceEach(requestId, players, simBefore);
        }
    }

    @Test
    void playersWhoseRecordWasLostAreGrantedFromTheDatabase() throws Exception {
        List<String> players = Grants.players(3, "EUR");
        String requestId = Grants.requestId();
        JsonNode simBefore = sim.stats();
        try (Connection c = TestInfra.get().connect()) {
            c.setAutoCommit(false);
            BonusGrants.insertGrant(c, new BonusGrants.Grant(requestId, new byte[32], "freebet_refund", "EUR", Grants.expiry(), 3, 0, 0, 0, 0));
            BonusGrants.recordPlayers(c, requestId, "freebet_refund", "EUR", players.stream().map(p -> new BonusGrants.Entry(p, 70)).toList(),
                    Instant.now());
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM outbox WHERE topic = ? AND msg_key = ANY(?)")) {
                ps.setString(1, Topics.BONUS_GRANTS);
                ps.setArray(2, c.createArrayOf("text", players.toArray()));
                assertEquals(3, ps.executeUpdate(), "the records never leave: lost");
            }
            c.commit();
        }
        ProviderBonusApi api = new ProviderBonusApi(new ProviderBonusApi.Config(URI.create(sim.baseUrl()), CID, ProviderSimulator.DEV_SECRET,
                5_000, 3, 100));
        GrantRedriver redriver = new GrantRedriver(ds, new Granter(ds, api, 1000, null, null), new GrantRedriver.Config(60_000, 0, 1000, 10, 10_000),
                null);
        redriver.redriveOnce();
        redriver.close();
        assertEquals(3, Db.count("SELECT count(*) FROM bonus_grant_player WHERE request_id = '" + requestId + "' AND status = 'GRANTED'"));
        assertEquals(3, Db.count("SELECT count(*) FROM bonus WHERE request_id = '" + requestId + "' AND bonus_type = 'freebet_refund'"));
        assertTrue(sim.stats().get("bonuses").asLong() - simBefore.get("bonuses").asLong() >= 3);
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithTheirReason() throws Exception {
        String tag = Grants.requestId();
        String unknown = CloudEventJson.serialize("poison-" + tag, com.sportswallet.contracts.BonusGrantCommand.TYPE, BonusGrants.SOURCE,
                "nobody-" + tag, Instant.now(), com.sportswallet.contracts.BonusGrantCommand.data("no-such-" + tag, "nobody-" + tag, 5, "EUR",
                        "freebet_freemoney"));
        try (Worker worker = new Worker(ProviderBonusApi.CHUNK_PLAYERS_MAX, null)) {
            dlq.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.BONUS_GRANTS, "garbage-" + tag, "not json " + tag)).get();
            dlq.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.BONUS_GRANTS, "nobody-" + tag, unknown)).get();
            Map<String, String> reasons = new HashMap<>();
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers());
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
                List<TopicPartition> parts = new ArrayList<>();
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (parts.isEmpty() && System.nanoTime() < deadline) {
                    consumer.partitionsFor(Topics.BONUS_GRANTS_DLQ).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
                }
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                while (reasons.size() < 2 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.key() != null && r.key().endsWith(tag)) {
                            reasons.put(r.key(), new String(r.headers().lastHeader("dlq.reason").value(), java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            assertTrue(reasons.getOrDefault("garbage-" + tag, "").startsWith("unparseable"), reasons::toString);
            assertTrue(reasons.getOrDefault("nobody-" + tag, "").startsWith("no recorded player"), reasons::toString);
            // Each with its wallet.alert (DESIGN.md: a record sent to a DLQ), naming the DLQ and the record's key.
            Map<String, String> alerted = new HashMap<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
                List<TopicPartition> parts = new ArrayList<>();
                consumer.partitionsFor(Topics.WALLET_EVENTS).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (alerted.size() < 2 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        JsonNode data = CloudEventJson.mapper().readTree(r.value()).path("data");
                        if (data.path("record_key").asText().endsWith(tag)) {
                            alerted.put(data.path("record_key").asText(), data.path("dlq_topic").asText() + " " + data.path("reason").asText());
                        }
                    }
                }
            }
            String expected = Topics.BONUS_GRANTS_DLQ + " " + com.sportswallet.outbox.SystemAlert.COMMAND_DEAD_LETTERED;
            assertEquals(Map.of("garbage-" + tag, expected, "nobody-" + tag, expected), alerted, "one alert per dead-lettered record");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Players recorded by earlier tests of this JVM (no consumer ran then) are granted first, so the simulator's counts are this test's. */
    private static void drainEarlierGrants() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && Db.count("SELECT (SELECT count(*) FROM bonus_grant_player WHERE status IN ('PENDING', 'CHUNKED'))"
                + " + (SELECT count(*) FROM bonus_grant_chunk WHERE status = 'CALLING')") > 0) {
            Thread.sleep(100);
        }
        assertEquals(0, Db.count("SELECT count(*) FROM bonus_grant_player WHERE status IN ('PENDING', 'CHUNKED')"), "earlier grants drained");
    }

    private static void awaitDone(String requestId) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            status = operator().get("/operator/bonus-grants/" + requestId).then().statusCode(200).extract().jsonPath().getString("status");
            if (status.equals("DONE")) {
                return;
            }
            Thread.sleep(200);
        }
        assertEquals("DONE", status, "grant " + requestId + " done within " + WAIT);
    }

    /** Each player GRANTED with exactly one bonus here, and the simulator holds exactly one more bonus per player than before. */
    private static void assertGrantedOnceEach(String requestId, List<String> players, JsonNode simBefore) {
        int n = players.size();
        String p = prefix(players);
        assertEquals(n, Db.count("SELECT count(*) FROM bonus_grant_player WHERE request_id = '" + requestId + "' AND status = 'GRANTED'"));
        assertEquals(n, Db.count("SELECT count(*) FROM bonus WHERE player_id LIKE '" + p + "%'"), "one bonus per player in our database");
        assertEquals(n, Db.count("SELECT count(DISTINCT player_id) FROM bonus WHERE player_id LIKE '" + p + "%' AND request_id = '"
                + requestId + "'"));
        assertEquals(0, Db.count("SELECT count(*) FROM bonus_grant_player gp LEFT JOIN bonus b ON b.id = gp.bonus_id WHERE gp.request_id = '"
                + requestId + "' AND (b.id IS NULL OR b.player_id <> gp.player_id)"), "every GRANTED player holds the bonus it names");
        assertEquals(0, Db.count("SELECT count(*) FROM bonus_grant_chunk WHERE request_id = '" + requestId + "' AND status <> 'DONE'"));
        JsonNode now = sim.stats();
        assertEquals(n, now.get("bonuses").asLong() - simBefore.get("bonuses").asLong(), "the simulator granted one bonus per player");
        assertEquals(n, now.get("players").asLong() - simBefore.get("players").asLong(), "to " + n + " different players");
        try (Connection c = TestInfra.get().connect()) {
            assertEquals(List.of(), BonusChecksProbe.failures(c), "reconcile's bonus checks");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String prefix(List<String> players) {
        return players.get(0).substring(0, players.get(0).lastIndexOf('-') + 1);
    }

    /** wallet.bonus.granted records of the grant on wallet.events, by player (each player's last; counted distinct by event id). */
    private static Map<String, JsonNode> grantedEvents(String requestId) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, JsonNode> byPlayer = new HashMap<>();
        Set<String> ids = new HashSet<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        int expected = (int) Db.count("SELECT count(*) FROM bonus WHERE request_id = '" + requestId + "'");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(Topics.WALLET_EVENTS).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (ids.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode e = CloudEventJson.mapper().readTree(r.value());
                    if (EventTypes.BONUS_GRANTED.equals(e.path("type").asText()) && requestId.equals(e.path("data").path("request_id").asText())) {
                        ids.add(e.get("id").asText());
                        byPlayer.put(r.key(), e.get("data"));
                    }
                }
            }
        }
        assertEquals(expected, ids.size(), "distinct wallet.bonus.granted events");
        return byPlayer;
    }
}
