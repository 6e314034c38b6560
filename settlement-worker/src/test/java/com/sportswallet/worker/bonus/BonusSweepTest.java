package com.sportswallet.worker.bonus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.TopicSettings;
import com.sportswallet.contracts.Topics;
import com.sportswallet.contracts.bonus.ProviderBonusApi;
import com.sportswallet.outbox.KafkaSettings;
import com.sportswallet.outbox.OutboxRelay;
import com.sportswallet.providersim.ProviderSimulator;
import com.sportswallet.testkit.TestInfra;
import com.sportswallet.testkit.TopicsReady;

/**
 * The worker's bonus sweeps (issue 14) on the real database, Kafka and the provider simulator (in this
 * JVM), with an injected clock: a revoke left REVOKING by a crash is finished (REVOKED with its event,
 * or ACTIVE when the provider refuses), a recent one is left to its own revoke, a provider that fails
 * leaves it REVOKING for a later round; bonuses past expires_at by the injected clock (and only those)
 * become EXPIRED with one wallet.bonus.expired event each, two sweepers at once included.
 */
class BonusSweepTest {
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime());
    private static final String CID = "sweep-test";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static DataSource ds;
    private static OutboxRelay relay;

    private ProviderSimulator sim;
    private ProviderBonusApi api;
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    /** The injected clock: what the test sets. */
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };

    @BeforeAll
    static void prepare() throws Exception {
        TestInfra.get().migrate();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers()))) {
            TopicSettings settings = TopicSettings.defaults().withPartitions(3);
            Topics.ensure(admin, settings, Duration.ofSeconds(30));
            // The relay's first sends follow at once: the partitions must be served first (TopicsReady says why).
            TopicsReady.await(admin, Topics.newTopics(settings).stream().map(org.apache.kafka.clients.admin.NewTopic::name).toList());
        }
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(TestInfra.get().jdbcUrl());
        pg.setUser(TestInfra.get().dbUser());
        pg.setPassword(TestInfra.get().dbPassword());
        ds = pg;
        // A relay of this test's own (shard locks let it run beside any other), so the events reach Kafka.
        relay = new OutboxRelay(ds, new KafkaProducer<>(KafkaSettings.outboxProducer(TestInfra.get().bootstrapServers(), "bonus-sweep-test",
                5000)), new OutboxRelay.Config(500, 100, 5000, 1000), null);
        relay.start();
    }

    @AfterAll
    static void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        sim = new ProviderSimulator("127.0.0.1", 0, CID, ProviderSimulator.DEV_SECRET, null);
        api = new ProviderBonusApi(new ProviderBonusApi.Config(URI.create(sim.baseUrl()), CID, ProviderSimulator.DEV_SECRET, 5_000, 2, 100));
    }

    @AfterEach
    void stop() throws Exception {
        sim.close();
    }

    @Test
    void aRevokeLeftByACrashIsFinishedAndARecentOneIsLeftToItsOwnRevoke() throws Exception {
        String run = run();
        List<String> players = players(run, 4);
        Map<String, String> bonuses = api.grant("g-" + run + ":1", "freebet_freemoney", now.get().plus(30, ChronoUnit.DAYS),
                players.stream().map(p -> new ProviderBonusApi.Player(p, "EUR", 500)).toList());
        Instant old = now.get().minus(1, ChronoUnit.HOURS);
        String crashed = bonuses.get(players.get(0));
        String usedThere = bonuses.get(players.get(1));
        String recent = bonuses.get(players.get(2));
        String failing = bonuses.get(players.get(3));
        insertBonus(crashed, players.get(0), "g-" + run, "REVOKING", old, now.get().plus(30, ChronoUnit.DAYS));
        insertBonus(usedThere, players.get(1), "g-" + run, "REVOKING", old, now.get().plus(30, ChronoUnit.DAYS));
        insertBonus(recent, players.get(2), "g-" + run, "REVOKING", now.get(), now.get().plus(30, ChronoUnit.DAYS));
        control("/control/bonuses/" + usedThere + "/use");

        BonusSweeper sweeper = new BonusSweeper(ds, api, new BonusSweeper.Config(60_000, 100, 1000), clock, null);
        assertEquals(2, sweeper.revokeBatch(), "the two left longer than the bound");
        assertEquals("REVOKED", status(crashed));
        assertEquals("ACTIVE", status(usedThere), "the provider refused (used there): ACTIVE again");
        assertEquals("REVOKING", status(recent), "a revoke in flight is its own to finish");
        assertEquals(0, sweeper.revokeBatch(), "nothing left past the bound");
        assertEquals(1, playerSeq(players.get(0)), "one wallet.bonus.revoked");
        assertEquals(0, playerSeq(players.get(1)));
        assertEquals("revoked", providerStatus(players.get(0), crashed));

        // The provider fails every attempt: the bonus stays REVOKING (leased for the bound), and a later round finishes it.
        insertBonus(failing, players.get(3), "g-" + run, "REVOKING", old, now.get().plus(30, ChronoUnit.DAYS));
        sim.failNext("revokeBatch", 2, 503, false);
        assertThrows(ProviderBonusApi.Unavailable.class, sweeper::revokeBatch);
        assertEquals("REVOKING", status(failing));
        assertEquals(0, sweeper.revokeBatch(), "leased: not again before the bound");
        now.set(now.get().plus(61, ChronoUnit.SECONDS));
        assertEquals(2, sweeper.revokeBatch(), "past the bound again: the failed one and the recent one");
        assertEquals("REVOKED", status(failing));
        assertEquals("REVOKED", status(recent));
        assertEquals(1, playerSeq(players.get(3)));
        Map<String, JsonNode> events = awaitEvents(Set.of(eventId(EventTypes.BONUS_REVOKED, crashed), eventId(EventTypes.BONUS_REVOKED, failing)));
        JsonNode data = events.get(eventId(EventTypes.BONUS_REVOKED, crashed)).path("data");
        assertEquals(crashed, data.path("bonus_id").asText());
        assertEquals("REVOKED", data.path("status").asText());
        assertEquals(1, data.path("player_seq").asLong());
    }

    @Test
    void bonusesPastExpiresAtByTheInjectedClockExpireOnceEachUnderTwoSweepers() throws Exception {
        String run = run();
        List<String> players = players(run, 20);
        Instant expiresAt = now.get().plus(1, ChronoUnit.DAYS); // by the real clock, nothing here expires during the test
        List<String> expiring = new ArrayList<>();
        Map<String, Integer> perPlayer = new HashMap<>();
        try (Connection c = ds.getConnection()) {
            for (int i = 0; i < 240; i++) {
                String player = players.get(i % players.size());
                String id = "exp-" + run + "-" + i;
                insertBonus(c, id, player, "g-" + run + "-" + i, "ACTIVE", now.get(), expiresAt.plusMillis(i % 3));
                expiring.add(id);
                perPlayer.merge(player, 1, Integer::sum);
            }
        }
        // Not ACTIVE: never expired by the sweep.
        insertBonus("revoking-" + run, players.get(0), "g-" + run + "-r", "REVOKING", now.get(), expiresAt);
        String later = "later-" + run;
        insertBonus(later, players.get(1), "g-" + run + "-l", "ACTIVE", now.get(), expiresAt.plus(1, ChronoUnit.HOURS));

        BonusSweeper.Config config = new BonusSweeper.Config(86_400_000, 25, 1000);
        BonusSweeper first = new BonusSweeper(ds, api, config, clock, null);
        BonusSweeper second = new BonusSweeper(ds, api, config, clock, null);
        now.set(expiresAt.minusMillis(1));
        assertEquals(0, first.expireBatch(), "not yet by the injected clock");
        now.set(expiresAt.plusMillis(2));
        List<Callable<Integer>> sweeps = List.of(() -> drain(first), () -> drain(second));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int expired = 0;
        try {
            for (Future<Integer> f : pool.invokeAll(sweeps)) {
                expired += f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(240, expired, "each expired once between the two sweepers");
        for (String id : expiring) {
            assertEquals("EXPIRED", status(id));
        }
        assertEquals("REVOKING", status("revoking-" + run));
        assertEquals("ACTIVE", status(later), "its expires_at is still ahead");
        for (Map.Entry<String, Integer> p : perPlayer.entrySet()) {
            assertEquals(p.getValue().longValue(), playerSeq(p.getKey()), "one event per expired bonus of " + p.getKey());
        }
        Set<String> ids = new HashSet<>();
        expiring.forEach(id -> ids.add(eventId(EventTypes.BONUS_EXPIRED, id)));
        Map<String, JsonNode> events = awaitEvents(ids);
        assertEquals(240, events.size());
        // A player's events carry consecutive player_seq from 1.
        Map<String, Set<Long>> seqs = new HashMap<>();
        events.values().forEach(e -> seqs.computeIfAbsent(e.path("subject").asText(), k -> new HashSet<>()).add(e.path("data").path("player_seq").asLong()));
        for (Map.Entry<String, Integer> p : perPlayer.entrySet()) {
            Set<Long> expected = new HashSet<>();
            for (long s = 1; s <= p.getValue(); s++) {
                expected.add(s);
            }
            assertEquals(expected, seqs.get(p.getKey()));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static int drain(BonusSweeper sweeper) throws SQLException {
        int total = 0;
        for (int n = sweeper.expireBatch(); n > 0; n = sweeper.expireBatch()) {
            total += n;
        }
        return total;
    }

    private static String run() {
        return Long.toString(SEQ.incrementAndGet(), 36);
    }

    private static String eventId(String type, String bonusId) {
        return CloudEventJson.stableId(type, bonusId);
    }

    /** {@code n} players with an empty EUR wallet each. */
    private static List<String> players(String run, int n) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            for (int i = 0; i < n; i++) {
                String id = "sw-" + run + "-" + i;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO player (id) VALUES (?)")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO wallet (player_id, currency) VALUES (?, 'EUR')")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
                ids.add(id);
            }
        }
        return ids;
    }

    /** A bonus row as the granting consumer records it (its grant created if absent), in {@code status} since {@code updatedAt}. */
    private static void insertBonus(String id, String player, String requestId, String status, Instant updatedAt, Instant expiresAt)
            throws SQLException {
        try (Connection c = ds.getConnection()) {
            insertBonus(c, id, player, requestId, status, updatedAt, expiresAt);
        }
    }

    private static void insertBonus(Connection c, String id, String player, String requestId, String status, Instant updatedAt,
            Instant expiresAt) throws SQLException {
        {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus_grant (request_id, request_hash, bonus_type, currency, expires_at,"
                    + " players_total) VALUES (?, '\\x00', 'freebet_freemoney', 'EUR', ?::timestamptz, 0) ON CONFLICT DO NOTHING")) {
                ps.setString(1, requestId);
                ps.setString(2, expiresAt.toString());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus (id, player_id, wallet_id, bonus_type, amount, currency, status,"
                    + " expires_at, request_id, updated_at) SELECT ?, ?, w.id, 'freebet_freemoney', 500, 'EUR', ?, ?::timestamptz, ?,"
                    + " ?::timestamptz FROM wallet w WHERE w.player_id = ?")) {
                ps.setString(1, id);
                ps.setString(2, player);
                ps.setString(3, status);
                ps.setString(4, expiresAt.toString());
                ps.setString(5, requestId);
                ps.setString(6, updatedAt.toString());
                ps.setString(7, player);
                assertEquals(1, ps.executeUpdate());
            }
        }
    }

    private static String status(String bonusId) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT status FROM bonus WHERE id = ?")) {
            ps.setString(1, bonusId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long playerSeq(String player) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT player_seq FROM wallet WHERE player_id = ?")) {
            ps.setString(1, player);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private String control(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private String providerStatus(String player, String bonusId) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/control/bonuses?user_id="
                + player)).GET().build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode b : CloudEventJson.mapper().readTree(r.body()).path("bonuses")) {
            if (b.path("id").asText().equals(bonusId)) {
                return b.path("status").asText();
            }
        }
        return null;
    }

    /** wallet.events records by id, once every wanted one arrived. */
    private static Map<String, JsonNode> awaitEvents(Set<String> ids) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, JsonNode> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            // Assigned, not subscribed: no group to join, so no rebalance to wait for.
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.WALLET_EVENTS).stream()
                    .map(i -> new TopicPartition(Topics.WALLET_EVENTS, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!seen.keySet().containsAll(ids)) {
                assertTrue(System.nanoTime() < deadline, "events missing: " + ids.stream().filter(i -> !seen.containsKey(i)).limit(5).toList());
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode e = CloudEventJson.mapper().readTree(r.value());
                    if (ids.contains(e.path("id").asText())) {
                        seen.putIfAbsent(e.path("id").asText(), e);
                    }
                }
            }
        }
        return seen;
    }
}
