package com.sportswallet.notifier.streams;

import static com.sportswallet.notifier.streams.WalletEventsFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.EventTypes;

/** The per-player aggregate, duplicates, the dedupe retention edge, and independence from order. */
class ActivityAndDedupeTopologyTest {
    static final Instant T = WalletEventsFixture.BASE;

    /** One player's realistic history: every event type, with the amounts each field must sum to. */
    static List<Ev> history(String p) {
        String b1 = betId(p + "-b1");
        String b2 = betId(p + "-b2");
        String b3 = betId(p + "-b3");
        String b4 = betId(p + "-b4");
        String w1 = settlementId("bet/win", p + "-w1");
        String r2 = settlementId("bet/refund", p + "-r2");
        String c4 = settlementId("bet/win", p + "-c4");
        return List.of(
                deposit(p, p + "-dep", 10_000, 10_000, 1, T),
                placed(p, b1, 1_000, 9_000, 2, T.plusSeconds(1)),
                placed(p, b2, 2_000, 7_000, 3, T.plusSeconds(2)),
                placed(p, b3, 500, 6_500, 4, T.plusSeconds(3)),
                placed(p, b4, 700, 5_800, 5, T.plusSeconds(4)),
                won(p, b1, w1, 5_000, false, T.plusSeconds(5)),
                creditApplied(p, b1, w1, "WIN", 5_000, 10_800, 6, T.plusSeconds(6)),
                refunded(p, b2, r2, 800, T.plusSeconds(7)),
                creditApplied(p, b2, r2, "REFUND", 800, 11_600, 7, T.plusSeconds(8)),
                discarded(p, b3, settlementId("bet/discard", p + "-d3"), 500, T.plusSeconds(9)),
                won(p, b4, c4, 1_500, true, T.plusSeconds(10)),
                rolledBack(p, b4, settlementId("bet/rollback", p + "-rb4"), c4, "cashout", 1_500, T.plusSeconds(11)),
                lost(p, b4, settlementId("bet/lost", p + "-l4"), T.plusSeconds(12)),
                withdrawal(p, p + "-wd", 3_000, 8_600, 8, T.plusSeconds(13)),
                statusChanged(p, "BLOCKED", 2, T.plusSeconds(14)));
    }

    static void assertHistoryAggregate(String p, PlayerState s) {
        assertEquals(4, s.bets(), p + " bets");
        assertEquals(4_200, s.stakeTotal(), p + " stake_total");
        assertEquals(5_000, s.winTotal(), p + " win_total: 5000 + 1500 cash-out - 1500 rolled back; credit.applied not counted");
        assertEquals(800, s.refundTotal(), p + " refund_total");
        assertEquals(-4_200 + 5_000 + 800 + 500 + 1_500 - 1_500, s.net(), p + " net");
        assertEquals(T.plusSeconds(13), s.lastActivity(), p + " last_activity: the withdrawal (status changes are not activity)");
        assertEquals(1_000 + 1_200 + 700, s.wageredTotal(), p + " wagered: win 1000, refund 2000-800, b4 re-settled lost 700");
    }

    @Test
    void aggregateSumsEveryBetEventOnce() {
        try (TopologyHarness h = new TopologyHarness()) {
            h.pipeAll(history("p1"));
            assertHistoryAggregate("p1", h.player("p1"));
            assertNull(h.player("nobody"));
        }
    }

    @Test
    void duplicatesChangeNothing() {
        List<JsonNode> crmOnce;
        List<JsonNode> bonusOnce;
        PlayerState once;
        try (TopologyHarness h = new TopologyHarness()) {
            h.pipeAll(history("p1"));
            crmOnce = h.crmEvents();
            bonusOnce = h.bonusEvents();
            once = h.player("p1");
        }
        try (TopologyHarness h = new TopologyHarness()) {
            for (Ev e : history("p1")) {
                h.pipe(e);
                h.pipe(e); // the relay re-sent it at once
            }
            history("p1").forEach(h::pipe); // and everything again, later
            assertEquals(once, h.player("p1"));
            assertEquals(crmOnce, h.crmEvents(), "each crm event once");
            assertEquals(bonusOnce, h.bonusEvents(), "each bonus event once");
        }
        assertEquals(4, crmOnce.size(), "deposit, first-bet, withdrawal, status-changed (no big win at 100000)");
        assertEquals(5, bonusOnce.size(), "won, refunded, cash-out, its rollback, lost");
    }

    @Test
    void aDuplicateWithinTheRetentionIsDroppedOneBeyondItCountsAgain() {
        Duration retention = Duration.ofHours(1);
        try (TopologyHarness h = new TopologyHarness(NotifierSettings.defaults().withDedupeRetention(retention))) {
            Ev dep = deposit("p1", "dep-1", 100, 100, 1, T);
            h.pipe(dep, T);
            assertEquals(1, h.crmEvents().size());
            h.pipe(dep, T.plus(retention).minusMillis(1));
            assertTrue(h.crmEvents().isEmpty(), "re-sent 1 ms within the retention: dropped");
            // Event time moves well past the retention (a newer event), then the old event comes again.
            h.pipe(deposit("p1", "dep-2", 1, 101, 2, T.plus(retention.multipliedBy(2))), T.plus(retention.multipliedBy(2)));
            h.crmEvents();
            h.pipe(dep, T.plus(retention.multipliedBy(2)).plusMillis(1));
            assertEquals(1, h.crmEvents().size(), "the documented bound: beyond the retention a re-sent id counts again");
        }
    }

    @Test
    void anyOrderWithDuplicatesGivesTheSameAggregatesAndOutputs() {
        List<String> players = List.of("p1", "p2", "p3");
        List<Ev> all = new ArrayList<>();
        players.forEach(p -> all.addAll(history(p)));
        Set<String> crmIdsInOrder;
        Set<String> bonusIdsInOrder;
        try (TopologyHarness h = new TopologyHarness()) {
            h.pipeAll(all);
            crmIdsInOrder = ids(h.crmEvents(), false);
            bonusIdsInOrder = ids(h.bonusEvents(), true);
        }
        Random random = new Random(42);
        for (int round = 0; round < 10; round++) {
            List<Ev> shuffled = new ArrayList<>(all);
            for (int i = 0; i < 10; i++) {
                shuffled.add(all.get(random.nextInt(all.size())));
            }
            Collections.shuffle(shuffled, random);
            try (TopologyHarness h = new TopologyHarness()) {
                h.pipeAll(shuffled);
                for (String p : players) {
                    assertHistoryAggregate(p + " (round " + round + ")", h.player(p));
                }
                List<JsonNode> crm = h.crmEvents();
                assertEquals(crmIdsInOrder.size() + players.size(), crm.size(), "no crm event twice, none missing (round " + round + ")");
                assertEquals(crmIdsInOrder, ids(crm, false), "same crm ids but the first bet (round " + round + ")");
                Map<String, Integer> firstBets = new HashMap<>();
                crm.stream().filter(e -> e.get("type").asText().equals(EventTypes.CRM_FIRST_BET))
                        .forEach(e -> firstBets.merge(e.get("subject").asText(), 1, Integer::sum));
                assertEquals(Map.of("p1", 1, "p2", 1, "p3", 1), firstBets, "exactly one first bet per player");
                // The set of settlement decisions is the same; a late placed may add a progress event of its own.
                Set<String> bonus = ids(h.bonusEvents(), true);
                assertTrue(bonus.containsAll(bonusIdsInOrder), "every settlement decision reported (round " + round + ")");
            }
        }
    }

    @Test
    void anUnusableRecordIsSkippedAndTheNextOneProcessed() {
        try (TopologyHarness h = new TopologyHarness()) {
            h.in.pipeInput("p1", "not json", T);
            h.in.pipeInput("p1", "{\"specversion\":\"1.0\",\"type\":\"wallet.deposit\"}", T);
            h.in.pipeInput("p1", "{\"id\":\"x\",\"type\":\"wallet.deposit\",\"data\":{\"amount\":1.5}}", T);
            assertTrue(h.crmEvents().isEmpty());
            assertNull(h.player("p1"));
            h.pipe(deposit("p1", "dep-1", 100, 100, 1, T));
            assertEquals(1, h.crmEvents().size());
        }
    }

    /** crm ids (bonus: ids too) of the events, without first-bet events (whose source depends on order) unless asked. */
    private static Set<String> ids(List<JsonNode> events, boolean all) {
        Set<String> s = new HashSet<>();
        for (JsonNode e : events) {
            if (all || !e.get("type").asText().equals(EventTypes.CRM_FIRST_BET)) {
                s.add(e.get("id").asText());
            }
        }
        return s;
    }
}
