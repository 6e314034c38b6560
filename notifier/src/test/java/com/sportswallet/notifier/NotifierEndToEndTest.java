package com.sportswallet.notifier;

import static com.sportswallet.notifier.streams.WalletEventsFixture.*;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.Topics;
import com.sportswallet.notifier.support.KafkaTestClients;
import com.sportswallet.testkit.OperatorKeys;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * The notifier service against the real broker: wallet events in (with duplicates), crm.events
 * and bonus.events read back (each id exactly once), and the aggregate over REST.
 */
@QuarkusTest
@QuarkusTestResource(RealInfraResource.class)
@QuarkusTestResource(OperatorKeys.class)
class NotifierEndToEndTest {
    static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(90);

    @Test
    void eventsInFeedsAndAggregatesOut() throws Exception {
        awaitReady();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String p1 = "e2e-" + run + "-1";
        String p2 = "e2e-" + run + "-2";
        Instant t = BASE.plusMillis(500);
        String b1 = betId(run + "-b1");
        String b2 = betId(run + "-b2");
        String w1 = settlementId("bet/win", run + "-w1");
        Ev dep = deposit(p1, run + "-dep", 500_000, 500_000, 1, t);
        Ev place1 = placed(p1, b1, 10_000, 490_000, 2, t.plusSeconds(1));
        Ev place2 = placed(p1, b2, 5_000, 485_000, 3, t.plusSeconds(2));
        Ev bigWin = won(p1, b1, w1, 150_000, false, t.plusSeconds(3));
        Ev applied = creditApplied(p1, b1, w1, "WIN", 150_000, 635_000, 4, t.plusSeconds(4));
        Ev lost2 = lost(p1, b2, settlementId("bet/lost", run + "-l2"), t.plusSeconds(5));
        Ev wd = withdrawal(p1, run + "-wd", 600_000, 35_000, 5, t.plusSeconds(6));
        Ev rb = rolledBack(p1, b1, settlementId("bet/rollback", run + "-rb1"), w1, "win", 150_000, -115_000L, 6L, t.plusSeconds(7));
        Ev status = statusChanged(p2, "BLOCKED", 2, t.plusSeconds(8));
        List<Ev> legacyShaped = new ArrayList<>(List.of(dep, place1, place2, bigWin, applied, lost2, wd, rb, status));
        legacyShaped.addAll(List.of(place1, bigWin, rb, dep)); // the relay re-sent some after a fault
        List<Ev> withDuplicates = current(legacyShaped); // with player_seq and stakes, as the ingress writes them today
        String bootstrap = TestInfra.get().bootstrapServers();
        KafkaTestClients.produce(bootstrap, Topics.WALLET_EVENTS, withDuplicates);

        Map<String, String> expectedCrm = new TreeMap<>(Map.of(
                CloudEventJson.stableId(EventTypes.CRM_DEPOSIT, dep.id()), EventTypes.CRM_DEPOSIT,
                CloudEventJson.stableId(EventTypes.CRM_FIRST_BET, place1.id()), EventTypes.CRM_FIRST_BET,
                CloudEventJson.stableId(EventTypes.CRM_BIG_WIN, bigWin.id()), EventTypes.CRM_BIG_WIN,
                CloudEventJson.stableId(EventTypes.CRM_WITHDRAWAL, wd.id()), EventTypes.CRM_WITHDRAWAL,
                CloudEventJson.stableId(EventTypes.CRM_NEGATIVE_BALANCE, rb.id()), EventTypes.CRM_NEGATIVE_BALANCE,
                CloudEventJson.stableId(EventTypes.CRM_STATUS_CHANGED, status.id()), EventTypes.CRM_STATUS_CHANGED));
        Set<String> players = Set.of(p1, p2);
        List<JsonNode> crm = KafkaTestClients.readUntil(bootstrap, Topics.CRM_EVENTS, e -> players.contains(e.get("subject").asText()),
                found -> found.size() >= expectedCrm.size(), OUTPUT_TIMEOUT);
        // Give a duplicate the chance to show up before asserting "exactly once".
        Thread.sleep(1_000);
        crm = KafkaTestClients.readUntil(bootstrap, Topics.CRM_EVENTS, e -> players.contains(e.get("subject").asText()),
                found -> false, Duration.ofSeconds(3));
        assertEquals(expectedCrm, crm.stream().collect(Collectors.toMap(e -> e.get("id").asText(), e -> e.get("type").asText(),
                (a, b) -> "DUPLICATE", TreeMap::new)), "each crm event once per id");
        assertEquals(expectedCrm.size(), crm.size());
        long[] last = {-1, -1};
        crm.stream().filter(e -> e.get("subject").asText().equals(p1)).forEach(e -> {
            long offset = Long.parseLong(e.get("sourceoffset").asText());
            long index = e.get("sourceindex").asLong();
            assertTrue(offset > last[0] || (offset == last[0] && index > last[1]), "a player's crm events rise in (sourceoffset, sourceindex)");
            last[0] = offset;
            last[1] = index;
        });

        List<JsonNode> bonus = KafkaTestClients.readUntil(bootstrap, Topics.BONUS_EVENTS, e -> players.contains(e.get("subject").asText()),
                found -> found.size() >= 3, OUTPUT_TIMEOUT);
        Map<String, Long> totals = bonus.stream().collect(Collectors.toMap(e -> e.get("data").get("source_event_id").asText(),
                e -> e.get("data").get("wagered_total").asLong()));
        assertEquals(3, bonus.size(), "win, lost, rollback: one progress each");
        assertEquals(Set.of(bigWin.id(), lost2.id(), rb.id()), totals.keySet());
        assertEquals(5_000L, totals.get(rb.id()), "after the rollback only the lost bet's stake counts");

        JsonPath activity = awaitActivity(p1, 2);
        assertEquals(p1, activity.getString("player_id"));
        assertEquals(2, activity.getLong("bets"));
        assertEquals(15_000, activity.getLong("stake_total"));
        assertEquals(0, activity.getLong("win_total"), "the win was rolled back");
        assertEquals(0, activity.getLong("refund_total"));
        assertEquals(-15_000, activity.getLong("net"));
        assertEquals(t.plusSeconds(7).toString(), activity.getString("last_activity"));
        operator().get("/players/{id}/activity", "nobody-" + run).then().statusCode(404);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("notifier_dedupe_duplicates_total") && !l.endsWith(" 0.0")),
                "the re-sent events are counted as duplicates on /q/metrics");
        // Every metric the contract lists for the notifier (what the dashboard uses) is exposed (issue 17).
        assertEquals(List.of(), com.sportswallet.contracts.Metrics.notExposed("notifier", metrics), "not exposed");
        operator().get("/players/{id}/activity", p2).then().statusCode(200); // a status change makes the player known

        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            assertEquals(0, KafkaTestClients.liveMembers(admin, "notifier-webhook"),
                    "the webhook is off by default: no consumer of crm.events");
        }
    }

    static void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && given().get("/q/health/ready").statusCode() != 200) {
            Thread.sleep(250);
        }
        given().get("/q/health/ready").then().statusCode(200);
    }

    /** A request with the operator's token: the activity endpoint answers nothing else. */
    static RequestSpecification operator() {
        return given().header("Authorization", "Bearer " + OperatorKeys.operatorToken());
    }

    static JsonPath awaitActivity(String player, long bets) throws InterruptedException {
        long deadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            var r = operator().get("/players/{id}/activity", player);
            if (r.statusCode() == 200) {
                last = r.jsonPath();
                if (last.getLong("bets") == bets && last.getString("last_activity") != null
                        && last.getLong("net") == -15_000) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("activity of " + player + " not complete within " + OUTPUT_TIMEOUT + ": "
                + (last == null ? "none" : last.prettify()));
    }
}
