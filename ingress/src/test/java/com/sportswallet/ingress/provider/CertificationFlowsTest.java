package com.sportswallet.ingress.provider;

import static com.sportswallet.ingress.provider.Provider.call;
import static com.sportswallet.ingress.provider.Provider.operatorId;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.Topics;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.OutboxKafkaTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * The flows a provider's certification suite replays, reading the {@code balance} of EVERY answer
 * at once (PROTOCOL.md: always the available balance, settled + pending, the callback's own effect
 * included). Each flow runs with the settlement-worker stopped (credits stay pending) and running
 * (credits land in between): the answers are the same, because available does not depend on when
 * the worker applies a credit.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class CertificationFlowsTest {

    /** One player's flow: sends callbacks and checks each answer's balance. */
    static final class Flow {
        final String player = OperatorApiTest.createPlayer("EUR");
        String betId;
        String makeTx;
        String lastTx;
        String lastEndpoint;

        Flow(long deposit) {
            if (deposit > 0) {
                OperatorApiTest.deposit(player, "cert-" + player, deposit).then().statusCode(200);
            }
        }

        Response send(String endpoint, Map<String, Object> payload, long expectedBalance) {
            Response r = call(endpoint, payload);
            assertEquals(200, r.statusCode(), () -> endpoint + ": " + r.asString());
            assertEquals(expectedBalance, r.jsonPath().getLong("balance"), () -> endpoint + " answered " + r.asString());
            return r;
        }

        void make(long stake, long expected) {
            makeTx = txId();
            betId = send("bet/make", Provider.make(player, makeTx, stake, "EUR"), expected).jsonPath().getString("id");
        }

        void settle(String kind, long amount, long expected) {
            lastTx = txId();
            lastEndpoint = "bet/" + kind;
            Map<String, Object> p = switch (kind) {
                case "win" -> Provider.win(betId, lastTx, amount, "EUR");
                case "lost" -> Provider.lost(betId, lastTx, "EUR");
                case "refund" -> Provider.refund(betId, lastTx, amount);
                default -> throw new IllegalArgumentException(kind);
            };
            send(lastEndpoint, p, expected);
        }

        void rollback(long expected) {
            send("bet/rollback", Provider.rollback(betId, txId(), operatorId(lastEndpoint, lastTx)), expected);
        }

        void balanceCallback(long expected) {
            Response r = call("balance", Provider.balance(player));
            assertEquals(200, r.statusCode(), r.asString());
            assertEquals(expected, r.jsonPath().getLong("balance"), r.asString());
        }

        JsonPath wallet() {
            return OperatorApiTest.operator().get("/operator/players/" + player + "/wallet").then().statusCode(200).extract().jsonPath();
        }
    }

    /** The certification chain of issue 11: make → win → rollback → win → rollback → refund → rollback → lost → rollback → refund. */
    private static Flow rollbackChain() {
        Flow f = new Flow(1000);
        f.make(125, 875);
        f.settle("win", 375, 1250);
        f.rollback(875);
        f.settle("win", 500, 1375);
        f.rollback(875);
        f.settle("refund", 125, 1000);
        f.rollback(875);
        f.settle("lost", 0, 875);
        f.rollback(875);
        f.settle("refund", 125, 1000);
        f.balanceCallback(1000);
        return f;
    }

    @Test
    void theRollbackChainAnswersTheAvailableBalanceAtEveryStepWithTheWorkerStopped() {
        Flow f = rollbackChain();
        JsonPath wallet = f.wallet();
        assertEquals(1000, wallet.getLong("balance"));
        assertEquals(875, wallet.getLong("settled_balance"), "the final refund is still pending");
        assertEquals(125, wallet.getLong("pending_credits"));
        assertEquals(1, wallet.getLong("pending_credits_count"));
        assertEquals(0, Db.ledgerDiscrepancies());
        // Each stored answer keeps the player_seq of its decision: ordered by it, they replay the chain.
        assertEquals("875,1250,875,1375,875,1000,875,875,875,1000", ProviderConcurrencyTest.text(
                "SELECT string_agg(response_body::jsonb ->> 'balance', ',' ORDER BY player_seq) FROM idempotency_record"
                        + " WHERE response_body::jsonb ->> 'user_id' = ? AND player_seq IS NOT NULL", f.player));
        assertEquals(11, Db.count("SELECT max(player_seq) FROM idempotency_record WHERE response_body::jsonb ->> 'user_id' = '" + f.player + "'"),
                "the deposit took 1; then one event per callback");
    }

    @Test
    void theRollbackChainAnswersTheSameWithTheWorkerRunning() throws Exception {
        try (SettlementEndToEndTest.Worker worker = new SettlementEndToEndTest.Worker()) {
            Flow f = rollbackChain();
            SettlementEndToEndTest.awaitNoPending(f.betId);
            JsonPath wallet = f.wallet();
            assertEquals(1000, wallet.getLong("balance"));
            assertEquals(1000, wallet.getLong("settled_balance"));
            assertEquals(0, wallet.getLong("pending_credits"));
            assertEquals(0, wallet.getLong("pending_credits_count"));
        }
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    /** Kin of the chain: a cashout, a discard, two bets, and the discard's {"balance"} answer. */
    @ParameterizedTest(name = "worker running: {0}")
    @ValueSource(booleans = { false, true })
    void cashoutDiscardAndTwoBetsAnswerTheAvailableBalance(boolean workerRunning) throws Exception {
        try (SettlementEndToEndTest.Worker worker = workerRunning ? new SettlementEndToEndTest.Worker() : null) {
            Flow f = new Flow(1000);
            f.make(200, 800);
            String cashoutTx = txId();
            f.send("bet/win", Provider.cashout(f.betId, cashoutTx, 150, "EUR"), 950);
            f.make(300, 650);
            Response discarded = call("bet/discard", Provider.discard(f.player, f.makeTx));
            assertEquals(200, discarded.statusCode(), discarded.asString());
            assertEquals(950, discarded.jsonPath().getLong("balance"), discarded.asString());
            f.balanceCallback(950);
            assertEquals(950, OperatorApiTest.balance(f.player));
        }
    }

    /**
     * The worker is stopped: a player bets a win the worker has not applied. The make applies the
     * pending win itself (the same flip, ledger entry and credit.applied event the worker would
     * write, before the bet's own event), then debits; when the worker comes back it finds the
     * credit APPLIED and every credit lands once.
     */
    @Test
    void aMakeSpendsAPendingWinAndTheWorkerLaterAppliesNothingTwice() throws Exception {
        Flow f = new Flow(100);
        f.make(100, 0);
        String firstBet = f.betId;
        f.settle("win", 300, 300);
        String winId = operatorId(f.lastEndpoint, f.lastTx);
        f.make(250, 50);
        assertEquals("APPLIED", ProviderConcurrencyTest.text("SELECT status FROM credit WHERE id = ?", winId));
        JsonPath wallet = f.wallet();
        assertEquals(50, wallet.getLong("balance"));
        assertEquals(50, wallet.getLong("settled_balance"));
        assertEquals(0, wallet.getLong("pending_credits"));
        // The credit's event comes right before the make's, in the player's order, from the same transaction.
        String appliedId = CloudEventJson.stableId(EventTypes.CREDIT_APPLIED, winId);
        String placedId = CloudEventJson.stableId(EventTypes.BET_PLACED, Provider.operatorId("bet/make", f.makeTx));
        Map<String, JsonNode> events = eventsOf(f.player, List.of(appliedId, placedId));
        assertEquals(events.get(appliedId).get("data").get("player_seq").asLong() + 1, events.get(placedId).get("data").get("player_seq").asLong(),
                events::toString);
        assertEquals(50, events.get(placedId).get("data").get("available_after").asLong());
        assertEquals(0, Db.count("SELECT count(*) FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE w.player_id = '"
                + f.player + "' AND l.balance_after < 0"), "a make never leaves a negative settled balance");

        // A make the available balance does not cover is refused, and writes nothing.
        Response refused = call("bet/make", Provider.make(f.player, txId(), 51, "EUR"));
        assertEquals(400, refused.statusCode(), refused.asString());
        assertEquals(2001, refused.jsonPath().getInt("code"));

        // The worker returns; the win's command precedes the refund's on the player's partition, so once
        // the refund has landed the worker has seen the win's command too, and skipped it.
        try (SettlementEndToEndTest.Worker worker = new SettlementEndToEndTest.Worker()) {
            f.settle("refund", 100, 150);
            SettlementEndToEndTest.awaitNoPending(f.betId);
            SettlementEndToEndTest.awaitNoPending(firstBet);
        }
        assertEquals(1, Db.count("SELECT count(*) FROM ledger_entry WHERE idempotency_key = 'credit:" + winId + "'"), "the win landed once");
        assertEquals(150, f.wallet().getLong("settled_balance"));
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void aWithdrawalSpendsPendingMoneyAndNeverMoreThanAvailable() {
        Flow f = new Flow(100);
        f.make(100, 0);
        f.settle("win", 300, 300);
        OperatorApiTest.withdraw(f.player, "w-" + f.player + "-1", 301).then().statusCode(422);
        Response ok = OperatorApiTest.withdraw(f.player, "w-" + f.player + "-2", 200);
        assertEquals(200, ok.statusCode(), ok.asString());
        assertEquals(100, ok.jsonPath().getLong("balance"));
        assertEquals(100, ok.jsonPath().getLong("settled_balance"));
        JsonPath wallet = f.wallet();
        assertEquals(100, wallet.getLong("balance"));
        assertEquals(0, wallet.getLong("pending_credits"));
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    /** The player's wallet.events records with these ids, read from the topic (bounded wait). */
    private static Map<String, JsonNode> eventsOf(String player, List<String> ids) throws Exception {
        Map<String, JsonNode> found = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (KafkaConsumer<String, String> consumer = OutboxKafkaTest.consumer(List.of(Topics.WALLET_EVENTS))) {
            while (System.nanoTime() < deadline && !found.keySet().containsAll(ids)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (player.equals(record.key())) {
                        JsonNode event = CloudEventJson.mapper().readTree(record.value());
                        if (ids.contains(event.get("id").asText())) {
                            found.putIfAbsent(event.get("id").asText(), event);
                        }
                    }
                }
            }
        }
        assertEquals(Set.copyOf(ids), found.keySet(), "the player's events on wallet.events");
        return found;
    }
}
