package com.sportswallet.notifier.streams;

import static com.sportswallet.notifier.streams.WalletEventsFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;

/** bonus.events: bonus.wagering.progress on every settlement decision; what counts; out of order; the since edge. */
class WageringTopologyTest {
    static final Instant T = WalletEventsFixture.BASE;

    private static long lastTotal(List<JsonNode> events) {
        return events.get(events.size() - 1).get("data").get("wagered_total").asLong();
    }

    @Test
    void settledStakesCountAndARollbackTakesThemBack() {
        try (TopologyHarness h = new TopologyHarness()) {
            String b1 = betId("b1");
            String b2 = betId("b2");
            h.pipe(placed("p1", b1, 500, T));
            h.pipe(placed("p1", b2, 300, T));
            assertTrue(h.bonusEvents().isEmpty(), "placing a bet is not a settlement decision");

            String w1 = settlementId("bet/win", "w1");
            Ev win = won("p1", b1, w1, 2_000, false, T);
            h.pipe(win);
            List<JsonNode> out = h.bonusEvents();
            assertEquals(1, out.size());
            JsonNode e = out.get(0);
            assertEquals(EventTypes.BONUS_WAGERING_PROGRESS, e.get("type").asText());
            assertEquals(CloudEventJson.stableId(EventTypes.BONUS_WAGERING_PROGRESS, win.id()), e.get("id").asText());
            assertEquals("p1", e.get("subject").asText());
            JsonNode d = e.get("data");
            assertEquals("p1", d.get("player_id").asText());
            assertEquals(500, d.get("wagered_total").asLong());
            assertEquals(Instant.EPOCH.toString(), d.get("since").asText());
            assertEquals(b1, d.get("bet_id").asText());
            assertEquals(win.id(), d.get("source_event_id").asText());
            io.cloudevents.CloudEvent ce = CloudEventJson.parse(e.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(EventTypes.BONUS_WAGERING_PROGRESS, ce.getType(), "a valid CloudEvent for the CloudEvents SDK");
            assertEquals(500, CloudEventJson.dataOf(ce).get("wagered_total").asLong());

            h.pipe(lost("p1", b2, settlementId("bet/lost", "l2"), T));
            assertEquals(800, lastTotal(h.bonusEvents()), "a lost bet's stake counts");

            h.pipe(rolledBack("p1", b1, settlementId("bet/rollback", "rb1"), w1, "win", 2_000, T));
            assertEquals(300, lastTotal(h.bonusEvents()), "the rollback takes the win's stake back");

            h.pipe(lost("p1", b1, settlementId("bet/lost", "l1"), T));
            assertEquals(800, lastTotal(h.bonusEvents()), "settled again after the rollback: counts again, once");

            h.pipe(rolledBack("p1", b2, settlementId("bet/rollback", "rb2"), settlementId("bet/lost", "l2"), "lost", 0, T));
            assertEquals(500, lastTotal(h.bonusEvents()), "a rolled-back loss is taken back too");
            assertEquals(500, h.player("p1").wageredTotal());
        }
    }

    @Test
    void refundsCountOnlyTheStakeKeptAndDiscardsNothing() {
        try (TopologyHarness h = new TopologyHarness()) {
            String b1 = betId("b1");
            String b2 = betId("b2");
            String b3 = betId("b3");
            h.pipe(placed("p1", b1, 1_000, T));
            h.pipe(placed("p1", b2, 1_000, T));
            h.pipe(placed("p1", b3, 1_000, T));
            h.pipe(refunded("p1", b1, settlementId("bet/refund", "r1"), 400, T));
            assertEquals(600, lastTotal(h.bonusEvents()), "a partial refund counts the stake not returned");
            h.pipe(refunded("p1", b2, settlementId("bet/refund", "r2"), 1_000, T));
            assertEquals(600, lastTotal(h.bonusEvents()), "a full refund is a void: 0");
            h.pipe(discarded("p1", b3, "d3", 1_000, T));
            assertTrue(h.bonusEvents().isEmpty(), "a discard is not a settlement decision");
            assertEquals(600, h.player("p1").wageredTotal());
            h.pipe(rolledBack("p1", b1, settlementId("bet/rollback", "rb1"), settlementId("bet/refund", "r1"), "refund", 400, T));
            assertEquals(0, lastTotal(h.bonusEvents()));
        }
    }

    @Test
    void onlySettlementsAtOrAfterSinceCount() {
        Instant since = T.minus(java.time.Duration.ofDays(20));
        try (TopologyHarness h = new TopologyHarness(NotifierSettings.defaults().withWageringSince(since))) {
            String b1 = betId("b1");
            String b2 = betId("b2");
            h.pipe(placed("p1", b1, 500, since.minusSeconds(3600)));
            h.pipe(placed("p1", b2, 300, since.minusSeconds(3600)));
            h.pipe(lost("p1", b1, settlementId("bet/lost", "l1"), since.minusNanos(1)));
            List<JsonNode> out = h.bonusEvents();
            assertEquals(0, lastTotal(out), "1 ns before since: not counted, still reported");
            assertEquals(since.toString(), out.get(0).get("data").get("since").asText());
            h.pipe(lost("p1", b2, settlementId("bet/lost", "l2"), since));
            assertEquals(300, lastTotal(h.bonusEvents()), "exactly at since: counted");
            h.pipe(rolledBack("p1", b1, settlementId("bet/rollback", "rb1"), settlementId("bet/lost", "l1"), "lost", 0, since.plusSeconds(1)));
            assertEquals(300, lastTotal(h.bonusEvents()), "rolling back an uncounted settlement takes nothing back");
        }
        assertEquals(Instant.parse("2026-11-01T00:00:00Z"), NotifierSettings.parseSince("2026-11-01"));
        assertEquals(Instant.parse("2026-11-01T10:00:00Z"), NotifierSettings.parseSince("2026-11-01T12:00:00+02:00"));
    }

    @Test
    void aSettlementBeforeItsPlacedEventCountsWhenTheStakeArrives() {
        try (TopologyHarness h = new TopologyHarness()) {
            String b1 = betId("b1");
            Ev win = won("p1", b1, settlementId("bet/win", "w1"), 900, false, T);
            h.pipe(win);
            assertEquals(0, lastTotal(h.bonusEvents()), "stake unknown yet: reported, not counted");
            Ev placed = placed("p1", b1, 400, T.minusSeconds(5));
            h.pipe(placed);
            List<JsonNode> out = h.bonusEvents();
            assertEquals(1, out.size(), "the late stake completes the settlement: progress reported");
            assertEquals(400, out.get(0).get("data").get("wagered_total").asLong());
            assertEquals(placed.id(), out.get(0).get("data").get("source_event_id").asText());
            assertEquals(CloudEventJson.stableId(EventTypes.BONUS_WAGERING_PROGRESS, placed.id()), out.get(0).get("id").asText());
        }
    }

    @Test
    void aRollbackBeforeTheSettlementItReversesLeavesNothingCounted() {
        try (TopologyHarness h = new TopologyHarness()) {
            String b1 = betId("b1");
            String w1 = settlementId("bet/win", "w1");
            h.pipe(placed("p1", b1, 400, T));
            h.pipe(rolledBack("p1", b1, settlementId("bet/rollback", "rb1"), w1, "win", 900, T));
            assertEquals(0, lastTotal(h.bonusEvents()));
            h.pipe(won("p1", b1, w1, 900, false, T.minusSeconds(1)));
            assertEquals(0, lastTotal(h.bonusEvents()), "the win was already rolled back");
            assertEquals(0, h.player("p1").winTotal(), "win and its rollback cancel in the aggregate too");
            assertEquals(-400, h.player("p1").net());
        }
    }

    @Test
    void eachBetEventCarriesItsStakeSoOrderAndAgeDoNotMatter() {
        String b1 = betId("b1");
        String w1 = settlementId("bet/win", "w1");
        String r2 = settlementId("bet/refund", "r2");
        String b2 = betId("b2");
        List<Ev> events = current(List.of(placed("p1", b1, 400, T), placed("p1", b2, 1_000, T),
                won("p1", b1, w1, 900, false, T.plusSeconds(1)), refunded("p1", b2, r2, 300, T.plusSeconds(2)),
                rolledBack("p1", b1, settlementId("bet/rollback", "rb1"), w1, "win", 900, T.plus(Duration.ofDays(60)))));
        try (TopologyHarness h = new TopologyHarness()) {
            h.pipe(events.get(2)); // the win before its placed event: its stake is on it
            assertEquals(400, lastTotal(h.bonusEvents()), "counted at once, from the event alone");
            h.pipe(events.get(0));
            assertTrue(h.bonusEvents().isEmpty(), "a placed event completes nothing: no progress");
            assertNull(h.bet(b1), "no per-bet state for events that carry the stake");
            h.pipe(events.get(3));
            assertEquals(400 + 700, lastTotal(h.bonusEvents()), "refund: the 700 not returned");
            h.pipe(events.get(4), T.plus(Duration.ofDays(60))); // sixty days later
            assertEquals(700, lastTotal(h.bonusEvents()), "a rollback of any age takes its settlement's share back");
            h.pipe(events.get(1));
            assertEquals(700, h.player("p1").wageredTotal());
            assertEquals(2, h.player("p1").bets());
        }
    }

    @Test
    void aRollbackTakesBackOnlyWhatItsSettlementCountedAtItsOwnTime() {
        Instant since = T;
        String b1 = betId("b1");
        String l1 = settlementId("bet/lost", "l1");
        List<Ev> events = current(List.of(placed("p1", b1, 500, since.minusSeconds(60)), lost("p1", b1, l1, since.minusNanos(1)),
                rolledBack("p1", b1, settlementId("bet/rollback", "rb1"), l1, "lost", 0, since.plusSeconds(5)),
                lost("p1", b1, settlementId("bet/lost", "l2"), since.plusSeconds(6))));
        try (TopologyHarness h = new TopologyHarness(NotifierSettings.defaults().withWageringSince(since))) {
            h.pipeAll(events);
            assertEquals(500, h.player("p1").wageredTotal(),
                    "the first lost was before since (not counted, so its rollback after since takes nothing back); the second counts");
        }
    }
}
