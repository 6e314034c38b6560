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

/** The per-player aggregate, duplicates of any age and after any clock, and independence from order. */
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
            // The same outputs, but for where their facts sit in this input (sourceoffset).
            assertEquals(TopologyHarness.withoutSource(crmOnce), TopologyHarness.withoutSource(h.crmEvents()), "each crm event once");
            assertEquals(TopologyHarness.withoutSource(bonusOnce), TopologyHarness.withoutSource(h.bonusEvents()), "each bonus event once");
        }
        assertEquals(4, crmOnce.size(), "deposit, first-bet, withdrawal, status-changed (no big win at 100000)");
        assertEquals(5, bonusOnce.size(), "won, refunded, cash-out, its rollback, lost");
    }

    @Test
    void aFortyDayOldDuplicateIsDroppedWhateverCameBetween() {
        Instant old = T.minus(Duration.ofDays(40));
        List<Ev> p1 = current(List.of(deposit("p1", "dep-old", 100, 100, 1, old), placed("p1", betId("b-old"), 50, 50, 2, old.plusSeconds(1))));
        Ev legacy = deposit("p2", "dep-legacy", 100, 100, 1, old); // written before player_seq: deduplicated by its id
        List<Ev> later = current(List.of(deposit("p3", "dep-new", 1, 1, 1, T), deposit("p3", "dep-newer", 1, 2, 2, T.plusSeconds(1))));
        try (TopologyHarness h = new TopologyHarness()) {
            h.pipe(p1.get(0), old);
            h.pipe(p1.get(1), old.plusSeconds(1));
            h.pipe(legacy, old.plusSeconds(2));
            assertEquals(3, h.crmEvents().size(), "deposit, first bet, the legacy deposit");
            h.pipe(later.get(0), T); // forty days of stream time later
            h.pipe(later.get(1), T.plusSeconds(1));
            assertEquals(2, h.crmEvents().size());
            h.pipe(p1.get(0), T.plusSeconds(2)); // the relay (or a rebuild) sends the old facts again
            h.pipe(p1.get(1), T.plusSeconds(3));
            h.pipe(legacy, T.plusSeconds(4));
            assertTrue(h.crmEvents().isEmpty(), "a 40-day-old re-send is still a duplicate");
            assertEquals(1, h.player("p1").bets());
            assertEquals(50, h.player("p1").stakeTotal());
        }
    }

    @Test
    void aDuplicateAfterAFarFutureTimeIsDropped() {
        Instant future = T.plus(Duration.ofDays(100L * 365));
        List<Ev> events = current(List.of(deposit("p1", "dep-future", 100, 100, 1, future), deposit("p1", "dep-now", 5, 105, 2, T),
                placed("p1", betId("b1"), 5, 100, 3, T.plusSeconds(1))));
        Ev legacy = deposit("p2", "dep-legacy", 7, 7, 1, T);
        try (TopologyHarness h = new TopologyHarness()) {
            h.pipe(events.get(0), future); // a sender's clock a century ahead: stream time jumps there
            h.pipe(events.get(1), T);
            h.pipe(legacy, T);
            h.pipe(events.get(2), T.plusSeconds(1));
            assertEquals(4, h.crmEvents().size(), "two deposits, the first bet, the legacy deposit");
            h.pipe(events.get(1), T.plusSeconds(2));
            h.pipe(legacy, T.plusSeconds(3));
            h.pipe(events.get(2), T.plusSeconds(4));
            h.pipe(events.get(0), T.plusSeconds(5));
            assertTrue(h.crmEvents().isEmpty(), "re-sent after the far-future one: still duplicates");
            assertEquals(-5, h.player("p1").net(), "one stake of 5, counted once");
            assertEquals(1, h.player("p1").bets());
        }
    }

    @Test
    void reorderedOriginalsInterleavedWithResendsNoneLostNoneDoubled() {
        List<String> players = List.of("p1", "p2", "p3");
        List<Ev> all = new ArrayList<>();
        players.forEach(p -> all.addAll(current(history(p))));
        InOrder inOrder = InOrder.of(all);
        Set<String> crmIds = inOrder.crmIds();
        Set<String> bonusIds = inOrder.bonusIds();
        // p1's first four facts are held back until the end: with at most 3 values remembered above the
        // watermark, the watermark moves past them and they become holes, filled when they arrive.
        List<Ev> heldBack = all.subList(0, 4);
        Random random = new Random(11);
        for (int round = 0; round < 10; round++) {
            List<Ev> order = new ArrayList<>(all.subList(4, all.size()));
            for (int i = 0; i < 15; i++) {
                Ev resend = all.get(4 + random.nextInt(all.size() - 4));
                order.add(random.nextInt(order.size() + 1), resend);
            }
            Collections.shuffle(order, random);
            try (TopologyHarness h = new TopologyHarness(NotifierSettings.defaults().withDedupeAheadMax(3))) {
                h.pipeAll(order);
                assertTrue(holes(h) >= 4, "p1's held-back values are holes (round " + round + "): " + holes(h));
                h.pipeAll(heldBack);
                h.pipeAll(heldBack); // and re-sent once more
                h.pipeAll(order.subList(0, 10));
                assertEquals(0, holes(h), "every hole filled, once (round " + round + ")");
                for (String p : players) {
                    assertHistoryAggregate(p + " (round " + round + ")", h.player(p));
                }
                List<JsonNode> crm = h.crmEvents();
                assertEquals(crmIds.size() + players.size(), crm.size(), "no crm event twice, none missing (round " + round + ")");
                assertEquals(crmIds, ids(crm, false), "same crm ids but the first bet (round " + round + ")");
                List<JsonNode> bonus = h.bonusEvents();
                assertEquals(bonusIds.size(), bonus.size(), "no bonus event twice (round " + round + ")");
                assertEquals(bonusIds, ids(bonus, true), "each settlement's progress, whatever the order (round " + round + ")");
            }
        }
    }

    private static long holes(TopologyHarness h) {
        long n = 0;
        try (var it = h.driver.<String, Long>getKeyValueStore(StoreNames.DEDUPE_HOLES).all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void anyOrderWithDuplicatesGivesTheSameAggregatesAndOutputs() {
        List<String> players = List.of("p1", "p2", "p3");
        List<Ev> all = new ArrayList<>();
        players.forEach(p -> all.addAll(history(p)));
        InOrder inOrder = InOrder.of(all);
        Set<String> crmIdsInOrder = inOrder.crmIds();
        Set<String> bonusIdsInOrder = inOrder.bonusIds();
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

    /** The output ids of the events piped in list order: crm without first-bet events, and bonus. */
    private record InOrder(Set<String> crmIds, Set<String> bonusIds) {
        static InOrder of(List<Ev> events) {
            try (TopologyHarness h = new TopologyHarness()) {
                h.pipeAll(events);
                return new InOrder(ids(h.crmEvents(), false), ids(h.bonusEvents(), true));
            }
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
