package com.sportswallet.ingress.provider;

import static com.sportswallet.ingress.provider.Provider.call;
import static com.sportswallet.ingress.provider.Provider.operatorId;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The rollback of a credit already applied, under both ROLLBACK_SHORTFALL policies (issue 11):
 * the wallet's pending credits pay first, then the settled balance; only a remaining shortfall
 * meets the policy. {@code negative}: below zero, alerted. {@code absorb}: the wallet stops at zero
 * and the house's write-off account takes the rest (three ledger entries; {@link RollbackShortfallAbsorbTest}).
 * This class runs the default, {@code negative}.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class RollbackShortfallTest {

    /** A player who bet 100 of a 100 deposit and won 300 on it; the win is PENDING. */
    record Won(String player, String betId, String winId) {
    }

    static Won wonPending() {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "sf-" + player, 100).then().statusCode(200);
        String betId = call("bet/make", Provider.make(player, txId(), 100, "EUR")).then().statusCode(200).extract().jsonPath().getString("id");
        String winTx = txId();
        call("bet/win", Provider.win(betId, winTx, 300, "EUR")).then().statusCode(200);
        return new Won(player, betId, operatorId("bet/win", winTx));
    }

    static Response rollback(Won w) {
        Response r = call("bet/rollback", Provider.rollback(w.betId, txId(), w.winId));
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals(300, r.jsonPath().getLong("amount"), "the answer's amount is the full reversal");
        return r;
    }

    static long ledgerCount(String player, String operation) {
        return Db.count("SELECT count(*) FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE w.player_id = '" + player
                + "' AND l.operation = '" + operation + "'");
    }

    static long writeOffBalance() {
        return Db.count("SELECT coalesce(sum(balance), 0) FROM wallet WHERE kind = 'WRITE_OFF' AND currency = 'EUR'");
    }

    /** A make spends the pending win (the slow path applies it), then the win is rolled back. */
    static Won wonThenSpent() {
        Won w = wonPending();
        call("bet/make", Provider.make(w.player, txId(), 250, "EUR")).then().statusCode(200);
        assertEquals("APPLIED", ProviderConcurrencyTest.text("SELECT status FROM credit WHERE id = ?", w.winId));
        assertEquals(50, OperatorApiTest.settledBalance(w.player));
        return w;
    }

    /**
     * The win is applied; other credits of the wallet are pending when the rollback comes: they are
     * applied first and cover the reversal, so nothing goes below zero or to the write-off.
     */
    static void otherPendingCreditsPayFirst() {
        Won w = wonPending();
        assertTrue(CreditApplier.apply(w.winId));
        String second = call("bet/make", Provider.make(w.player, txId(), 200, "EUR")).then().statusCode(200).extract().jsonPath().getString("id");
        call("bet/win", Provider.win(second, txId(), 400, "EUR")).then().statusCode(200); // pending
        assertEquals(100, OperatorApiTest.settledBalance(w.player));
        long writeOffBefore = writeOffBalance();
        Response r = rollback(w);
        assertEquals(200, r.jsonPath().getLong("balance"), "100 + 400 applied - 300");
        assertEquals(200, OperatorApiTest.settledBalance(w.player));
        assertEquals(0, Db.count("SELECT count(*) FROM credit WHERE wallet_id = (SELECT id FROM wallet WHERE player_id = '" + w.player
                + "') AND status = 'PENDING'"), "the rollback applied the pending win");
        assertEquals(0, ledgerCount(w.player, "rollback-absorbed"));
        assertEquals(writeOffBefore, writeOffBalance(), "nothing written off that the player still has");
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void theRollbackOfASpentPendingWinGoesBelowZero() {
        Won w = wonThenSpent();
        long writeOffBefore = writeOffBalance();
        Response r = rollback(w);
        assertEquals(-250, r.jsonPath().getLong("balance"));
        assertEquals(-250, OperatorApiTest.settledBalance(w.player));
        assertEquals(1, ledgerCount(w.player, "rollback"));
        assertEquals(0, ledgerCount(w.player, "rollback-absorbed"));
        assertEquals(writeOffBefore, writeOffBalance());
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void otherPendingCreditsOfTheWalletPayFirst() {
        otherPendingCreditsPayFirst();
    }
}
