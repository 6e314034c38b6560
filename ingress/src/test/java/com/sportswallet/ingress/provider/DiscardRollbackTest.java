package com.sportswallet.ingress.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Issue 12, finding 7. A discard that changes nothing (its bet is settled) is answered but not
 * stored, so the provider's discard of the same bet after a rollback reopened it returns the
 * stake. A rollback racing a discard ends in one of the two serial orders: rollback first, the bet
 * ends DISCARDED with its stake credited; discard first, it changes nothing, the bet ends OPEN and
 * the re-sent discard discards it. Money exact in every round.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class DiscardRollbackTest {
    private static final int ROUNDS = 30;
    private static final long FUNDS = 1_000;
    private static final long STAKE = 100;
    private static final long WIN = 250;

    /** A funded player with a bet of STAKE settled as a win of WIN (available FUNDS - STAKE + WIN). */
    private record WonBet(String player, String makeTx, String betId, String winTx) {
        Map<String, Object> discard() {
            return Provider.discard(player, makeTx);
        }

        Map<String, Object> rollback() {
            return Provider.rollback(betId, Provider.txId(), Provider.operatorId("bet/win", winTx));
        }
    }

    private static WonBet wonBet() {
        String player = OperatorApiTest.createPlayer("EUR");
        ProviderConcurrencyTest.deposit(player, FUNDS);
        String makeTx = Provider.txId();
        Response made = ok("bet/make", Provider.make(player, makeTx, STAKE, "EUR"));
        String winTx = Provider.txId();
        ok("bet/win", Provider.win(made.jsonPath().getString("id"), winTx, WIN, "EUR"));
        return new WonBet(player, makeTx, made.jsonPath().getString("id"), winTx);
    }

    private static Response ok(String endpoint, Map<String, Object> payload) {
        Response r = ProviderConcurrencyTest.callAsProvider(endpoint, payload);
        assertEquals(200, r.statusCode(), () -> endpoint + ": " + r.asString());
        return r;
    }

    private static String state(String betId) {
        return ProviderConcurrencyTest.text("SELECT state FROM bet WHERE id = ?", betId);
    }

    /** The end of every round: the bet discarded, its stake back, the win taken back. */
    private static void assertDiscardedAndExact(WonBet b, String where) {
        assertEquals("DISCARDED", state(b.betId()), where);
        assertEquals(FUNDS, OperatorApiTest.balance(b.player()), where + ": available = funds (stake returned, win rolled back)");
        assertEquals(1, Long.parseLong(ProviderConcurrencyTest.text("SELECT count(*) FROM credit WHERE bet_id = ? AND kind = 'DISCARD'",
                b.betId())), where + ": one stake credit");
    }

    @Test
    void aDiscardOfASettledBetIsNotStoredSoTheSameDiscardAfterARollbackReturnsTheStake() {
        for (int round = 0; round < ROUNDS; round++) {
            String where = "discard first, round " + round;
            WonBet b = wonBet();
            Response unchanged = ok("bet/discard", b.discard());
            assertEquals(FUNDS - STAKE + WIN, unchanged.jsonPath().getLong("balance"), where + ": changed nothing");
            assertEquals("WON", state(b.betId()), where);
            ok("bet/rollback", b.rollback());
            assertEquals("OPEN", state(b.betId()), where);
            Response discarded = ok("bet/discard", b.discard());
            assertEquals(FUNDS, discarded.jsonPath().getLong("balance"), where + ": the same discard now returns the stake");
            assertDiscardedAndExact(b, where);
            // From now on it is stored: a re-send replays it.
            assertEquals(discarded.asString(), ok("bet/discard", b.discard()).asString(), where);
        }
    }

    @Test
    void aRollbackThenADiscardDiscardsTheReopenedBet() {
        for (int round = 0; round < ROUNDS; round++) {
            String where = "rollback first, round " + round;
            WonBet b = wonBet();
            assertEquals(FUNDS - STAKE, ok("bet/rollback", b.rollback()).jsonPath().getLong("balance"), where);
            assertEquals(FUNDS, ok("bet/discard", b.discard()).jsonPath().getLong("balance"), where);
            assertDiscardedAndExact(b, where);
        }
    }

    @Test
    void aRollbackRacingADiscardEndsInOneOfTheTwoSerialOrders() throws Exception {
        int discardFirst = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String where = "race, round " + round;
            WonBet b = wonBet();
            List<Callable<Response>> calls = List.of(() -> ok("bet/rollback", b.rollback()), () -> ok("bet/discard", b.discard()));
            List<Response> answers = OperatorApiTest.concurrently(calls);
            long discardBalance = answers.get(1).jsonPath().getLong("balance");
            if ("OPEN".equals(state(b.betId()))) {
                // The discard committed first: it changed nothing and was not stored; the re-send discards.
                discardFirst++;
                assertEquals(FUNDS - STAKE + WIN, discardBalance, where);
                assertEquals(FUNDS - STAKE, answers.get(0).jsonPath().getLong("balance"), where);
                assertEquals(FUNDS, ok("bet/discard", b.discard()).jsonPath().getLong("balance"), where);
            } else {
                // The rollback committed first: the discard found the bet OPEN and returned its stake.
                assertEquals(FUNDS - STAKE, answers.get(0).jsonPath().getLong("balance"), where);
                assertEquals(FUNDS, discardBalance, where);
            }
            assertDiscardedAndExact(b, where);
        }
        System.out.printf("[discard-rollback race] %d of %d rounds the discard committed first%n", discardFirst, ROUNDS);
    }
}
