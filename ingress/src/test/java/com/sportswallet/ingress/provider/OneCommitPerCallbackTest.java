package com.sportswallet.ingress.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.refusal.RefusalLog;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.PgWireCounter;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Each provider callback is ONE database transaction: the ingress's datasource is pointed at a
 * {@link PgWireCounter} proxy in front of the test PostgreSQL, and the COMMITs (and ROLLBACKs)
 * it sends are counted around every HTTP call. The outbox relay is switched off for this app
 * (its own claim-send-delete transactions would be counted too); the settlement worker's side is
 * played by {@link CreditApplier} and {@link Db}, which connect directly, not through the proxy.
 */
@QuarkusTest
@TestProfile(OneCommitPerCallbackTest.ThroughCountingProxy.class)
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class OneCommitPerCallbackTest {
    @Inject
    RefusalLog refusalLog;

    /** Waits until the refusal of {@code providerTxId} is in the refusal log (written after the answer). */
    static void awaitLogged(String providerTxId) {
        try {
            Await.until(Duration.ofSeconds(10), () -> Db.count("SELECT count(*) FROM callback_refusal WHERE provider_tx_id = '" + providerTxId + "'") == 1,
                    "the refusal of " + providerTxId + " is logged");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
    private static final AtomicInteger SEQ = new AtomicInteger();

    /** The config key under which {@link CountingProxy} hands the proxied JDBC URL to the app. */
    static final String PROXY_URL_KEY = "test.pg-wire-counter.jdbc-url";

    /**
     * Points the app's datasource at the counting proxy and switches the outbox relay off. The URL
     * is an expression resolved against {@link CountingProxy}'s config: Quarkus also instantiates
     * this profile while it builds the app, in another class loader, and a proxy (or TestInfra)
     * started from here would be started twice, once for nothing (with a second Kafka broker and
     * database). Test resources start once, in the app's class loader, before it reads its config.
     * The override wins over RealInfraResource's URL: theAppTalksToPostgresThroughTheProxy proves it.
     */
    public static class ThroughCountingProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.datasource.jdbc.url", "${" + PROXY_URL_KEY + "}", "wallet.outbox.enabled", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(CountingProxy.class));
        }
    }

    /** Starts the proxy in front of the test PostgreSQL before the app starts; closes it when the app stops. */
    public static class CountingProxy implements QuarkusTestResourceLifecycleManager {
        static volatile PgWireCounter counter;

        @Override
        public Map<String, String> start() {
            URI db = URI.create(TestInfra.get().jdbcUrl().substring("jdbc:".length()));
            counter = PgWireCounter.start(db.getHost(), db.getPort());
            // prepareThreshold=0: every COMMIT carries its text (counted either way, see PgWireCounter); no TLS, so it can be read.
            return Map.of(PROXY_URL_KEY, "jdbc:postgresql://127.0.0.1:" + counter.port() + db.getPath() + "?prepareThreshold=0&sslmode=disable");
        }

        @Override
        public void stop() {
            if (counter != null) {
                counter.close();
            }
        }
    }

    static PgWireCounter counter() {
        PgWireCounter c = CountingProxy.counter;
        assertNotNull(c, "the counting proxy was not started by the profile's test resource");
        return c;
    }

    // ---- helpers ----

    /** Funds the player through the operator API (a deposit with a fresh key). */
    static void deposit(String player, long amount) {
        OperatorApiTest.deposit(player, "fund-" + player + "-" + SEQ.incrementAndGet(), amount).then().statusCode(200);
    }

    /** Transaction-control commands one call sent to PostgreSQL through the proxy. */
    record Delta(long begins, long commits, long rollbacks, Response response) {
        @Override
        public String toString() {
            return "begins " + begins + ", commits " + commits + ", rollbacks " + rollbacks + "; HTTP " + response.statusCode() + " "
                    + response.asString();
        }
    }

    static Delta measure(Supplier<Response> call) {
        PgWireCounter c = counter();
        long b = c.begins();
        long k = c.commits();
        long r = c.rollbacks();
        Response response = call.get();
        return new Delta(c.begins() - b, c.commits() - k, c.rollbacks() - r, response);
    }

    static String makeOpen(String player, long stake) {
        String tx = Provider.txId();
        Response r = Provider.call("bet/make", Provider.make(player, tx, stake, "EUR"));
        assertEquals(200, r.statusCode(), r.asString());
        return Provider.operatorId("bet/make", tx);
    }

    @Test
    void theAppTalksToPostgresThroughTheProxy() {
        PgWireCounter c = counter();
        assertEquals(0, c.encryptedConnections(), "an encrypted session cannot be counted");
        long before = c.commits();
        String player = OperatorApiTest.createPlayer("EUR");
        deposit(player, 100);
        // The operator API's create and deposit are transactions of the app: if the profile's URL had
        // lost to RealInfraResource's, nothing here would move.
        assertTrue(c.commits() - before >= 2, "commits through the proxy: " + (c.commits() - before));
    }

    @Test
    void everyCallbackIssuesExactlyOneCommit() {
        String player = OperatorApiTest.createPlayer("EUR");
        deposit(player, 100_000);
        Map<String, Delta> results = new LinkedHashMap<>();

        String makeTx = Provider.txId();
        Map<String, Object> make = Provider.make(player, makeTx, 1_000, "EUR");
        results.put("make", measure(() -> Provider.call("bet/make", make)));
        String betWon = Provider.operatorId("bet/make", makeTx);

        String winTx = Provider.txId();
        results.put("win", measure(() -> Provider.call("bet/win", Provider.win(betWon, winTx, 2_500, "EUR"))));
        String winId = Provider.operatorId("bet/win", winTx);

        String betLost = makeOpen(player, 500);
        results.put("lost", measure(() -> Provider.call("bet/lost", Provider.lost(betLost, Provider.txId(), "EUR"))));

        String betRefunded = makeOpen(player, 500);
        results.put("refund", measure(() -> Provider.call("bet/refund", Provider.refund(betRefunded, Provider.txId(), 500))));

        // Rollback of a win whose credit is still pending: cancelled, no money moves.
        results.put("rollback of a pending win", measure(() -> Provider.call("bet/rollback", Provider.rollback(betWon, Provider.txId(), winId))));

        // Rollback of a win the worker already applied (CreditApplier: its own direct connection, not counted).
        String betApplied = makeOpen(player, 500);
        String appliedWinTx = Provider.txId();
        Response appliedWin = Provider.call("bet/win", Provider.win(betApplied, appliedWinTx, 700, "EUR"));
        assertEquals(200, appliedWin.statusCode(), appliedWin.asString());
        String appliedWinId = Provider.operatorId("bet/win", appliedWinTx);
        assertTrue(CreditApplier.apply(appliedWinId));
        results.put("rollback of an applied win",
                measure(() -> Provider.call("bet/rollback", Provider.rollback(betApplied, Provider.txId(), appliedWinId))));

        String discardTx = Provider.txId();
        Response discarded = Provider.call("bet/make", Provider.make(player, discardTx, 300, "EUR"));
        assertEquals(200, discarded.statusCode(), discarded.asString());
        results.put("discard of an open bet", measure(() -> Provider.call("bet/discard", Provider.discard(player, discardTx))));
        String unknownTx = Provider.txId();
        results.put("discard of an unknown make", measure(() -> Provider.call("bet/discard", Provider.discard(player, unknownTx))));

        String betNoted = makeOpen(player, 200);
        results.put("commit", measure(() -> Provider.call("bet/commit", Provider.commit(betNoted))));
        results.put("settlement", measure(() -> Provider.call("bet/settlement", Provider.settlementStatus(betNoted, "won"))));

        results.put("duplicate make (replay)", measure(() -> Provider.call("bet/make", make)));
        Delta balance = measure(() -> Provider.call("balance", Provider.balance(player)));

        String poor = OperatorApiTest.createPlayer("EUR");
        deposit(poor, 100);
        // The refusal is logged after the answer by the refusal log's own transaction (issue 17): the window waits for it, and
        // its COMMITs are the only ones allowed.
        long logCommitsBefore = refusalLog.batchesCommitted();
        String poorTx = Provider.txId();
        Delta refused = measure(() -> {
            Response r = Provider.call("bet/make", Provider.make(poor, poorTx, 101, "EUR"));
            awaitLogged(poorTx);
            return r;
        });
        long logCommits = refusalLog.batchesCommitted() - logCommitsBefore;

        results.forEach((name, d) -> System.out.printf("[one-commit] %-28s %s%n", name, d));
        System.out.printf("[one-commit] %-28s %s%n", "balance", balance);
        System.out.printf("[one-commit] %-28s %s%n", "refused make (2001)", refused);

        StringBuilder failures = new StringBuilder();
        results.forEach((name, d) -> {
            if (d.response().statusCode() != 200 || d.commits() != 1 || d.rollbacks() != 0) {
                failures.append("\n").append(name).append(": ").append(d);
            }
        });
        assertEquals("", failures.toString(), "each successful callback commits exactly once and never rolls back");

        // balance is a plain read outside any transaction (autocommit): it needs no COMMIT; at most one.
        assertEquals(200, balance.response().statusCode(), balance.toString());
        assertTrue(balance.commits() <= 1 && balance.rollbacks() == 0, balance.toString());

        assertEquals(400, refused.response().statusCode(), refused.toString());
        assertEquals(2001, refused.response().jsonPath().getInt("code"), refused.toString());
        assertEquals(logCommits, refused.commits(), refused + ": the callback commits nothing; the refusal log committed " + logCommits);
        assertTrue(logCommits >= 1, "the refusal was logged in a transaction of its own");
        assertEquals(1, refused.rollbacks(), refused.toString());

        // Each measured call took the branch it is named after.
        assertEquals(1, Db.count("SELECT count(*) FROM credit WHERE id = '" + winId + "' AND status = 'CANCELLED'"), "pending win cancelled");
        assertEquals(1, Db.count("SELECT count(*) FROM ledger_entry WHERE operation = 'rollback' AND amount = -700 AND wallet_id ="
                + " (SELECT id FROM wallet WHERE player_id = '" + player + "')"), "applied win debited back");
        assertEquals(1, Db.count("SELECT count(*) FROM credit WHERE id = '" + Provider.operatorId("bet/discard", discardTx)
                + "' AND kind = 'DISCARD' AND amount = 300"), "open bet discarded");
        assertEquals(1, Db.count("SELECT count(*) FROM bet WHERE id = '" + betNoted + "' AND confirmed AND provider_status = 'won'"));
        assertEquals(1, Db.count("SELECT count(*) FROM bet WHERE provider_tx_id = '" + unknownTx + "' AND player_id IS NULL AND state = 'DISCARDED'"),
                "unknown make tombstoned");
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    /**
     * Issue 16: concurrent makes of one player are decided in batches, one commit per batch, so a
     * request costs at most one commit (the batch it was decided in) and never a rollback when every
     * make is accepted.
     */
    @Test
    void concurrentMakesOfOnePlayerCostAtMostOneCommitEach() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        deposit(player, 100_000);
        int makes = 32;
        List<java.util.concurrent.Callable<Response>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < makes; i++) {
            Map<String, Object> make = Provider.make(player, Provider.txId(), 100, "EUR");
            calls.add(() -> Provider.call("bet/make", make));
        }
        PgWireCounter c = counter();
        long commits = c.commits();
        long rollbacks = c.rollbacks();
        List<Response> results = OperatorApiTest.concurrently(calls);
        long committed = c.commits() - commits;
        System.out.printf("[one-commit] %d concurrent makes of one player: %d commits, %d rollbacks%n", makes, committed,
                c.rollbacks() - rollbacks);
        assertEquals(List.of(200), results.stream().map(Response::statusCode).distinct().toList(),
                () -> results.stream().map(Response::asString).distinct().toList().toString());
        assertTrue(committed >= 1 && committed <= makes, "commits: " + committed);
        assertEquals(0, c.rollbacks() - rollbacks);
        assertEquals(100_000 - makes * 100, OperatorApiTest.balance(player));
    }
}
