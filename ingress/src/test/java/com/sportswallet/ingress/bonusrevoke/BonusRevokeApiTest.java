package com.sportswallet.ingress.bonusrevoke;

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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.Topics;
import com.sportswallet.contracts.bonus.ProviderBonusApi;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.promotion.PromotionApiTest;
import com.sportswallet.ingress.ProviderSimResource;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.providersim.ProviderSimulator;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The operator's revoke (issue 14) against the real ingress, PostgreSQL, Kafka and the provider
 * simulator (in this JVM, over HTTP): ACTIVE → REVOKED with the provider and its event, a repeat
 * replays 200; a provider refusal puts it back to ACTIVE (409 with the reason); the provider
 * unreachable leaves it REVOKING (503) and a later revoke finishes it; USED 409, unknown 404; and a
 * revoke racing a conditional redemption of the same bonus: exactly one wins, every time.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ProviderSimResource.class, restrictToAnnotatedClass = false)
public class BonusRevokeApiTest {
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime());
    private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(60);
    private static final Instant EXPIRES = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anActiveBonusIsRevokedWithTheProviderOnceAndARepeatReplays() throws Exception {
        String run = run();
        String player = createPlayer("EUR");
        String bonus = grant(run, List.of(player)).get(player);

        Response first = revoke(bonus);
        first.then().statusCode(200).body("status", equalTo("REVOKED")).body("bonus_id", equalTo(bonus)).body("player_id", equalTo(player));
        assertEquals("REVOKED", status(bonus));
        assertEquals("revoked", providerStatus(player, bonus));
        Response again = revoke(bonus);
        assertEquals(200, again.statusCode());
        assertEquals(first.asString(), again.asString(), "a repeated revoke of a REVOKED bonus replays");
        assertEquals(1, Db.count("SELECT player_seq FROM wallet WHERE player_id = '" + player + "'"), "one event");

        String eventId = CloudEventJson.stableId(EventTypes.BONUS_REVOKED, bonus);
        Await.until(WAIT, () -> Db.count("SELECT count(*) FROM outbox WHERE event_id = '" + eventId + "'") == 0, "the event is sent");
        List<JsonNode> published = new ArrayList<>();
        for (ConsumerRecord<String, String> r : PromotionApiTest.readToEnd(List.of(Topics.WALLET_EVENTS))) {
            if (r.value() == null || !r.value().contains(eventId)) {
                continue; // other tests' records
            }
            JsonNode event = CloudEventJson.mapper().readTree(r.value());
            if (event.path("id").asText().equals(eventId)) {
                published.add(event);
            }
        }
        assertEquals(1, published.size(), "wallet.bonus.revoked published once");
        JsonNode data = published.get(0).path("data");
        assertEquals(bonus, data.path("bonus_id").asText());
        assertEquals(1, data.path("player_seq").asLong());
        assertEquals(0, data.path("amount").asLong(), "no money moves");
    }

    @Test
    void aProviderRefusalPutsItBackToActiveAndAnUnreachableProviderLeavesItRevoking() throws Exception {
        String run = run();
        String used = createPlayer("EUR");
        String slow = createPlayer("EUR");
        Map<String, String> bonuses = grant(run, List.of(used, slow));
        // The player bet with it on the provider's side: the provider refuses, the bonus is ACTIVE again.
        control("POST", "/control/bonuses/" + bonuses.get(used) + "/use", null);
        revoke(bonuses.get(used)).then().statusCode(409).body("error", equalTo("revoke_refused")).body("reason", equalTo("used"));
        assertEquals("ACTIVE", status(bonuses.get(used)));
        // A bonus the provider does not know: not_found, ACTIVE again.
        String foreign = "999" + run;
        insertBonus(foreign, slow, "grant-foreign-" + run, "ACTIVE", null);
        revoke(foreign).then().statusCode(409).body("reason", equalTo("not_found"));
        assertEquals("ACTIVE", status(foreign));
        assertEquals(0, Db.count("SELECT player_seq FROM wallet WHERE player_id IN ('" + used + "', '" + slow + "')"), "no event");

        // The provider fails both attempts: 503, REVOKING (a make now gets 3001); a later revoke finishes it.
        control("POST", "/control/faults", "{\"endpoint\":\"revokeBatch\",\"count\":2,\"status\":503}");
        revoke(bonuses.get(slow)).then().statusCode(503).body("error", equalTo("provider_unavailable"));
        assertEquals("REVOKING", status(bonuses.get(slow)));
        revoke(bonuses.get(slow)).then().statusCode(200).body("status", equalTo("REVOKED"));
        assertEquals("revoked", providerStatus(slow, bonuses.get(slow)));
    }

    @Test
    void usedDoneExpiredAndUnknownBonusesAreRefused() throws Exception {
        String run = run();
        String player = createPlayer("EUR");
        insertBonus("used-" + run, player, "grant-used-" + run, "USED", "bet-used-" + run);
        insertBonus("done-" + run, player, "grant-done-" + run, "DONE", "bet-done-" + run);
        insertBonus("expired-" + run, player, "grant-expired-" + run, "EXPIRED", null);
        revoke("used-" + run).then().statusCode(409).body("error", equalTo("bonus_used"));
        revoke("done-" + run).then().statusCode(409).body("error", equalTo("bonus_used"));
        revoke("expired-" + run).then().statusCode(409).body("error", equalTo("bonus_expired"));
        revoke("nothing-" + run).then().statusCode(404).body("error", equalTo("bonus_not_found"));
        assertEquals("USED", status("used-" + run));
        assertEquals(0, Db.count("SELECT player_seq FROM wallet WHERE player_id = '" + player + "'"));
    }

    @Test
    void aRevokeRacingARedemptionOfTheSameBonusHasExactlyOneWinner() throws Exception {
        String run = run();
        int n = 12;
        List<String> players = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            players.add(createPlayer("EUR"));
        }
        Map<String, String> bonuses = grant(run, players);
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String player = players.get(i);
            String bonus = bonuses.get(player);
            String bet = insertBet("race-" + run + "-" + i, player, bonus);
            calls.add(() -> "revoke:" + revoke(bonus).statusCode());
            // The make's redemption: ACTIVE -> USED, conditional, as bet/make runs it.
            calls.add(() -> {
                try (Connection c = TestInfra.get().connect();
                        PreparedStatement ps = c.prepareStatement("UPDATE bonus SET status = 'USED', bet_id = ?, version = version + 1"
                                + " WHERE id = ? AND status = 'ACTIVE' AND player_id = ?")) {
                    ps.setString(1, bet);
                    ps.setString(2, bonus);
                    ps.setString(3, player);
                    return "redeem:" + ps.executeUpdate();
                }
            });
        }
        List<String> results = OperatorApiTest.concurrently(calls);
        for (int i = 0; i < n; i++) {
            String revoke = results.get(2 * i);
            String redeem = results.get(2 * i + 1);
            String bonus = bonuses.get(players.get(i));
            String status = status(bonus);
            if (redeem.equals("redeem:1")) {
                assertEquals("revoke:409", revoke, "the redemption won: the revoke is refused");
                assertEquals("USED", status);
                assertEquals("active", providerStatus(players.get(i), bonus), "never revoked at the provider");
            } else {
                assertEquals("redeem:0", redeem);
                assertEquals("revoke:200", revoke, "the revoke won: the redemption changed nothing");
                assertEquals("REVOKED", status);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String run() {
        return Long.toString(SEQ.incrementAndGet(), 36);
    }

    private static Response revoke(String bonusId) {
        return operator().post("/operator/bonuses/" + bonusId + "/revoke");
    }

    private static String status(String bonusId) throws Exception {
        try (Connection c = TestInfra.get().connect(); PreparedStatement ps = c.prepareStatement("SELECT status FROM bonus WHERE id = ?")) {
            ps.setString(1, bonusId);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String simUrl() {
        return ConfigProvider.getConfig().getValue("wallet.provider-bonus-api.url", String.class);
    }

    /** The players' bonuses granted at the provider (one call) and recorded here ACTIVE, as the granting consumer records them. */
    private static Map<String, String> grant(String run, List<String> players) throws Exception {
        ProviderBonusApi api = new ProviderBonusApi(new ProviderBonusApi.Config(URI.create(simUrl()), ProviderSimResource.CID,
                ProviderSimulator.DEV_SECRET, 5_000, 2, 100));
        Map<String, String> granted = api.grant("grant-" + run + ":1", "freebet_freemoney", EXPIRES,
                players.stream().map(p -> new ProviderBonusApi.Player(p, "EUR", 500)).toList());
        for (String p : players) {
            insertBonus(granted.get(p), p, "grant-" + run, "ACTIVE", null);
        }
        return granted;
    }

    /**
     * A bonus row as a finished grant leaves it, so reconcile's bonus checks (which the grant tests run over this shared
     * database) find it whole: a grant of its own ({@code requestId}, one player), its DONE chunk, its GRANTED player naming
     * the bonus. A USED or DONE one gets its bet {@code betId}, naming it.
     */
    private static void insertBonus(String bonusId, String player, String requestId, String status, String betId) throws Exception {
        String grant = requestId + "/" + bonusId;
        String chunk = grant + ":1";
        try (Connection c = TestInfra.get().connect()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus_grant (request_id, request_hash, bonus_type, currency,"
                    + " expires_at, players_total, chunks_recorded) VALUES (?, '\\x00', 'freebet_freemoney', 'EUR', ?::timestamptz, 1, 1)")) {
                ps.setString(1, grant);
                ps.setString(2, EXPIRES.toString());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus_grant_chunk (id, request_id, status, players) VALUES (?, ?, 'DONE', 1)")) {
                ps.setString(1, chunk);
                ps.setString(2, grant);
                ps.executeUpdate();
            }
            if (betId != null) {
                insertBet(betId, player, bonusId);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus (id, player_id, wallet_id, bonus_type, amount, currency, status,"
                    + " expires_at, bet_id, request_id, chunk_id) SELECT ?, ?, w.id, 'freebet_freemoney', 500, 'EUR', ?, ?::timestamptz, ?, ?, ?"
                    + " FROM wallet w WHERE w.player_id = ?")) {
                ps.setString(1, bonusId);
                ps.setString(2, player);
                ps.setString(3, status);
                ps.setString(4, EXPIRES.toString());
                ps.setString(5, betId);
                ps.setString(6, grant);
                ps.setString(7, chunk);
                ps.setString(8, player);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus_grant_player (request_id, player_id, amount, status, chunk_id,"
                    + " bonus_id) VALUES (?, ?, 500, 'GRANTED', ?, ?)")) {
                ps.setString(1, grant);
                ps.setString(2, player);
                ps.setString(3, chunk);
                ps.setString(4, bonusId);
                ps.executeUpdate();
            }
        }
    }

    /** An OPEN freebet bet of the player naming the bonus (what a make writes before it redeems). */
    private static String insertBet(String betId, String player, String bonusId) throws Exception {
        try (Connection c = TestInfra.get().connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake,"
                        + " bonus_stake, state, bonus_id, bonus_type) SELECT ?, ?, ?, w.id, 'EUR', 0, 500, 'OPEN', ?, 'freebet_freemoney'"
                        + " FROM wallet w WHERE w.player_id = ?")) {
            ps.setString(1, betId);
            ps.setString(2, betId);
            ps.setString(3, player);
            ps.setString(4, bonusId);
            ps.setString(5, player);
            assertEquals(1, ps.executeUpdate());
        }
        return betId;
    }

    /** The simulator's control endpoints, over HTTP. */
    private String control(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(simUrl() + path)).header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() / 100 == 2, path + " answered " + r.statusCode() + " " + r.body());
        return r.body();
    }

    /** The bonus's status on the provider's side ("active", "used", "revoked"). */
    private String providerStatus(String player, String bonusId) throws Exception {
        for (JsonNode b : CloudEventJson.mapper().readTree(control("GET", "/control/bonuses?user_id=" + player, null)).path("bonuses")) {
            if (b.path("id").asText().equals(bonusId)) {
                return b.path("status").asText();
            }
        }
        return null;
    }
}
