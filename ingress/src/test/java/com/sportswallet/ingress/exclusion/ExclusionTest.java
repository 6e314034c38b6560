package com.sportswallet.ingress.exclusion;

import static com.sportswallet.ingress.OperatorApiTest.createPlayer;
import static com.sportswallet.ingress.OperatorApiTest.deposit;
import static com.sportswallet.ingress.OperatorApiTest.operator;
import static com.sportswallet.ingress.OperatorApiTest.withdraw;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.Topics;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.OutboxKafkaTest;
import com.sportswallet.ingress.PlayerSessions;
import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Self-exclusion (issue 15) against the real ingress and PostgreSQL: set, extended, never shortened
 * or lifted; while in force a deposit is 422 {@code excluded} and writes nothing, a withdrawal still
 * goes, a grant rejects the player as {@code excluded}, a promotion claim is 422 {@code excluded} and
 * takes no slot; once it ended (the injected clock moved past it) a deposit goes again.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
public class ExclusionTest {
    @Inject
    BonusClock clock;

    /**
     * The make path: a player with an open bet is excluded; the exclusion ends the open session, a new
     * make is 1005 saying why (even naming a session opened before), a new session is 422, and the open
     * bet still settles.
     */
    @Test
    void anExcludedPlayerCannotBetOrOpenASessionButTheirBetsStillSettle() {
        String player = createPlayer("EUR"); // with a session (PlayerSessions)
        deposit(player, "dep-" + UUID.randomUUID(), 1_000).then().statusCode(200);
        String tx = Provider.txId();
        Provider.call("bet/make", Provider.make(player, tx, 300, "EUR")).then().statusCode(200);
        String session = PlayerSessions.of(player);
        put(player, "null").then().statusCode(201);
        assertEquals(1, Db.count("SELECT count(*) FROM player_session WHERE id = '" + session + "' AND ended_at IS NOT NULL"), "its session ended");

        long bets = Db.count("SELECT count(*) FROM bet WHERE player_id = '" + player + "'");
        Response refused = Provider.call("bet/make", Provider.make(player, Provider.txId(), 100, "EUR"));
        refused.then().statusCode(400).body("code", equalTo(1005)).body("message", containsString("self-excluded"));
        assertEquals(bets, Db.count("SELECT count(*) FROM bet WHERE player_id = '" + player + "'"), "nothing written");
        operator().body("{\"ttl_seconds\":60}").post("/operator/players/" + player + "/sessions").then().statusCode(422)
                .body("error", equalTo("excluded"));

        Provider.call("bet/win", Provider.win(Provider.operatorId("bet/make", tx), Provider.txId(), 900, "EUR")).then().statusCode(200);
        assertEquals(1_600, OperatorApiTest.balance(player), "the win credited: 1,000 - 300 + 900");
    }

    @Test
    void anExclusionIsExtendedNeverShortenedAndRefusesDepositsGrantsAndClaimsButNotWithdrawals() throws Exception {
        String player = createPlayer("EUR");
        deposit(player, "dep-" + UUID.randomUUID(), 1_000).then().statusCode(200);
        Instant hour = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

        put(player, "\"" + hour + "\"").then().statusCode(201).body("excluded", equalTo(true)).body("until", equalTo(hour.toString()))
                .body("indefinitely", equalTo(false)).body("reason", equalTo("asked by the player"));
        operator().get("/operator/players/" + player + "/exclusion").then().statusCode(200).body("excluded", equalTo(true));
        put(player, "\"" + hour + "\"").then().statusCode(200).body("until", equalTo(hour.toString())); // already so: nothing written
        put(player, "\"" + hour.minus(30, ChronoUnit.MINUTES) + "\"").then().statusCode(409).body("error", equalTo("excluded_until"));
        put(player, "\"" + Instant.now().minus(1, ChronoUnit.MINUTES) + "\"").then().statusCode(400).body("error", equalTo("invalid_until"));
        put(player, "\"tomorrow\"").then().statusCode(400).body("error", equalTo("invalid_until"));
        operator().body("{\"until\":null,\"reason\":" + "\"" + "x".repeat(501) + "\"}").put("/operator/players/" + player + "/exclusion")
                .then().statusCode(400).body("error", equalTo("invalid_reason"));
        operator().body("{\"until\":null}").put("/operator/players/nobody-" + UUID.randomUUID() + "/exclusion").then().statusCode(404);

        // A deposit is refused and leaves nothing: no ledger entry, no stored answer (the same id goes once the exclusion ends).
        long ledger = Db.count("SELECT count(*) FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE w.player_id = '" + player + "'");
        String key = "dep-" + UUID.randomUUID();
        deposit(player, key, 500).then().statusCode(422).body("error", equalTo("excluded"));
        assertEquals(ledger, Db.count("SELECT count(*) FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE w.player_id = '" + player + "'"));
        assertEquals(0, Db.count("SELECT count(*) FROM idempotency_record WHERE key = '" + key + "'"));
        withdraw(player, "wd-" + UUID.randomUUID(), 100).then().statusCode(200).body("balance", equalTo(900));

        // A grant rejects the player at record time; another player of the grant is accepted.
        String other = createPlayer("EUR");
        String requestId = "excl-" + UUID.randomUUID();
        operator().body("{\"request_id\":\"" + requestId + "\",\"bonus_type\":\"freebet_freemoney\",\"currency\":\"EUR\",\"expires_at\":\""
                + Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS) + "\",\"players\":[{\"player_id\":\"" + player
                + "\",\"amount\":100},{\"player_id\":\"" + other + "\",\"amount\":100}]}").post("/operator/bonus-grants").then().statusCode(202);
        operator().get("/operator/bonus-grants/" + requestId).then().statusCode(200).body("rejected.excluded", equalTo(1));
        assertEquals(0, Db.count("SELECT count(*) FROM bonus_grant_player WHERE request_id = '" + requestId + "' AND player_id = '" + player + "'"));

        // A promotion claim is refused and takes no slot.
        String promotion = "excl-" + UUID.randomUUID().toString().substring(0, 8);
        operator().body("{\"bonus_type\":\"freebet_freemoney\",\"amount\":100,\"currency\":\"EUR\",\"claims_max\":5,\"expires_at\":\""
                + Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS) + "\"}").put("/operator/promotions/" + promotion)
                .then().statusCode(201);
        operator().body("{\"player_id\":\"" + player + "\"}").post("/operator/promotions/" + promotion + "/claims").then().statusCode(422)
                .body("error", equalTo("excluded"));
        assertEquals(0, Db.count("SELECT count(*) FROM promotion_slot WHERE promotion_id = '" + promotion + "' AND player_id IS NOT NULL"));

        // Extended, then indefinite; then no end can be set.
        put(player, "\"" + hour.plus(1, ChronoUnit.HOURS) + "\"").then().statusCode(201);
        put(player, "null").then().statusCode(201).body("indefinitely", equalTo(true)).body("until", nullValue());
        put(player, "\"" + hour.plus(400, ChronoUnit.DAYS) + "\"").then().statusCode(409).body("error", equalTo("excluded_until"));
        List<JsonNode> events = excludedEvents(player, 3);
        assertEquals(3, events.size(), "one wallet.player.excluded per change, none for a refusal or a repeat: " + events);
        assertEquals(hour.toString(), events.get(0).path("data").path("excluded_until").asText());
        assertTrue(events.get(2).path("data").path("excluded_until").isNull(), "indefinite");
        assertEquals("asked by the player", events.get(2).path("data").path("reason").asText());

        // A finite exclusion ends: with the clock past it, the same deposit id goes.
        String later = createPlayer("EUR");
        put(later, "\"" + hour + "\"").then().statusCode(201);
        deposit(later, key, 500).then().statusCode(422);
        clock.shift(Duration.ofHours(2));
        try {
            operator().get("/operator/players/" + later + "/exclusion").then().statusCode(200).body("excluded", equalTo(false));
            deposit(later, key, 500).then().statusCode(200).body("balance", equalTo(500));
            put(later, "\"" + hour.plus(5, ChronoUnit.HOURS) + "\"").then().statusCode(201); // a new one, after the first ended
        } finally {
            clock.shift(Duration.ZERO);
        }
    }

    private static Response put(String player, String until) {
        return operator().body("{\"until\":" + until + ",\"reason\":\"asked by the player\"}").put("/operator/players/" + player + "/exclusion");
    }

    /** The player's wallet.player.excluded events on Kafka, in order, once {@code expected} arrived (or the wait ran out). */
    private static List<JsonNode> excludedEvents(String player, int expected) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (KafkaConsumer<String, String> consumer = OutboxKafkaTest.consumer(List.of(Topics.WALLET_EVENTS))) {
            // Until the expected ones came (or the wait ran out), then one last look for any more.
            boolean last = false;
            while (!last) {
                last = found.size() >= expected || System.nanoTime() >= deadline;
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(last ? 500 : 200))) {
                    JsonNode event = CloudEventJson.mapper().readTree(r.value());
                    if (player.equals(r.key()) && EventTypes.PLAYER_EXCLUDED.equals(event.path("type").asText()) && ids.add(event.path("id").asText())) {
                        found.add(event);
                    }
                }
            }
        }
        return found;
    }
}
