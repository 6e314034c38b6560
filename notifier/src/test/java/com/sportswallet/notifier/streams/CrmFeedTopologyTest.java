package com.sportswallet.notifier.streams;

import static com.sportswallet.notifier.streams.WalletEventsFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;

/** crm.events: every type, every threshold edge, the envelope and the stable ids. */
class CrmFeedTopologyTest {
    static final Instant T = WalletEventsFixture.BASE.plusNanos(123_456_789);

    @Test
    void firstBetIsEmittedOncePerPlayerForTheFirstPlacedSeen() {
        try (TopologyHarness h = new TopologyHarness()) {
            Ev first = placed("p1", betId("b1"), 500, T);
            h.pipe(first);
            h.pipe(placed("p1", betId("b2"), 700, T.plusSeconds(1)));
            h.pipe(placed("p2", betId("b3"), 300, T.plusSeconds(2)));

            List<TestRecord<String, String>> records = h.crmRecords();
            assertEquals(2, records.size(), "one first-bet per player");
            TestRecord<String, String> r = records.get(0);
            assertEquals("p1", r.key(), "keyed by player id");
            assertEquals(CloudEventJson.CONTENT_TYPE,
                    new String(r.headers().lastHeader(CloudEventJson.CONTENT_TYPE_HEADER).value(), StandardCharsets.UTF_8));
            JsonNode e = TopologyHarness.parse(List.of(r.value())).get(0);
            assertEquals("1.0", e.get("specversion").asText());
            assertEquals(EventTypes.CRM_FIRST_BET, e.get("type").asText());
            assertEquals(CloudEventJson.stableId(EventTypes.CRM_FIRST_BET, first.id()), e.get("id").asText(), "id derives from the source id");
            assertEquals("/wallet/notifier", e.get("source").asText());
            assertEquals("p1", e.get("subject").asText());
            assertEquals(T, Instant.parse(e.get("time").asText()), "time is the source event's time");
            JsonNode d = e.get("data");
            assertEquals("p1", d.get("player_id").asText());
            assertEquals(500, d.get("amount").asLong(), "amount is the stake");
            assertEquals("EUR", d.get("currency").asText());
            assertEquals(first.id(), d.get("source_event_id").asText());
            assertEquals(T.toString(), d.get("occurred_at").asText());
            io.cloudevents.CloudEvent ce = CloudEventJson.parse(r.value().getBytes(StandardCharsets.UTF_8));
            assertEquals(e.get("id").asText(), ce.getId(), "a valid CloudEvent for the CloudEvents SDK");
            assertEquals(EventTypes.CRM_FIRST_BET, ce.getType());
            assertEquals("/wallet/notifier", ce.getSource().toString());
            assertEquals("p1", ce.getSubject());
            assertEquals("application/json", ce.getDataContentType());
            assertEquals(T, ce.getTime().toInstant());
            assertEquals(500, CloudEventJson.dataOf(ce).get("amount").asLong());
            assertEquals("0", ce.getExtension("sourceoffset"), "the wallet.events offset of the fact (a string: 64-bit)");
            assertEquals(0, ce.getExtension("sourceindex"), "its first output");
            assertEquals("2", TopologyHarness.parse(List.of(records.get(1).value())).get(0).get("sourceoffset").asText(),
                    "p2's first bet was the third record");
            JsonNode second = TopologyHarness.parse(List.of(records.get(1).value())).get(0);
            assertEquals("p2", second.get("data").get("player_id").asText());
        }
    }

    @Test
    void bigWinCountsFromExactlyTheThresholdCashOutsIncluded() {
        try (TopologyHarness h = new TopologyHarness(NotifierSettings.defaults().withBigWinThreshold(1_000))) {
            String bet = betId("b1");
            h.pipe(placed("p1", bet, 10, T));
            h.crmEvents(); // the first-bet
            h.pipe(won("p1", bet, settlementId("bet/win", "w1"), 999, false, T));
            assertTrue(h.crmEvents().isEmpty(), "999 < 1000: not a big win");
            Ev atThreshold = won("p1", bet, settlementId("bet/win", "w2"), 1_000, false, T);
            h.pipe(atThreshold);
            List<JsonNode> out = h.crmEvents();
            assertEquals(1, out.size(), "exactly the threshold is a big win");
            assertEquals(EventTypes.CRM_BIG_WIN, out.get(0).get("type").asText());
            assertEquals(CloudEventJson.stableId(EventTypes.CRM_BIG_WIN, atThreshold.id()), out.get(0).get("id").asText());
            assertEquals(1_000, out.get(0).get("data").get("amount").asLong());
            assertEquals(bet, out.get(0).get("data").get("bet_id").asText());
            assertFalse(out.get(0).get("data").get("is_cashout").asBoolean());

            h.pipe(won("p1", bet, settlementId("bet/win", "w3"), 5_000, true, T));
            out = h.crmEvents();
            assertEquals(1, out.size(), "a cash-out over the threshold is a big win");
            assertTrue(out.get(0).get("data").get("is_cashout").asBoolean());

            h.pipe(refunded("p1", bet, settlementId("bet/refund", "r1"), 50_000, T));
            h.pipe(discarded("p1", bet, "d1", 50_000, T));
            h.pipe(creditApplied("p1", bet, settlementId("bet/win", "w2"), "WIN", 1_000_000, 2_000_000, 9, T));
            assertTrue(h.crmEvents().isEmpty(), "refunds, discards and credit.applied are never big wins");
        }
    }

    @Test
    void negativeBalanceOncePerWalletVersionFromTheAlertOrTheDebit() {
        try (TopologyHarness h = new TopologyHarness()) {
            String bet = betId("b1");
            String win = settlementId("bet/win", "w1");
            String rb = settlementId("bet/rollback", "rb1");
            // RollbackService writes the alert, then the rollback, both with the new sequence 7.
            Ev alert = negativeBalanceAlert("p1", bet, rb, 800, -300, 7, T);
            h.pipe(alert);
            h.pipe(rolledBack("p1", bet, rb, win, "win", 800, -300L, 7L, T));
            List<JsonNode> out = h.crmEvents();
            assertEquals(1, out.size(), "the alert and its rollback are one negative-balance fact");
            JsonNode e = out.get(0);
            assertEquals(EventTypes.CRM_NEGATIVE_BALANCE, e.get("type").asText());
            assertEquals(CloudEventJson.stableId(EventTypes.CRM_NEGATIVE_BALANCE, alert.id()), e.get("id").asText());
            assertEquals(-300, e.get("data").get("amount").asLong(), "amount is the balance reached");
            assertEquals(-300, e.get("data").get("balance_after").asLong());
            assertEquals(7, e.get("data").get("sequence").asLong());

            // A debit that leaves exactly 0 is not negative; -1 is.
            h.pipe(rolledBack("p1", bet, settlementId("bet/rollback", "rb2"), settlementId("bet/win", "w2"), "win", 100, 0L, 8L, T));
            assertTrue(h.crmEvents().isEmpty(), "balance_after 0 is not negative");
            Ev minusOne = rolledBack("p1", bet, settlementId("bet/rollback", "rb3"), settlementId("bet/win", "w3"), "win", 1, -1L, 9L, T);
            h.pipe(minusOne);
            out = h.crmEvents();
            assertEquals(1, out.size(), "balance_after -1 without an alert is negative too");
            assertEquals(CloudEventJson.stableId(EventTypes.CRM_NEGATIVE_BALANCE, minusOne.id()), out.get(0).get("id").asText());

            // A credit that still leaves the balance below zero improves it: no new fact. Nor an alert of another reason.
            h.pipe(deposit("p1", "dep-1", 100, -200, 10, T));
            h.pipe(alert("p1", "dlq", "cmd-1", T));
            out = h.crmEvents();
            assertEquals(1, out.size());
            assertEquals(EventTypes.CRM_DEPOSIT, out.get(0).get("type").asText(), "only the deposit itself");
        }
    }

    @Test
    void depositWithdrawalAndStatusChange() {
        try (TopologyHarness h = new TopologyHarness()) {
            Ev dep = deposit("p1", "dep-1", 2_500, 2_500, 1, T);
            Ev wd = withdrawal("p1", "wd-1", 700, 1_800, 2, T.plusSeconds(1));
            Ev st = statusChanged("p1", "BLOCKED", 2, T.plusSeconds(2));
            h.pipe(dep);
            h.pipe(wd);
            h.pipe(st);
            List<JsonNode> out = h.crmEvents();
            assertEquals(3, out.size());
            assertEquals(EventTypes.CRM_DEPOSIT, out.get(0).get("type").asText());
            assertEquals(2_500, out.get(0).get("data").get("amount").asLong());
            assertEquals(CloudEventJson.stableId(EventTypes.CRM_DEPOSIT, dep.id()), out.get(0).get("id").asText());
            assertEquals(EventTypes.CRM_WITHDRAWAL, out.get(1).get("type").asText());
            assertEquals(700, out.get(1).get("data").get("amount").asLong(), "the amount withdrawn, positive");
            assertEquals(wd.id(), out.get(1).get("data").get("source_event_id").asText());
            assertEquals(EventTypes.CRM_STATUS_CHANGED, out.get(2).get("type").asText());
            assertEquals("BLOCKED", out.get(2).get("data").get("status").asText());
            assertEquals(0, out.get(2).get("data").get("amount").asLong());
            assertTrue(h.bonusEvents().isEmpty(), "no wagering output for money movements");
        }
    }

    /**
     * Issue 15: a self-exclusion is a crm.player.excluded, and the marketing facts (first bet, big
     * win, bonus granted) that occur while it is in force are suppressed; those after its end, and
     * the non-marketing ones (deposit, withdrawal, status), still go.
     */
    @Test
    void anExclusionIsAnnouncedAndSuppressesMarketingFactsWhileInForce() {
        try (TopologyHarness h = new TopologyHarness()) {
            Instant until = T.plusSeconds(3_600);
            Ev excluded = excluded("p1", until, 1, T).seq(1);
            Ev firstBet = placed("p1", betId("m1"), 100, T.plusSeconds(10)).seq(2);
            Ev bigWin = won("p1", betId("m1"), settlementId("bet/win", "w1"), 1_000_000, false, T.plusSeconds(20)).seq(3);
            Ev granted = bonusGranted("p1", "b-1", "freebet_freemoney", 500, T.plusSeconds(86_400), T.plusSeconds(30)).seq(4);
            Ev wd = withdrawal("p1", "wd-1", 700, 1_800, 2, T.plusSeconds(40)).seq(5);
            Ev bigWinAfter = won("p1", betId("m2"), settlementId("bet/win", "w2"), 1_000_000, false, until.plusSeconds(1)).seq(6);
            Ev other = excluded("p2", null, 1, T).seq(1);
            Ev otherGranted = bonusGranted("p2", "b-2", "freebet_freemoney", 500, T.plusSeconds(86_400), T.plusSeconds(86_000)).seq(2);
            h.pipeAll(List.of(excluded, firstBet, bigWin, granted, wd, bigWinAfter, other, otherGranted));

            List<JsonNode> crm = h.crmEvents();
            List<String> types = crm.stream().map(n -> n.get("data").get("player_id").asText() + " " + n.get("type").asText()).toList();
            assertEquals(List.of("p1 " + EventTypes.CRM_PLAYER_EXCLUDED, "p1 " + EventTypes.CRM_WITHDRAWAL, "p1 " + EventTypes.CRM_BIG_WIN,
                    "p2 " + EventTypes.CRM_PLAYER_EXCLUDED), types, "no first bet, big win or bonus granted while excluded; an indefinite exclusion never ends");
            assertEquals(until.toString(), crm.get(0).get("data").get("excluded_until").asText());
            assertTrue(crm.get(3).get("data").get("excluded_until").isNull(), "indefinite");
            assertEquals(CloudEventJson.stableId(EventTypes.CRM_PLAYER_EXCLUDED, excluded.id()), crm.get(0).get("id").asText());
        }
    }

    /**
     * Issue 15: each wallet.limit.reached is a crm.player.limit-reached naming the limit, its period and
     * the usage that reached it; responsible gaming, not marketing, so it goes while the player is
     * excluded too. A re-sent one is dropped like any wallet event, and its id is stable.
     */
    @Test
    void aLimitReachedIsACrmEventEvenWhileExcluded() {
        try (TopologyHarness h = new TopologyHarness()) {
            java.time.LocalDate day = java.time.LocalDate.of(2026, 12, 2);
            java.time.LocalDate week = java.time.LocalDate.of(2026, 11, 30);
            Instant until = T.plusSeconds(3_600);
            String bet = betId("m1");
            Ev excluded = excluded("p1", until, 1, T).seq(1);
            Ev placed = placed("p1", bet, 5_000, T.plusSeconds(10)).seq(2);
            // One make can reach two limits at once: one event each, in period order, after the make's own.
            Ev wagerDay = limitReached("p1", bet, bet, "wager", "day", day, 5_000, 95_000, T.plusSeconds(10)).seq(3);
            Ev wagerWeek = limitReached("p1", bet, bet, "wager", "week", week, 20_000, 95_000, T.plusSeconds(10)).seq(4);
            String depositTx = CloudEventJson.stableId("deposits", "dep-1");
            Ev deposit = deposit("p2", "dep-1", 10_000, 10_000, 1, T.plusSeconds(20)).seq(1);
            Ev depositMonth = limitReached("p2", "dep-1", depositTx, "deposit", "month", day.withDayOfMonth(1), 10_000, 10_000,
                    T.plusSeconds(20)).seq(2);
            h.pipeAll(List.of(excluded, placed, wagerDay, wagerWeek, deposit, depositMonth, wagerDay));

            List<TestRecord<String, String>> records = h.crmRecords();
            List<JsonNode> crm = TopologyHarness.parse(records.stream().map(TestRecord::value).toList());
            assertEquals(List.of("p1 " + EventTypes.CRM_PLAYER_EXCLUDED, "p1 " + EventTypes.CRM_LIMIT_REACHED,
                    "p1 " + EventTypes.CRM_LIMIT_REACHED, "p2 " + EventTypes.CRM_DEPOSIT, "p2 " + EventTypes.CRM_LIMIT_REACHED),
                    records.stream().map(r -> r.key() + " " + TopologyHarness.parse(List.of(r.value())).get(0).get("type").asText())
                            .toList(),
                    "keyed by player; no first bet while excluded, but both limits reached; the re-sent one dropped");

            JsonNode e = crm.get(1);
            assertEquals(CloudEventJson.stableId(EventTypes.CRM_LIMIT_REACHED, wagerDay.id()), e.get("id").asText(),
                    "id derives from the source id");
            assertEquals(CloudEventJson.stableId(EventTypes.LIMIT_REACHED, bet + "#limit#wager-day"), wagerDay.id(),
                    "the fixture's id is the ingress's");
            assertEquals("/wallet/notifier", e.get("source").asText());
            assertEquals("p1", e.get("subject").asText());
            assertEquals(T.plusSeconds(10), Instant.parse(e.get("time").asText()), "time is the source event's time");
            assertEquals("2", e.get("sourceoffset").asText(), "the wallet.events offset of the limit's own record");
            assertEquals(0, e.get("sourceindex").asInt());
            JsonNode d = e.get("data");
            assertEquals("p1", d.get("player_id").asText());
            assertEquals(0, d.get("amount").asLong(), "no money moved: the make has its own event");
            assertEquals("EUR", d.get("currency").asText());
            assertEquals(wagerDay.id(), d.get("source_event_id").asText());
            assertEquals(T.plusSeconds(10).toString(), d.get("occurred_at").asText());
            assertEquals("wager", d.get("limit_kind").asText());
            assertEquals("day", d.get("period").asText());
            assertEquals("2026-12-02", d.get("period_start").asText(), "the local date, as the ingress wrote it");
            assertEquals(5_000, d.get("limit").asLong());
            assertEquals(5_000, d.get("usage").asLong());
            assertEquals(bet, d.get("transaction_id").asText(), "the make that reached it");

            JsonNode w = crm.get(2).get("data");
            assertEquals(CloudEventJson.stableId(EventTypes.CRM_LIMIT_REACHED, wagerWeek.id()), crm.get(2).get("id").asText());
            assertEquals(List.of("week", "2026-11-30", 20_000L), List.of(w.get("period").asText(), w.get("period_start").asText(),
                    w.get("limit").asLong()));

            JsonNode m = crm.get(4).get("data");
            assertEquals(CloudEventJson.stableId(EventTypes.CRM_LIMIT_REACHED, depositMonth.id()), crm.get(4).get("id").asText());
            assertEquals(List.of("deposit", "month", "2026-12-01", 10_000L, 10_000L, depositTx),
                    List.of(m.get("limit_kind").asText(), m.get("period").asText(), m.get("period_start").asText(),
                            m.get("limit").asLong(), m.get("usage").asLong(), m.get("transaction_id").asText()));

            io.cloudevents.CloudEvent ce = CloudEventJson.parse(records.get(1).value().getBytes(StandardCharsets.UTF_8));
            assertEquals(EventTypes.CRM_LIMIT_REACHED, ce.getType(), "a valid CloudEvent for the CloudEvents SDK");
            assertEquals(CloudEventJson.CONTENT_TYPE,
                    new String(records.get(1).headers().lastHeader(CloudEventJson.CONTENT_TYPE_HEADER).value(), StandardCharsets.UTF_8));
            assertTrue(h.bonusEvents().isEmpty(), "a limit reached is no wagering");
            assertEquals(1, h.player("p1").bets, "the limit events add nothing to the aggregates");
        }
    }

    @Test
    void bonusGrantedFreebetRedeemedAndPromotionSoldOut() {
        try (TopologyHarness h = new TopologyHarness()) {
            Instant expires = T.plusSeconds(86_400);
            Ev granted = bonusGranted("p1", "b-1", "freebet_freemoney", 500, expires, T).seq(1);
            Ev freebet = bonusRedeemed("p1", "b-1", "freebet_freemoney", betId("m1"), 400, T.plusSeconds(1)).seq(2);
            Ev boost = bonusRedeemed("p1", "b-2", "comboboost", betId("m2"), 0, T.plusSeconds(2)).seq(3);
            Ev lastClaim = bonusGranted("p2", "b-3", "freebet_refund", 100, expires, T.plusSeconds(3)).with("promotion_id", "promo-1")
                    .with("promotion_claims_left", 0).seq(1);
            Ev otherClaim = bonusGranted("p3", "b-4", "freebet_refund", 100, expires, T.plusSeconds(4)).with("promotion_id", "promo-1")
                    .with("promotion_claims_left", 1).seq(1);
            h.pipeAll(List.of(granted, freebet, boost, lastClaim, otherClaim, granted));

            List<JsonNode> crm = h.crmEvents();
            assertEquals(3, crm.size(), "one crm.player.bonus-granted per grant, the re-sent one deduplicated");
            JsonNode first = crm.get(0);
            assertEquals(EventTypes.CRM_BONUS_GRANTED, first.get("type").asText());
            assertEquals(CloudEventJson.stableId(EventTypes.CRM_BONUS_GRANTED, granted.id()), first.get("id").asText());
            assertEquals(500, first.get("data").get("amount").asLong());
            assertEquals("b-1", first.get("data").get("bonus_id").asText());
            assertEquals("freebet_freemoney", first.get("data").get("bonus_type").asText());
            assertEquals(expires.toString(), first.get("data").get("expires_at").asText());

            List<JsonNode> bonus = h.bonusEvents();
            assertEquals(2, bonus.size(), "the freebet's redemption and the sold-out promotion; a comboboost is not a freebet");
            JsonNode redeemed = bonus.get(0);
            assertEquals(EventTypes.BONUS_FREEBET_REDEEMED, redeemed.get("type").asText());
            assertEquals(400, redeemed.get("data").get("amount").asLong(), "the bonus stake");
            assertEquals(betId("m1"), redeemed.get("data").get("bet_id").asText());
            assertEquals(freebet.id(), redeemed.get("data").get("source_event_id").asText());
            JsonNode soldOut = bonus.get(1);
            assertEquals(EventTypes.BONUS_PROMOTION_SOLD_OUT, soldOut.get("type").asText());
            assertEquals("promo-1", soldOut.get("data").get("promotion_id").asText());
            assertEquals("p2", soldOut.get("data").get("player_id").asText());
        }
    }

    @Test
    void theSameInputGivesByteIdenticalOutputsInAFreshTopology() {
        List<Ev> events = List.of(placed("p1", betId("b1"), 500, T), deposit("p1", "dep-1", 100_000, 100_500, 2, T),
                won("p1", betId("b1"), settlementId("bet/win", "w1"), 200_000, false, T), statusChanged("p1", "BLOCKED", 2, T),
                limitReached("p1", betId("b1"), betId("b1"), "loss", "week", java.time.LocalDate.of(2026, 11, 30), 500, 100_000, T));
        List<TestRecord<String, String>> first;
        List<TestRecord<String, String>> second;
        try (TopologyHarness h = new TopologyHarness()) {
            h.pipeAll(events);
            first = h.crmRecords();
        }
        try (TopologyHarness h = new TopologyHarness()) {
            h.pipeAll(events);
            second = h.crmRecords();
        }
        assertEquals(5, first.size());
        assertEquals(first.stream().map(TestRecord::value).toList(), second.stream().map(TestRecord::value).toList());
        assertEquals(first.stream().map(TestRecord::timestamp).toList(), second.stream().map(TestRecord::timestamp).toList());
    }
}
