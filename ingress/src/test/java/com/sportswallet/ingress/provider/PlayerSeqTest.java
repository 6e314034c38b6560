package com.sportswallet.ingress.provider;

import static com.sportswallet.ingress.provider.Provider.call;
import static com.sportswallet.ingress.provider.Provider.operatorId;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.Topics;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.OutboxKafkaTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.money.CreditBatch;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * DESIGN.md "Per-player order": one player through every kind of transaction that writes
 * wallet.events (operator API, every provider callback that decides, the worker's batches), then
 * that player's records as the real relay published them to the real broker: player_seq runs
 * 1..N with no hole and no value twice, N is the wallet's player_seq, values follow the decision
 * order (also inside one transaction), every settlement.commands record carries its decision
 * event's value, and the bet events carry what feeds need (stake, the reversed decision's time).
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class PlayerSeqTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void everyWalletEventOfAPlayerTakesTheNextPlayerSeqInDecisionOrder() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        List<String> expected = new ArrayList<>(); // event ids in the order they were decided
        Map<String, Long> stakes = new HashMap<>(); // bet id -> stake

        String depositKey = "seq-dep-" + player;
        OperatorApiTest.deposit(player, depositKey, 1000).then().statusCode(200);
        expected.add(CloudEventJson.stableId(EventTypes.DEPOSIT, depositKey));

        // A: made and won (the credit stays pending for now); the answer is the available balance, the win included.
        String betA = make(player, txId(), 100, stakes, expected);
        String winA = settle("win", betA, 300, expected).creditId;
        // B: lost. C: refunded (pending).
        String betB = make(player, txId(), 100, stakes, expected);
        settle("lost", betB, 0, expected);
        String betC = make(player, txId(), 100, stakes, expected);
        String refundC = settle("refund", betC, 100, expected).creditId;
        // One worker batch applies both: consecutive values, in the batch's order.
        List<CreditBatch.Applied> batch = CreditApplier.applyBatch(winA, refundC);
        assertEquals(List.of(winA, refundC), batch.stream().map(CreditBatch.Applied::creditId).toList());
        expected.add(CloudEventJson.stableId(EventTypes.CREDIT_APPLIED, winA));
        expected.add(CloudEventJson.stableId(EventTypes.CREDIT_APPLIED, refundC));
        assertEquals(1100, OperatorApiTest.balance(player));

        // D: won, and rolled back while the credit is pending: cancelled, no money moves.
        String betD = make(player, txId(), 100, stakes, expected);
        String winD = settle("win", betD, 200, expected).creditId;
        String rollbackD = rollback(betD, winD, 1000, expected);
        expected.add(CloudEventJson.stableId(EventTypes.BET_ROLLED_BACK, rollbackD));

        // E: won 5000 and applied; F spends it; the rollback of E's applied win drives the balance
        // below zero: the rolled-back event, then its alert, in one transaction.
        String betE = make(player, txId(), 100, stakes, expected);
        String winE = settle("win", betE, 5000, expected).creditId;
        assertTrue(CreditApplier.apply(winE));
        expected.add(CloudEventJson.stableId(EventTypes.CREDIT_APPLIED, winE));
        String makeF = txId();
        String betF = make(player, makeF, 5700, stakes, expected);
        String rollbackE = rollback(betE, winE, 200 - 5000, expected);
        expected.add(CloudEventJson.stableId(EventTypes.BET_ROLLED_BACK, rollbackE));
        expected.add(CloudEventJson.stableId(EventTypes.ALERT, rollbackE));

        // F discarded (its stake a pending credit, then applied), a status change, a withdrawal.
        call("bet/discard", Provider.discard(player, makeF)).then().statusCode(200);
        String discardF = operatorId("bet/discard", makeF);
        expected.add(CloudEventJson.stableId(EventTypes.BET_DISCARDED, discardF));
        assertTrue(CreditApplier.apply(discardF));
        expected.add(CloudEventJson.stableId(EventTypes.CREDIT_APPLIED, discardF));
        OperatorApiTest.operator().body("{\"status\":\"BLOCKED\"}").put("/operator/players/" + player + "/status").then().statusCode(200);
        expected.add(CloudEventJson.stableId(EventTypes.PLAYER_STATUS_CHANGED, player + "#1"));
        String withdrawalKey = "seq-wd-" + player;
        OperatorApiTest.withdraw(player, withdrawalKey, 100).then().statusCode(200);
        expected.add(CloudEventJson.stableId(EventTypes.WITHDRAWAL, withdrawalKey));
        assertEquals(800, OperatorApiTest.balance(player));
        assertEquals(0, Db.ledgerDiscrepancies());

        long n = Db.count("SELECT player_seq FROM wallet WHERE player_id = '" + player + "'");
        assertEquals(expected.size(), n, "wallet.player_seq counts the player's wallet.events records");
        Records records = read(player, n, 5);

        // 1..N, each value on exactly one event id, in decision order (rolled-back before its alert,
        // the batch's two credits consecutive), and the partition's order is the same.
        List<JsonNode> bySeq = new ArrayList<>(records.events.values());
        bySeq.sort(Comparator.comparingLong(e -> e.path("data").path("player_seq").asLong(-1)));
        assertEquals(LongStream.rangeClosed(1, n).boxed().toList(),
                bySeq.stream().map(e -> e.path("data").path("player_seq").asLong(-1)).toList(), "player_seq values");
        assertEquals(expected, bySeq.stream().map(e -> e.get("id").asText()).toList(), "decision order");
        List<Long> offsets = bySeq.stream().map(e -> records.offsets.get(e.get("id").asText())).toList();
        assertEquals(offsets.stream().sorted().toList(), offsets, "published in player_seq order");

        // Each command carries the player_seq of the decision event written with it.
        Map<String, JsonNode> decisionByTransaction = new HashMap<>();
        records.events.values().forEach(e -> {
            String type = e.get("type").asText();
            if (type.equals(EventTypes.BET_WON) || type.equals(EventTypes.BET_REFUNDED) || type.equals(EventTypes.BET_DISCARDED)) {
                decisionByTransaction.put(e.get("data").get("transaction_id").asText(), e);
            }
        });
        assertEquals(List.of(winA, refundC, winD, winE, discardF).stream().sorted().toList(),
                records.commands.values().stream().map(c -> c.get("data").get("credit_id").asText()).sorted().toList());
        for (JsonNode command : records.commands.values()) {
            JsonNode decision = decisionByTransaction.get(command.get("data").get("credit_id").asText());
            assertNotNull(decision, command.toString());
            assertTrue(command.get("data").get("player_seq").isIntegralNumber(), command.toString());
            assertEquals(decision.get("data").get("player_seq").asLong(), command.get("data").get("player_seq").asLong(), command.toString());
        }

        // Bet events carry the bet's stake; rolled-back names the reversed decision's time exactly.
        List<String> betTypes = List.of(EventTypes.BET_PLACED, EventTypes.BET_WON, EventTypes.BET_LOST, EventTypes.BET_REFUNDED,
                EventTypes.BET_ROLLED_BACK, EventTypes.BET_DISCARDED);
        int betEvents = 0;
        for (JsonNode e : bySeq) {
            if (betTypes.contains(e.get("type").asText())) {
                betEvents++;
                JsonNode data = e.get("data");
                assertTrue(data.path("stake").isIntegralNumber(), e.toString());
                assertEquals(stakes.get(data.get("bet_id").asText()), data.get("stake").asLong(), e.toString());
            }
        }
        assertEquals(6 + 5 + 2 + 1, betEvents, "placed x6, settlements x5, rolled-back x2, discarded x1");
        Map<String, JsonNode> byId = records.events;
        for (String[] pair : new String[][] { { rollbackD, winD }, { rollbackE, winE } }) {
            JsonNode rolledBack = byId.get(CloudEventJson.stableId(EventTypes.BET_ROLLED_BACK, pair[0])).get("data");
            JsonNode won = byId.get(CloudEventJson.stableId(EventTypes.BET_WON, pair[1])).get("data");
            assertEquals(pair[1], rolledBack.get("reversed_transaction_id").asText());
            assertEquals(won.get("occurred_at").asText(), rolledBack.get("reversed_occurred_at").asText(), rolledBack.toString());
        }
        JsonNode cancelled = byId.get(CloudEventJson.stableId(EventTypes.BET_ROLLED_BACK, rollbackD)).get("data");
        assertTrue(cancelled.get("credit_cancelled").asBoolean());
        assertFalse(cancelled.has("balance_after"), "no money moved");
        JsonNode alert = byId.get(CloudEventJson.stableId(EventTypes.ALERT, rollbackE)).get("data");
        assertEquals("negative_balance", alert.get("reason").asText());
        assertEquals(-4800, alert.get("balance_after").asLong());
    }

    /** A make of {@code stake}; records its stake and its placed event. Returns the bet id. */
    private static String make(String player, String tx, long stake, Map<String, Long> stakes, List<String> expected) {
        String betId = call("bet/make", Provider.make(player, tx, stake, "EUR")).then().statusCode(200)
                .extract().jsonPath().getString("id");
        stakes.put(betId, stake);
        expected.add(CloudEventJson.stableId(EventTypes.BET_PLACED, betId));
        return betId;
    }

    private record Settled(String creditId) {
    }

    /** A win, refund or lost on the bet; records its decision event. The answer's balance is the available one, this credit included. */
    private static Settled settle(String kind, String betId, long amount, List<String> expected) {
        String tx = txId();
        long before = Db.count("SELECT w.balance + w.pending FROM wallet w JOIN bet b ON b.wallet_id = w.id WHERE b.id = '" + betId + "'");
        call("bet/" + kind, Provider.settlement(kind, betId, tx, amount)).then().statusCode(200).body("balance", equalTo((int) (before + amount)));
        String id = operatorId("bet/" + kind, tx);
        String type = switch (kind) {
            case "win" -> EventTypes.BET_WON;
            case "refund" -> EventTypes.BET_REFUNDED;
            default -> EventTypes.BET_LOST;
        };
        expected.add(CloudEventJson.stableId(type, id));
        return new Settled(id);
    }

    /** Rolls back settlement {@code parentId} of the bet; the answer carries {@code balanceAfter}. Returns the rollback's id. */
    private static String rollback(String betId, String parentId, long balanceAfter, List<String> expected) {
        String tx = txId();
        call("bet/rollback", Provider.rollback(betId, tx, parentId)).then().statusCode(200).body("balance", equalTo((int) balanceAfter));
        return operatorId("bet/rollback", tx);
    }

    /** The player's records, deduplicated by event id, with each event's first offset. */
    private record Records(Map<String, JsonNode> events, Map<String, Long> offsets, Map<String, JsonNode> commands) {
    }

    /** Reads both topics from the start until the player's records are all there and the outbox holds none of them (bounded). */
    private static Records read(String player, long events, int commands) throws Exception {
        Records r = new Records(new LinkedHashMap<>(), new HashMap<>(), new LinkedHashMap<>());
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (KafkaConsumer<String, String> consumer = OutboxKafkaTest.consumer(List.of(Topics.WALLET_EVENTS, Topics.SETTLEMENT_COMMANDS))) {
            boolean complete = false;
            while (System.nanoTime() < deadline && !complete) {
                boolean drained = Db.count("SELECT count(*) FROM outbox WHERE msg_key = '" + player + "'") == 0;
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (!player.equals(record.key())) {
                        continue;
                    }
                    JsonNode event = CloudEventJson.mapper().readTree(record.value());
                    String id = event.get("id").asText();
                    if (record.topic().equals(Topics.WALLET_EVENTS)) {
                        assertEquals(player, event.get("subject").asText());
                        r.events.putIfAbsent(id, event);
                        r.offsets.putIfAbsent(id, record.offset());
                    } else {
                        r.commands.putIfAbsent(id, event);
                    }
                }
                complete = drained && r.events.size() >= events && r.commands.size() >= commands;
            }
        }
        assertEquals(events, r.events.size(), "the player's wallet.events records");
        assertEquals(commands, r.commands.size(), "the player's settlement.commands records");
        return r;
    }
}
