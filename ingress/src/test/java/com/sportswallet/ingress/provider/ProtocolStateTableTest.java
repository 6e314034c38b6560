package com.sportswallet.ingress.provider;

import static com.sportswallet.ingress.provider.Provider.call;
import static com.sportswallet.ingress.provider.Provider.operatorId;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Every row of PROTOCOL.md's state table and every error code, through real HTTP and PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class ProtocolStateTableTest {

    /** A player with {@code funds} in EUR. */
    static String player(long funds) {
        String player = OperatorApiTest.createPlayer("EUR");
        if (funds > 0) {
            OperatorApiTest.deposit(player, "fund-" + player, funds).then().statusCode(200);
        }
        return player;
    }

    static long balance(String player) {
        return OperatorApiTest.balance(player);
    }

    static void refused(Response r, int code) {
        r.then().statusCode(400).body("code", equalTo(code));
    }

    static String state(String betId) {
        return text("SELECT state FROM bet WHERE id = '" + betId + "'");
    }

    static String creditStatus(String creditId) {
        return text("SELECT status FROM credit WHERE id = '" + creditId + "'");
    }

    static String text(String sql) {
        try (var c = com.sportswallet.testkit.TestInfra.get().connect(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Places a bet and returns its operator id (bet_transaction_id for later calls). */
    static String make(String player, String tx, long stake) {
        return call("bet/make", Provider.make(player, tx, stake, "EUR")).then().statusCode(200).extract().jsonPath().getString("id");
    }

    @Test
    void pingAnswersGetAndPost() {
        io.restassured.RestAssured.get("/sportsbook/ping").then().statusCode(200).body("timestamp", org.hamcrest.Matchers.greaterThan(1_700_000_000));
        io.restassured.RestAssured.given().post("/sportsbook/ping").then().statusCode(200);
    }

    @Test
    void makeDebitsTheStakeAndAnswersTheMoneyBody() {
        String player = player(1000);
        String tx = txId();
        call("bet/make", Provider.make(player, tx, 300, "EUR")).then().statusCode(200)
                .body("id", equalTo(operatorId("bet/make", tx)))
                .body("ext_transaction_id", equalTo(tx))
                .body("parent_transaction_id", nullValue())
                .body("user_id", equalTo(player))
                .body("operation", equalTo("bet"))
                .body("amount", equalTo(300))
                .body("currency", equalTo("EUR"))
                .body("balance", equalTo(700));
        assertEquals(700, balance(player));
        assertEquals("OPEN", state(operatorId("bet/make", tx)));
        assertEquals(1, Db.count("SELECT count(*) FROM bet_selection WHERE bet_id = '" + operatorId("bet/make", tx) + "'"));
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void makeRefusalsWriteNothing() {
        String player = player(100);
        String before = Db.footprint();
        refused(call("bet/make", Provider.make("nobody-" + player, txId(), 10, "EUR")), 1006);
        refused(call("bet/make", Provider.make(player, txId(), 10, "USD")), 2002);
        refused(call("bet/make", Provider.make(player, txId(), 101, "EUR")), 2001);
        for (Object bad : new Object[] { 0, -1, 1_000_000_000_001L, 1.5, "10" }) {
            Map<String, Object> p = Provider.make(player, txId(), 10, "EUR");
            p.put("amount", bad);
            @SuppressWarnings("unchecked")
            Map<String, Object> tx = (Map<String, Object>) p.get("transaction");
            tx.put("amount", bad);
            refused(call("bet/make", p), 2004);
        }
        Map<String, Object> mismatch = Provider.make(player, txId(), 10, "EUR");
        mismatch.put("amount", 11);
        refused(call("bet/make", mismatch), 2004);
        Map<String, Object> currencyMismatch = Provider.make(player, txId(), 10, "EUR");
        @SuppressWarnings("unchecked")
        Map<String, Object> tx = (Map<String, Object>) currencyMismatch.get("transaction");
        tx.put("currency", "USD");
        refused(call("bet/make", currencyMismatch), 2004);
        assertEquals(before, Db.footprint());
        assertEquals(100, balance(player));

        OperatorApiTest.operator().body("{\"status\":\"BLOCKED\"}").put("/operator/players/" + player + "/status").then().statusCode(200);
        String blockedBefore = Db.footprint();
        refused(call("bet/make", Provider.make(player, txId(), 10, "EUR")), 1005);
        // PROTOCOL.md's precedence: 1005 before 2002 (and before 2001): the first failing check answers.
        refused(call("bet/make", Provider.make(player, txId(), 10, "USD")), 1005);
        refused(call("bet/make", Provider.make(player, txId(), 101, "EUR")), 1005);
        assertEquals(blockedBefore, Db.footprint());
    }

    @Test
    void aRefusedKeyMayBeTriedAgainAndSucceed() {
        String player = player(50);
        String tx = txId();
        refused(call("bet/make", Provider.make(player, tx, 80, "EUR")), 2001);
        OperatorApiTest.deposit(player, "topup-" + player, 50).then().statusCode(200);
        call("bet/make", Provider.make(player, tx, 80, "EUR")).then().statusCode(200).body("balance", equalTo(20));
    }

    @Test
    void duplicatesReplayTheFirstAnswerAndAnotherBodyIs2004() {
        String player = player(1000);
        String tx = txId();
        Map<String, Object> payload = Provider.make(player, tx, 100, "EUR");
        String first = call("bet/make", payload).then().statusCode(200).extract().asString();
        // A re-signed token (new jti, new iat) with the same payload is the same request.
        String again = call("bet/make", payload).then().statusCode(200).extract().asString();
        assertEquals(first, again);
        refused(call("bet/make", Provider.make(player, tx, 101, "EUR")), 2004);
        assertEquals(900, balance(player));

        String betId = operatorId("bet/make", tx);
        String winTx = txId();
        String win = call("bet/win", Provider.win(betId, winTx, 500, "EUR")).then().statusCode(200).extract().asString();
        assertEquals(win, call("bet/win", Provider.win(betId, winTx, 500, "EUR")).then().statusCode(200).extract().asString());
        assertEquals(1, Db.count("SELECT count(*) FROM credit WHERE bet_id = '" + betId + "'"));
    }

    @Test
    void winSettlesAnOpenBetWithAPendingCreditAndAnswersTheAvailableBalance() {
        String player = player(1000);
        String betId = make(player, txId(), 200);
        String winTx = txId();
        call("bet/win", Provider.win(betId, winTx, 700, "EUR")).then().statusCode(200)
                .body("id", equalTo(operatorId("bet/win", winTx)))
                .body("ext_transaction_id", equalTo(winTx))
                .body("parent_transaction_id", equalTo(betId))
                .body("operation", equalTo("win"))
                .body("amount", equalTo(700))
                .body("balance", equalTo(1500));
        assertEquals("WON", state(betId));
        assertEquals("PENDING", creditStatus(operatorId("bet/win", winTx)));
        assertEquals(1500, balance(player), "available: the pending win included");
        assertEquals(800, OperatorApiTest.settledBalance(player), "the win is applied by the worker, not here");
        assertEquals(1, CreditApplier.applyAllOf(betId));
        assertEquals(1500, balance(player));
        assertEquals(1500, OperatorApiTest.settledBalance(player));
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void cashoutLostAndRefundEachSettleAnOpenBet() {
        String player = player(1000);
        String cashed = make(player, txId(), 100);
        call("bet/win", Provider.cashout(cashed, txId(), 150, "EUR")).then().statusCode(200);
        assertEquals("CASHED_OUT", state(cashed));

        String lost = make(player, txId(), 100);
        call("bet/lost", Provider.lost(lost, txId(), "EUR")).then().statusCode(200).body("amount", equalTo(0)).body("operation", equalTo("lost"));
        assertEquals("LOST", state(lost));
        assertEquals(0, Db.count("SELECT count(*) FROM credit WHERE bet_id = '" + lost + "'"));
        Map<String, Object> lostWithMoney = Provider.lost(make(player, txId(), 10), txId(), "EUR");
        lostWithMoney.put("amount", 5);
        refused(call("bet/lost", lostWithMoney), 2004);

        String refunded = make(player, txId(), 100);
        refused(call("bet/refund", Provider.refund(refunded, txId(), 101)), 2004);
        call("bet/refund", Provider.refund(refunded, txId(), 100)).then().statusCode(200).body("amount", equalTo(100))
                .body("currency", equalTo("EUR"));
        assertEquals("REFUNDED", state(refunded));
    }

    @Test
    void aSecondSettlementWithoutARollbackIs2004AndUnknownBetsAre2003() {
        String player = player(1000);
        String betId = make(player, txId(), 100);
        call("bet/lost", Provider.lost(betId, txId(), "EUR")).then().statusCode(200);
        String before = Db.footprint();
        refused(call("bet/win", Provider.win(betId, txId(), 10, "EUR")), 2004);
        refused(call("bet/lost", Provider.lost(betId, txId(), "EUR")), 2004);
        refused(call("bet/refund", Provider.refund(betId, txId(), 10)), 2004);
        assertEquals(before, Db.footprint());

        String unknown = operatorId("bet/make", "never-made-" + txId());
        refused(call("bet/win", Provider.win(unknown, txId(), 10, "EUR")), 2003);
        refused(call("bet/lost", Provider.lost(unknown, txId(), "EUR")), 2003);
        refused(call("bet/refund", Provider.refund(unknown, txId(), 10)), 2003);
        refused(call("bet/rollback", Provider.rollback(unknown, txId(), "x")), 2003);
        refused(call("bet/commit", Provider.commit(unknown)), 2003);
        refused(call("bet/win", Provider.win(make(player, txId(), 10), txId(), 10, "USD")), 2002);
    }

    @Test
    void rollbackOfAPendingWinCancelsTheCreditAndReopensTheBet() {
        String player = player(1000);
        String betId = make(player, txId(), 100);
        String winTx = txId();
        call("bet/win", Provider.win(betId, winTx, 400, "EUR")).then().statusCode(200);
        String rbTx = txId();
        call("bet/rollback", Provider.rollback(betId, rbTx, operatorId("bet/win", winTx))).then().statusCode(200)
                .body("id", equalTo(operatorId("bet/rollback", rbTx)))
                .body("operation", equalTo("rollback"))
                .body("amount", equalTo(400))
                .body("balance", equalTo(900));
        assertEquals("OPEN", state(betId));
        assertEquals("CANCELLED", creditStatus(operatorId("bet/win", winTx)));
        assertEquals(0, CreditApplier.applyAllOf(betId), "a cancelled credit is never applied");
        assertEquals(900, balance(player));

        // Parent = latest settlement, already rolled back: success, unchanged.
        String again = txId();
        call("bet/rollback", Provider.rollback(betId, again, operatorId("bet/win", winTx))).then().statusCode(200).body("amount", equalTo(0));
        assertEquals("OPEN", state(betId));
        assertEquals(900, balance(player));
    }

    @Test
    void rollbackOfAnAppliedWinDebitsNowEvenBelowZeroWithAnAlert() throws Exception {
        String player = player(100);
        String betId = make(player, txId(), 100);
        String winTx = txId();
        call("bet/win", Provider.win(betId, winTx, 500, "EUR")).then().statusCode(200);
        CreditApplier.applyAllOf(betId);
        assertEquals(500, balance(player));
        OperatorApiTest.withdraw(player, "spend-" + player, 450).then().statusCode(200);
        String rbTx = txId();
        call("bet/rollback", Provider.rollback(betId, rbTx, operatorId("bet/win", winTx))).then().statusCode(200)
                .body("amount", equalTo(500)).body("balance", equalTo(-450));
        assertEquals(-450, balance(player));
        assertEquals("APPLIED", creditStatus(operatorId("bet/win", winTx)));
        assertEquals(1, Db.count("SELECT count(*) FROM ledger_entry WHERE idempotency_key = 'bet/rollback:" + rbTx + "' AND amount = -500"));
        String alertId = com.sportswallet.contracts.CloudEventJson.stableId("wallet.alert", operatorId("bet/rollback", rbTx));
        String rolledBackId = com.sportswallet.contracts.CloudEventJson.stableId("wallet.bet.rolled-back", operatorId("bet/rollback", rbTx));
        try (var consumer = com.sportswallet.ingress.OutboxKafkaTest.consumer()) {
            var events = com.sportswallet.ingress.OutboxKafkaTest.awaitEvents(consumer, java.util.Set.of(alertId, rolledBackId));
            var alert = com.sportswallet.contracts.CloudEventJson.mapper().readTree(events.get(alertId).value());
            assertEquals("wallet.alert", alert.get("type").asText());
            assertEquals(-450, alert.get("data").get("balance_after").asLong());
            assertEquals("negative_balance", alert.get("data").get("reason").asText());
            var rolledBack = com.sportswallet.contracts.CloudEventJson.mapper().readTree(events.get(rolledBackId).value()).get("data");
            assertEquals(-500, rolledBack.get("amount").asLong());
            assertEquals("win", rolledBack.get("reversed_operation").asText());
            assertEquals(-450, rolledBack.get("balance_after").asLong());
        }
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void rollbackOfAnUnknownParentTombstonesIt() {
        String player = player(1000);
        String betId = make(player, txId(), 100);
        String futureWinTx = txId();
        String futureWinId = operatorId("bet/win", futureWinTx);
        call("bet/rollback", Provider.rollback(betId, txId(), futureWinId)).then().statusCode(200).body("amount", equalTo(0))
                .body("balance", equalTo(900));
        assertEquals("OPEN", state(betId));
        refused(call("bet/win", Provider.win(betId, futureWinTx, 300, "EUR")), 2004);
        assertEquals("OPEN", state(betId));
        call("bet/win", Provider.win(betId, txId(), 300, "EUR")).then().statusCode(200);
    }

    @Test
    void rollbackOfAnOlderSettlementChangesNothing() {
        String player = player(1000);
        String betId = make(player, txId(), 100);
        String firstWin = txId();
        call("bet/win", Provider.win(betId, firstWin, 300, "EUR")).then().statusCode(200);
        call("bet/rollback", Provider.rollback(betId, txId(), operatorId("bet/win", firstWin))).then().statusCode(200);
        call("bet/lost", Provider.lost(betId, txId(), "EUR")).then().statusCode(200);
        call("bet/rollback", Provider.rollback(betId, txId(), operatorId("bet/win", firstWin))).then().statusCode(200).body("amount", equalTo(0));
        assertEquals("LOST", state(betId));
    }

    @Test
    void discardOfAnOpenBetReturnsTheStakeOnce() {
        String player = player(1000);
        String tx = txId();
        String betId = make(player, tx, 250);
        call("bet/discard", Provider.discard(player, tx)).then().statusCode(200).body(equalTo("{\"balance\":1000}"));
        assertEquals("DISCARDED", state(betId));
        assertEquals(750, OperatorApiTest.settledBalance(player), "the stake comes back through the worker");
        assertEquals("PENDING", creditStatus(operatorId("bet/discard", tx)));
        assertEquals(1, CreditApplier.applyAllOf(betId));
        assertEquals(1000, balance(player));
        // Already discarded: answered with the balance, changed nothing, and not stored.
        call("bet/discard", Provider.discard(player, tx)).then().statusCode(200).body(equalTo("{\"balance\":1000}"));
        assertEquals(0, Db.count("SELECT count(*) FROM idempotency_record WHERE endpoint = 'bet/discard' AND key = '" + tx
                + "' AND response_status IS NULL"));
        assertEquals(0, CreditApplier.applyAllOf(betId));
        refused(call("bet/win", Provider.win(betId, txId(), 10, "EUR")), 2004);
        refused(call("bet/lost", Provider.lost(betId, txId(), "EUR")), 2004);
        refused(call("bet/refund", Provider.refund(betId, txId(), 10)), 2004);
    }

    @Test
    void discardOfAnUnknownMakeTombstonesItAndTheLateMakeIs2004() {
        String player = player(1000);
        String tx = txId();
        String outboxBefore = Db.count("SELECT last_value FROM outbox_id_seq") + "";
        call("bet/discard", Provider.discard(player, tx)).then().statusCode(200).body(equalTo("{}"));
        assertEquals(outboxBefore, Db.count("SELECT last_value FROM outbox_id_seq") + "", "no event: no player is known");
        refused(call("bet/make", Provider.make(player, tx, 100, "EUR")), 2004);
        assertEquals(1000, balance(player));
    }

    @Test
    void discardOfASettledBetChangesNothingAndAnotherPlayersDiscardIs2004() {
        String player = player(1000);
        String tx = txId();
        String betId = make(player, tx, 100);
        refused(call("bet/discard", Provider.discard("someone-else", tx)), 2004);
        call("bet/lost", Provider.lost(betId, txId(), "EUR")).then().statusCode(200);
        call("bet/discard", Provider.discard(player, tx)).then().statusCode(200);
        assertEquals("LOST", state(betId));
        assertEquals(0, Db.count("SELECT count(*) FROM credit WHERE bet_id = '" + betId + "'"));
    }

    @Test
    void discardAfterARolledBackSettlementReturnsTheStake() {
        String player = player(1000);
        String tx = txId();
        String betId = make(player, tx, 100);
        String winTx = txId();
        call("bet/win", Provider.win(betId, winTx, 300, "EUR")).then().statusCode(200);
        call("bet/rollback", Provider.rollback(betId, txId(), operatorId("bet/win", winTx))).then().statusCode(200);
        call("bet/discard", Provider.discard(player, tx)).then().statusCode(200);
        CreditApplier.applyAllOf(betId);
        assertEquals(1000, balance(player));
    }

    @Test
    void commitAndSettlementAreRecordedAndNeverRefusedForReuse() {
        String player = player(1000);
        String betId = make(player, txId(), 100);
        call("bet/commit", Provider.commit(betId)).then().statusCode(200).body(equalTo("{}"));
        call("bet/commit", Provider.commit(betId)).then().statusCode(200);
        assertEquals("t", text("SELECT confirmed FROM bet WHERE id = '" + betId + "'"));
        call("bet/settlement", Provider.settlementStatus(betId, "won")).then().statusCode(200).body(equalTo("{}"));
        call("bet/settlement", Provider.settlementStatus(betId, "half-lost")).then().statusCode(200);
        assertEquals("half-lost", text("SELECT provider_status FROM bet WHERE id = '" + betId + "'"));
        assertEquals("OPEN", state(betId));
        refused(call("bet/settlement", Provider.settlementStatus(betId, "maybe")), 2004);
        call("bet/lost", Provider.lost(betId, txId(), "EUR")).then().statusCode(200);
        call("bet/commit", Provider.commit(betId)).then().statusCode(200);
        assertEquals(900, balance(player));
    }

    @Test
    void balanceAnswersTheCommittedBalance() {
        String player = player(1234);
        call("balance", Provider.balance(player)).then().statusCode(200).body("player_id", equalTo(player))
                .body("currency", equalTo("EUR")).body("balance", equalTo(1234));
        refused(call("balance", Provider.balance("nobody-" + player)), 1006);
        Map<String, Object> usd = Provider.balance(player);
        usd.put("currency", "USD");
        refused(call("balance", usd), 2002);
    }

    @Test
    void creditsApplyToBlockedPlayers() {
        String player = player(1000);
        String tx = txId();
        String betId = make(player, tx, 100);
        OperatorApiTest.operator().body("{\"status\":\"BLOCKED\"}").put("/operator/players/" + player + "/status").then().statusCode(200);
        call("bet/win", Provider.win(betId, txId(), 300, "EUR")).then().statusCode(200);
        CreditApplier.applyAllOf(betId);
        assertEquals(1200, balance(player));
    }

    /**
     * PROTOCOL.md's chain: make, win, rollback, win, rollback, refund, rollback, lost, rollback,
     * refund, with the exact balance after each step once the credits are applied; run twice:
     * rollbacks arriving after their credit was applied, and before.
     */
    @Test
    void theRollbackChainLeavesTheExactBalanceAtEveryStep() {
        for (boolean applyBeforeRollback : new boolean[] { true, false }) {
            String player = player(1000);
            String betId = make(player, txId(), 100);
            long expected = 900;
            assertEquals(expected, balance(player));

            String[] settlements = { "win:500", "win:250", "refund:100", "lost:0" };
            for (String s : settlements) {
                String kind = s.split(":")[0];
                long amount = Long.parseLong(s.split(":")[1]);
                String tx = txId();
                call("bet/" + kind, Provider.settlement(kind, betId, tx, amount)).then().statusCode(200);
                if (applyBeforeRollback) {
                    CreditApplier.applyAllOf(betId);
                    assertEquals(expected + amount, balance(player), "after " + kind);
                }
                call("bet/rollback", Provider.rollback(betId, txId(), operatorId("bet/" + kind, tx))).then().statusCode(200);
                CreditApplier.applyAllOf(betId);
                assertEquals(expected, balance(player), "after the rollback of " + kind);
            }
            call("bet/refund", Provider.refund(betId, txId(), 100)).then().statusCode(200);
            CreditApplier.applyAllOf(betId);
            assertEquals(1000, balance(player));
            assertEquals("REFUNDED", state(betId));
        }
        assertEquals(0, Db.ledgerDiscrepancies());
    }
}
