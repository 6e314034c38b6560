package com.sportswallet.ingress.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Requests that spend pending money (issue 11) racing the worker and each other, 50 rounds each,
 * over real HTTP against the real database, with the worker's own batch code. Every race must end
 * with every request answered (a 503 is retried as a provider would; a deadlock fails the worker's
 * batch here and grows pg_stat_database.deadlocks, checked at the end), each credit applied at most
 * once, no negative settled balance, and the books (balance = ledger, pending = PENDING credits) exact.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class SpendPendingRacesTest {
    private static final int ROUNDS = 50;
    private static long deadlocksBefore;

    @BeforeAll
    static void countDeadlocks() {
        deadlocksBefore = Db.deadlocks();
    }

    /**
     * A backend flushes its statistics at most once a second while busy and within 10 s of going
     * idle (PostgreSQL 15), so the counter is watched a little longer than that.
     */
    private static final long DEADLOCK_COUNTER_WAIT_MS = 11_000;

    @AfterAll
    static void noDeadlock() throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLOCK_COUNTER_WAIT_MS;
        while (System.currentTimeMillis() < deadline && Db.deadlocks() == deadlocksBefore) {
            Thread.sleep(500);
        }
        assertEquals(deadlocksBefore, Db.deadlocks(), "pg_stat_database.deadlocks grew");
        System.out.printf("[races] provider retries of a 503 (lock or statement timeout on a loaded machine): %d%n",
                ProviderConcurrencyTest.RETRIED_503.get());
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    /** A player with a settled balance of {@code settled} and one OPEN bet per pending win (each win pending). */
    private record Setup(String player, List<String> winIds) {
    }

    private static Setup setup(long settled, long... pendingWins) {
        String player = OperatorApiTest.createPlayer("EUR");
        long deposit = settled + 10L * pendingWins.length;
        OperatorApiTest.deposit(player, "race-" + player, deposit).then().statusCode(200);
        List<String> wins = new java.util.ArrayList<>();
        for (long win : pendingWins) {
            String betId = call("bet/make", Provider.make(player, Provider.txId(), 10, "EUR")).jsonPath().getString("id");
            String winTx = Provider.txId();
            call("bet/win", Provider.win(betId, winTx, win, "EUR"));
            wins.add(Provider.operatorId("bet/win", winTx));
        }
        return new Setup(player, wins);
    }

    private static Response call(String endpoint, Map<String, Object> payload) {
        Response r = Provider.call(endpoint, payload);
        assertEquals(200, r.statusCode(), () -> endpoint + ": " + r.asString());
        return r;
    }

    /** A make as a provider sends it: a 503 is retried with the same body (bounded); a deadlock would still show in pg_stat_database. */
    private static Callable<Object> make(String player, long stake) {
        Map<String, Object> p = Provider.make(player, Provider.txId(), stake, "EUR");
        return () -> ProviderConcurrencyTest.callAsProvider("bet/make", p);
    }

    private static Callable<Object> workerBatch(String... creditIds) {
        return () -> CreditApplier.applyBatch(creditIds);
    }

    /**
     * The player's wallet, in one read: "available settled pending / entries below zero / credits
     * applied without exactly one ledger entry / PENDING credits not counted in pending".
     */
    private static void assertBooks(String player, long available, long settled, String where) {
        String books = ProviderConcurrencyTest.text("SELECT (w.balance + w.pending) || ' ' || w.balance || ' ' || w.pending"
                + " || ' / ' || (SELECT count(*) FROM ledger_entry l WHERE l.wallet_id = w.id AND l.balance_after < 0)"
                + " || ' / ' || (SELECT count(*) FROM credit c WHERE c.wallet_id = w.id AND c.status = 'APPLIED'"
                + "   AND (SELECT count(*) FROM ledger_entry l WHERE l.idempotency_key = 'credit:' || c.id) <> 1)"
                + " || ' / ' || (w.pending - (SELECT coalesce(sum(amount), 0) FROM credit c WHERE c.wallet_id = w.id AND c.status = 'PENDING'))"
                + " FROM wallet w WHERE w.player_id = ?", player);
        assertEquals(available + " " + settled + " " + (available - settled) + " / 0 / 0 / 0", books, where);
    }

    private static String statuses(List<Object> results) {
        Map<String, Long> counts = new TreeMap<>();
        for (Object o : results) {
            String key = o instanceof Response r ? r.statusCode() + (r.statusCode() == 200 ? "" : " " + r.asString()) : "batch";
            counts.merge(key, 1L, Long::sum);
        }
        return counts.toString();
    }

    @Test
    void aSlowPathMakeAgainstAWorkerBatchSpanningSeveralWallets() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Setup a = setup(0, 300);
            Setup b = setup(0, 200);
            Setup c = setup(0, 100);
            // Ids in every order: the batch's commands in one order, its locks in credit-id order.
            List<Object> results = OperatorApiTest.concurrently(List.of(make(a.player, 250),
                    workerBatch(c.winIds.get(0), a.winIds.get(0), b.winIds.get(0))));
            String where = "round " + round + " " + statuses(results);
            assertEquals(200, ((Response) results.get(0)).statusCode(), where);
            assertEquals(50, ((Response) results.get(0)).jsonPath().getLong("balance"), where);
            assertBooks(a.player, 50, 50, where);
            assertBooks(b.player, 200, 200, where);
            assertBooks(c.player, 100, 100, where);
        }
    }

    @Test
    void twoSlowPathMakesOnOneWallet() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Setup s = setup(0, 300, 300);
            // Both fit (250 + 250 <= 600): both are accepted, whichever applies the credits.
            List<Object> both = OperatorApiTest.concurrently(List.of(make(s.player, 250), make(s.player, 250)));
            String where = "round " + round + " " + statuses(both);
            both.forEach(r -> assertEquals(200, ((Response) r).statusCode(), where));
            assertBooks(s.player, 100, 100, where);
            // Then two that do not both fit (2 x 400 > 100 + 600 pending): exactly one is accepted.
            Setup t = setup(100, 300, 300);
            List<Object> one = OperatorApiTest.concurrently(List.of(make(t.player, 400), make(t.player, 400)));
            String where2 = "round " + round + " " + statuses(one);
            assertEquals(1, one.stream().filter(r -> ((Response) r).statusCode() == 200).count(), where2);
            Response refused = (Response) one.stream().filter(r -> ((Response) r).statusCode() != 200).findFirst().orElseThrow();
            assertEquals(2001, refused.jsonPath().getInt("code"), where2);
            assertBooks(t.player, 300, 300, where2);
        }
    }

    @Test
    void aSlowPathMakeAgainstARollbackCancellingOneOfItsCredits() throws Exception {
        int cancelled = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Setup s = setup(0, 300, 300);
            String winId = s.winIds.get(0);
            String betId = ProviderConcurrencyTest.text("SELECT bet_id FROM credit WHERE id = ?", winId);
            Map<String, Object> rollback = Provider.rollback(betId, Provider.txId(), winId);
            List<Object> results = OperatorApiTest.concurrently(List.of(make(s.player, 250),
                    () -> ProviderConcurrencyTest.callAsProvider("bet/rollback", rollback)));
            String where = "round " + round + " " + statuses(results);
            results.forEach(r -> assertEquals(200, ((Response) r).statusCode(), where));
            String status = ProviderConcurrencyTest.text("SELECT status FROM credit WHERE id = ?", winId);
            assertTrue(status.equals("CANCELLED") || status.equals("APPLIED"), where + ": " + status);
            cancelled += status.equals("CANCELLED") ? 1 : 0;
            // Either way: 600 pending - 300 reversed - 250 staked.
            assertBooks(s.player, 50, 50, where);
        }
        System.out.printf("[races] slow-path make vs rollback, %d rounds: cancelled-while-pending %d, applied-then-debited %d%n", ROUNDS,
                cancelled, ROUNDS - cancelled);
    }

    @Test
    void aFastPathMakeLosingItsBalanceWhileAWorkerBatchHoldsTheNextCredit() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Setup s = setup(300, 300);
            // Both makes choose the fast path (settled 300 >= 250); one loses the balance to the other,
            // backs out of the wallet lock, and takes the slow path while the worker holds the credit.
            List<Object> results = OperatorApiTest.concurrently(List.of(make(s.player, 250), make(s.player, 250),
                    workerBatch(s.winIds.get(0))));
            String where = "round " + round + " " + statuses(results);
            assertEquals(200, ((Response) results.get(0)).statusCode(), where);
            assertEquals(200, ((Response) results.get(1)).statusCode(), where);
            assertBooks(s.player, 100, 100, where);
        }
    }
}
