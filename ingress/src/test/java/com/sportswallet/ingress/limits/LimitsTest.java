package com.sportswallet.ingress.limits;

import static com.sportswallet.ingress.OperatorApiTest.createPlayer;
import static com.sportswallet.ingress.OperatorApiTest.deposit;
import static com.sportswallet.ingress.OperatorApiTest.operator;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.ingress.OutboxKafkaTest;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.PlayerSessions;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Responsible-gaming limits (issue 15) against the real ingress and PostgreSQL: concurrent makes
 * never slip under a limit together; a loss limit follows wins, refunds and rollbacks; a decrease
 * is at once, an increase waits; usage rolls over at the period's end (the wallet clock moved); a
 * deposit over its limit is 422; usage always equals what its facts booked.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
public class LimitsTest {
    private static final int ROUNDS = 20;
    private static final int MAKES_PER_ROUND = 50;
    private static final int PROVIDER_TRIES_MAX = 5;

    @Inject
    BonusClock clock;

    static Response putLimits(String player, String body) {
        return operator().body(body).put("/operator/players/" + player + "/limits");
    }

    static Response getLimits(String player) {
        return operator().get("/operator/players/" + player + "/limits");
    }

    /** A make as a provider sends it, retried on 503 as a provider does (same payload: idempotent). */
    static Response make(String player, String tx, long stake) {
        Map<String, Object> p = Provider.make(player, tx, stake, "EUR");
        Response r = Provider.call("bet/make", p);
        for (int tries = 1; r.statusCode() == 503 && tries < PROVIDER_TRIES_MAX; tries++) {
            r = Provider.call("bet/make", p);
        }
        return r;
    }

    static String accepted(String player, long stake) {
        String tx = Provider.txId();
        make(player, tx, stake).then().statusCode(200);
        return Provider.operatorId("bet/make", tx);
    }

    static void refused4001(String player, long stake) {
        long bets = Db.count("SELECT count(*) FROM bet WHERE player_id = '" + player + "'");
        make(player, Provider.txId(), stake).then().statusCode(400).body("code", equalTo(4001)).body("message", containsString("limit"));
        assertEquals(bets, Db.count("SELECT count(*) FROM bet WHERE player_id = '" + player + "'"), "a refused make writes nothing");
    }

    /** Every usage row of the player equals what the facts booked to it (the reconcile's rule, in SQL). */
    static void usageMatchesFacts(String player) {
        String facts = "SELECT p.period, p.period_start, sum(f.wager) AS wager, sum(f.loss) AS loss, sum(f.deposit) AS deposit FROM ("
                + " SELECT usage_day AS day, stake AS wager, stake AS loss, 0 AS deposit FROM bet WHERE player_id = '" + player
                + "' AND usage_day IS NOT NULL AND state <> 'DISCARDED'"
                + " UNION ALL SELECT s.usage_day, s.usage_wager, s.usage_loss, 0 FROM settlement s JOIN bet b ON b.id = s.bet_id"
                + " WHERE b.player_id = '" + player + "' AND s.usage_day IS NOT NULL AND s.state = 'ACTIVE'"
                + " UNION ALL SELECT l.usage_day, 0, 0, l.amount FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id"
                + " WHERE w.player_id = '" + player + "' AND l.usage_day IS NOT NULL) f, usage_periods(f.day) p GROUP BY 1, 2";
        assertEquals(0, Db.count("SELECT count(*) FROM limit_usage u FULL JOIN (" + facts + ") f ON f.period = u.period"
                + " AND f.period_start = u.period_start WHERE coalesce(u.player_id, '" + player + "') = '" + player + "'"
                + " AND (u.wager IS DISTINCT FROM f.wager OR u.loss IS DISTINCT FROM f.loss OR u.deposit IS DISTINCT FROM f.deposit)"
                + " AND NOT (u.player_id IS NULL AND f.wager = 0 AND f.loss = 0 AND f.deposit = 0)"),
                "usage rows equal the sum of their facts for " + player);
    }

    /**
     * 50 makes of 10 against a day wager limit of 200, released together, 20 rounds (a new player
     * each): exactly 20 accepted each round, the others 4001, and the usage exactly 200.
     */
    @Test
    void concurrentMakesNeverSlipUnderALimitTogether() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String player = createPlayer("EUR");
            deposit(player, "dep-" + UUID.randomUUID(), 10_000).then().statusCode(200);
            putLimits(player, "{\"wager\":{\"day\":200}}").then().statusCode(200).body("wager.day.value", equalTo(200));
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < MAKES_PER_ROUND; i++) {
                String tx = Provider.txId();
                calls.add(() -> make(player, tx, 10));
            }
            Map<Integer, Integer> byStatus = new TreeMap<>();
            int limitRefusals = 0;
            for (Response r : OperatorApiTest.concurrently(calls)) {
                byStatus.merge(r.statusCode(), 1, Integer::sum);
                if (r.statusCode() == 400 && r.jsonPath().getInt("code") == 4001) {
                    limitRefusals++;
                }
            }
            assertEquals(Map.of(200, 20, 400, 30), byStatus, "round " + round);
            assertEquals(30, limitRefusals, "round " + round + ": every refusal is 4001");
            getLimits(player).then().statusCode(200).body("usage.day.wager", equalTo(200)).body("usage.day.loss", equalTo(200));
            assertEquals(20, Db.count("SELECT count(*) FROM bet WHERE player_id = '" + player + "'"));
            assertEquals(0, Db.count("SELECT count(*) FROM bet WHERE player_id = '" + player + "' AND (limits_checked IS NULL"
                    + " OR (limits_checked -> 'day' -> 'wager' ->> 1)::bigint > 200)"), "each accepted make stores its check, within the limit");
            usageMatchesFacts(player);
        }
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    /** A loss limit: wins make room, a refund takes its stake back, a rollback of a win takes the room back. */
    @Test
    void aLossLimitFollowsWinsRefundsAndRollbacks() throws Exception {
        String player = createPlayer("EUR");
        deposit(player, "dep-" + UUID.randomUUID(), 10_000).then().statusCode(200);
        putLimits(player, "{\"loss\":{\"day\":500,\"week\":2000}}").then().statusCode(200);
        String bet1 = accepted(player, 300);
        String bet2 = accepted(player, 200); // loss 500: the limit reached, not passed
        refused4001(player, 1);
        String win = Provider.txId();
        Provider.call("bet/win", Provider.win(bet1, win, 400, "EUR")).then().statusCode(200);
        getLimits(player).then().body("usage.day.loss", equalTo(100)).body("usage.day.wager", equalTo(500));
        String bet3 = accepted(player, 350); // loss 450
        refused4001(player, 51);
        Provider.call("bet/refund", Provider.refund(bet2, Provider.txId(), 200)).then().statusCode(200);
        getLimits(player).then().body("usage.day.loss", equalTo(250)).body("usage.day.wager", equalTo(650));
        // The rollback of the win takes its 400 back: loss 650, above the limit (a settlement is never refused), so no make goes.
        Provider.call("bet/rollback", Provider.rollback(bet1, Provider.txId(), Provider.operatorId("bet/win", win))).then().statusCode(200);
        getLimits(player).then().body("usage.day.loss", equalTo(650)).body("usage.week.loss", equalTo(650));
        refused4001(player, 1);
        // A discard takes its make's stake back from both.
        Provider.call("bet/discard", Provider.discard(player, txOf(bet3))).then().statusCode(200);
        getLimits(player).then().body("usage.day.loss", equalTo(300)).body("usage.day.wager", equalTo(300));
        accepted(player, 200);
        usageMatchesFacts(player);
        // The make that took the day's loss to 500 wrote wallet.limit.reached, after its own event.
        JsonNode reached = event(EventTypes.LIMIT_REACHED, bet2 + "#limit#loss-day");
        assertEquals(player, reached.path("subject").asText());
        assertEquals(500, reached.path("data").path("limit").asLong());
        assertEquals(500, reached.path("data").path("usage").asLong());
        assertEquals(txOf(bet2), reached.path("data").path("transaction_id").asText());
        assertEquals(event(EventTypes.BET_PLACED, bet2).path("data").path("player_seq").asLong() + 1, reached.path("data").path("player_seq").asLong());
    }

    /** One wallet.events record by its stable id (the event's type and the id seed the ingress gives it), read from Kafka. */
    static JsonNode event(String type, String idSeed) throws Exception {
        String id = CloudEventJson.stableId(type, idSeed);
        try (KafkaConsumer<String, String> consumer = OutboxKafkaTest.consumer()) {
            ConsumerRecord<String, String> r = OutboxKafkaTest.awaitEvents(consumer, Set.of(id)).get(id);
            assertNotNull(r, type + " " + idSeed + " published");
            return CloudEventJson.mapper().readTree(r.value());
        }
    }

    private static String txOf(String betOperatorId) {
        return Db.text("SELECT provider_tx_id FROM bet WHERE id = '" + betOperatorId + "'");
    }

    /**
     * A decrease is at once, an increase waits LIMIT_INCREASE_DELAY_HOURS (a new one replaces it, a
     * decrease cancels it), a removal waits too; usage rolls over when the day ends (the clock moved
     * to the next local day: the week and month follow the calendar, whatever today is).
     */
    @Test
    void aDecreaseIsAtOnceAnIncreaseWaitsAndUsageRollsOver() {
        try {
            String player = createPlayer("EUR");
            deposit(player, "dep-" + UUID.randomUUID(), 10_000).then().statusCode(200);
            putLimits(player, "{\"wager\":{\"day\":1000}}").then().statusCode(200).body("wager.day.value", equalTo(1000))
                    .body("wager.day.pending", nullValue());
            putLimits(player, "{\"wager\":{\"day\":500}}").then().statusCode(200).body("wager.day.value", equalTo(500));
            putLimits(player, "{\"wager\":{\"day\":900}}").then().statusCode(200).body("wager.day.value", equalTo(500))
                    .body("wager.day.pending.value", equalTo(900));
            putLimits(player, "{\"wager\":{\"day\":800}}").then().statusCode(200).body("wager.day.pending.value", equalTo(800));
            String effective = getLimits(player).then().extract().path("wager.day.pending.effective_at");
            assertEquals(24, Duration.between(clock.instant(), Instant.parse(effective)).toHours() + 1, "the cooling-off: 24 h");
            accepted(player, 400);
            refused4001(player, 101); // 501 > 500: the increase is not in force yet

            // The clock to one minute into the next local day (UTC, the default zone), then past the cooling-off.
            Instant now = clock.instant();
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            Instant tomorrow = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(60);
            clock.shift(Duration.between(Instant.now(), tomorrow));
            PlayerSessions.open(player); // the make's session is decided on the moved clock too
            boolean sameWeek = today.with(DayOfWeek.MONDAY).equals(today.plusDays(1).with(DayOfWeek.MONDAY));
            boolean sameMonth = today.getMonth() == today.plusDays(1).getMonth();
            getLimits(player).then().body("usage.day.wager", equalTo(0)).body("usage.day.period_start", equalTo(today.plusDays(1).toString()))
                    .body("usage.week.wager", equalTo(sameWeek ? 400 : 0)).body("usage.month.wager", equalTo(sameMonth ? 400 : 0));
            accepted(player, 500);
            refused4001(player, 1);

            clock.shift(Duration.between(Instant.now(), Instant.parse(effective).plusSeconds(1)));
            PlayerSessions.open(player);
            getLimits(player).then().body("wager.day.value", equalTo(800)).body("wager.day.pending", nullValue());
            accepted(player, 300); // 800 now
            refused4001(player, 1);
            // A removal waits as an increase does; a decrease (from the pending removal's value in force) cancels it.
            putLimits(player, "{\"wager\":{\"day\":null}}").then().statusCode(200).body("wager.day.value", equalTo(800))
                    .body("wager.day.pending.value", nullValue()).body("wager.day.pending.effective_at", containsString("T"));
            putLimits(player, "{\"wager\":{\"day\":700}}").then().statusCode(200).body("wager.day.value", equalTo(700))
                    .body("wager.day.pending", nullValue());
            usageMatchesFacts(player);
        } finally {
            clock.shift(Duration.ZERO);
        }
    }

    /** A deposit over its limit is 422 limit_exceeded and writes nothing; one that reaches it is accepted. Bad input is 400. */
    @Test
    void aDepositLimitRefusesTheDepositThatWouldPassItAndBadInputIs400() throws Exception {
        String player = createPlayer("EUR");
        putLimits(player, "{\"deposit\":{\"week\":1000},\"wager\":{\"month\":5000}}").then().statusCode(200)
                .body("deposit.week.value", equalTo(1000)).body("wager.month.value", equalTo(5000)).body("loss.day.value", nullValue());
        deposit(player, "dep-" + UUID.randomUUID(), 600).then().statusCode(200);
        String key = "dep-" + UUID.randomUUID();
        deposit(player, key, 401).then().statusCode(422).body("error", equalTo("limit_exceeded"));
        assertEquals(0, Db.count("SELECT count(*) FROM idempotency_record WHERE key = '" + key + "'"), "nothing written, the key free");
        deposit(player, key, 400).then().statusCode(200).body("balance", equalTo(1000));
        getLimits(player).then().body("usage.week.deposit", equalTo(1000)).body("usage.day.deposit", equalTo(1000));
        JsonNode reached = event(EventTypes.LIMIT_REACHED, "deposit:" + key + "#limit#deposit-week");
        assertEquals("deposit", reached.path("data").path("limit_kind").asText());
        assertEquals(1000, reached.path("data").path("usage").asLong());
        OperatorApiTest.withdraw(player, "wd-" + UUID.randomUUID(), 500).then().statusCode(200);
        deposit(player, "dep-" + UUID.randomUUID(), 1).then().statusCode(422).body("error", equalTo("limit_exceeded")); // gross: a withdrawal gives no room
        usageMatchesFacts(player);

        for (String bad : List.of("{\"stake\":{\"day\":1}}", "{\"wager\":{\"year\":1}}", "{\"wager\":{\"day\":-1}}", "{\"wager\":{\"day\":1.5}}",
                "{\"wager\":{\"day\":\"10\"}}", "{\"wager\":5}")) {
            putLimits(player, bad).then().statusCode(400).body("error", equalTo("invalid_limits"));
        }
        getLimits(player).then().body("wager.month.value", equalTo(5000)).body("wager.day.value", nullValue());
        putLimits("nobody-" + UUID.randomUUID(), "{\"wager\":{\"day\":1}}").then().statusCode(404);
        getLimits("nobody-" + UUID.randomUUID()).then().statusCode(404);
    }
}
