package com.sportswallet.ingress.provider.lane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Issue 16's lane and batches over real HTTP and the real database: 64 concurrent makes of one
 * player all succeed, exactly, and none of them ever waits in PostgreSQL's lock queue (a sampler
 * watches pg_stat_activity through the burst: without the lane, the makes queue on the wallet row);
 * concurrent copies of one make get identical answers; a refusal inside a batch fails no other
 * member and leaves nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class MakeLaneTest {
    static final int MAKES = 64;

    @jakarta.inject.Inject
    MakeLanes lanes;
    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    private double batchesDebitedAtOnce() {
        return meters.counter(com.sportswallet.ingress.provider.service.MakeBatchService.BATCH_DEBIT_METRIC, "outcome", "all").count();
    }

    @Test
    void sixtyFourConcurrentMakesOfOnePlayerNeverWaitOnALockInTheDatabase() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        long stakes = 0;
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < MAKES; i++) {
            long stake = 100 + i;
            stakes += stake;
            Map<String, Object> p = Provider.make(player, Provider.txId(), stake, "EUR");
            calls.add(() -> Provider.call("bet/make", p));
        }
        OperatorApiTest.deposit(player, "fund-" + player, stakes + 1_000).then().statusCode(200);
        // The reference rows the makes name exist before the burst, as they would in production after the first bet.
        assertEquals(200, Provider.call("bet/make", Provider.make(player, Provider.txId(), 1_000, "EUR")).statusCode());

        double debitedAtOnceBefore = batchesDebitedAtOnce();
        AtomicBoolean sampling = new AtomicBoolean(true);
        List<String> lockWaits = new ArrayList<>();
        int[] samples = new int[1];
        Thread sampler = new Thread(() -> {
            try (Connection c = TestInfra.get().connect(); Statement s = c.createStatement()) {
                while (sampling.get()) {
                    try (ResultSet rs = s.executeQuery("SELECT left(query, 120) FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")) {
                        while (rs.next()) {
                            lockWaits.add(rs.getString(1));
                        }
                    }
                    samples[0]++;
                }
            } catch (Exception e) {
                lockWaits.add("sampler failed: " + e);
            }
        }, "lock-wait-sampler");
        sampler.start();
        List<Response> results;
        try {
            results = OperatorApiTest.concurrently(calls);
        } finally {
            sampling.set(false);
            sampler.join(10_000);
        }

        Map<Integer, Long> byStatus = new TreeMap<>();
        results.forEach(r -> byStatus.merge(r.statusCode(), 1L, Long::sum));
        assertEquals(Map.of(200, (long) MAKES), byStatus, () -> results.stream().filter(r -> r.statusCode() != 200)
                .map(Response::asString).distinct().toList().toString());
        assertEquals(MAKES, results.stream().map(r -> r.jsonPath().getString("id")).distinct().count(), "distinct bets");
        assertEquals(0, OperatorApiTest.balance(player), "the deposit covered the first make's 1,000 and the burst's stakes, exactly");
        assertEquals(0, Db.ledgerDiscrepancies());
        // Batches debited all their members in one statement (the balance covered every stake): each member still has
        // its own ledger entry, with the balance and version after its own stake, in order.
        assertTrue(batchesDebitedAtOnce() > debitedAtOnceBefore, "no batch took the one-statement debit");
        assertEquals(0, Db.count("SELECT count(*) FROM (SELECT balance_after, amount, wallet_version,"
                + " lag(balance_after) OVER (ORDER BY id) AS previous, row_number() OVER (ORDER BY id) AS n FROM ledger_entry"
                + " WHERE wallet_id = (SELECT id FROM wallet WHERE player_id = '" + player + "' AND kind = 'CASH')) e"
                + " WHERE e.wallet_version <> e.n OR (e.previous IS NOT NULL AND e.previous + e.amount <> e.balance_after)"),
                "the ledger's balance and version chain");
        System.out.printf("[lane] %d makes of one player: %d pg_stat_activity samples, %d lock waits%n", MAKES, samples[0], lockWaits.size());
        assertEquals(List.of(), lockWaits, "backends waiting on a lock during the burst (" + samples[0] + " samples)");
    }

    @Test
    void twentyConcurrentCopiesOfOneMakeGetTwentyIdenticalSuccessBodies() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "fund-" + player, 1_000).then().statusCode(200);
        Map<String, Object> make = Provider.make(player, Provider.txId(), 300, "EUR");
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(() -> Provider.call("bet/make", make));
        }
        List<Response> results = OperatorApiTest.concurrently(calls);
        assertEquals(List.of(200), results.stream().map(Response::statusCode).distinct().toList());
        assertEquals(1, results.stream().map(Response::asString).distinct().count(), () -> "bodies: "
                + results.stream().map(Response::asString).distinct().toList());
        assertEquals(700, OperatorApiTest.balance(player), "debited once");
        assertEquals(1, Db.count("SELECT count(*) FROM bet WHERE player_id = '" + player + "'"));
    }

    /**
     * 48 concurrent makes of 100 on a balance of 1,000, 8 of them in a currency the wallet does not
     * hold: the batches accept exactly 10, refuse 30 for money (2001) and 8 for the currency (2002),
     * and a refusal never fails another member. A refused make leaves no claim, bet or selection (its
     * retry, once funded, is decided afresh), and the accepted take consecutive player_seq values.
     */
    @Test
    void aRefusalInsideABatchFailsNoOtherMemberAndLeavesNothing() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "fund-" + player, 1_000).then().statusCode(200);
        long seqBefore = Db.count("SELECT player_seq FROM wallet WHERE player_id = '" + player + "' AND kind = 'CASH'");
        double batchMaxBefore = lanes.batchSizes().max();
        List<Map<String, Object>> makes = new ArrayList<>();
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            Map<String, Object> p = Provider.make(player, Provider.txId(), 100, i % 6 == 5 ? "USD" : "EUR");
            makes.add(p);
            calls.add(() -> Provider.call("bet/make", p));
        }
        List<Response> results = OperatorApiTest.concurrently(calls);
        Map<String, Long> byAnswer = new TreeMap<>();
        results.forEach(r -> byAnswer.merge(r.statusCode() + (r.statusCode() == 200 ? "" : "/" + r.jsonPath().getInt("code")), 1L, Long::sum));
        assertEquals(Map.of("200", 10L, "400/2001", 30L, "400/2002", 8L), byAnswer);
        assertEquals(0, OperatorApiTest.balance(player));
        assertEquals(0, Db.ledgerDiscrepancies());
        List<String> refusedKeys = new ArrayList<>();
        List<Long> acceptedSeqs = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            String key = (String) Provider.child(makes.get(i), "transaction").get("id");
            if (results.get(i).statusCode() == 200) {
                acceptedSeqs.add(Db.count("SELECT player_seq FROM idempotency_record WHERE endpoint = 'bet/make' AND key = '" + key + "'"));
            } else {
                refusedKeys.add(key);
            }
        }
        String refused = "'" + String.join("','", refusedKeys) + "'";
        assertEquals(0, Db.count("SELECT count(*) FROM idempotency_record WHERE endpoint = 'bet/make' AND key IN (" + refused + ")"),
                "a refused make leaves no claim");
        assertEquals(0, Db.count("SELECT count(*) FROM bet WHERE provider_tx_id IN (" + refused + ")"), "nor a bet");
        assertEquals(0, Db.count("SELECT count(*) FROM bet_selection s JOIN bet b ON b.id = s.bet_id WHERE b.player_id = '" + player + "'"
                + " AND b.provider_tx_id IN (" + refused + ")"), "nor a selection");
        assertEquals(10, Db.count("SELECT count(*) FROM bet WHERE player_id = '" + player + "'"));
        acceptedSeqs.sort(null);
        List<Long> consecutive = new ArrayList<>();
        for (long s = seqBefore + 1; s <= seqBefore + 10; s++) {
            consecutive.add(s);
        }
        assertEquals(consecutive, acceptedSeqs, "each accepted make took the next player_seq");
        assertEquals(seqBefore + 10, Db.count("SELECT player_seq FROM wallet WHERE player_id = '" + player + "' AND kind = 'CASH'"));
        System.out.printf("[batch] 48 makes of one player: batches so far %d, mean size %.1f, max %.0f%n", lanes.batchSizes().count(),
                lanes.batchSizes().mean(), lanes.batchSizes().max());
        assertTrue(lanes.batchSizes().max() > 1 || batchMaxBefore > 1, "the burst was decided in batches of more than one");
        // Funded again, a refused make's retry is decided afresh: its claim was given back.
        OperatorApiTest.deposit(player, "refund-" + player, 100).then().statusCode(200);
        int firstRefused = 0;
        while (results.get(firstRefused).statusCode() == 200 || !"EUR".equals(makes.get(firstRefused).get("currency"))) {
            firstRefused++;
        }
        Response retry = Provider.call("bet/make", makes.get(firstRefused));
        assertEquals(200, retry.statusCode(), retry.asString());
        assertEquals(0, OperatorApiTest.balance(player));
    }

    /**
     * A burst on a player whose money is pending (a win not yet applied by the worker): the batches
     * apply the pending credit themselves, as the worker would, before their first wallet statement,
     * and spend it: exactly what the settled and pending money covers is accepted, the rest is 2001,
     * and the credit is applied once.
     */
    @Test
    void batchesSpendPendingMoneyByApplyingItFirst() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "fund-" + player, 200).then().statusCode(200);
        String makeTx = Provider.txId();
        assertEquals(200, Provider.call("bet/make", Provider.make(player, makeTx, 200, "EUR")).statusCode());
        Response win = Provider.call("bet/win", Provider.win(Provider.operatorId("bet/make", makeTx), Provider.txId(), 1_000, "EUR"));
        assertEquals(200, win.statusCode(), win.asString());
        assertEquals(1_000, OperatorApiTest.balance(player), "available: settled 0 + pending 1,000");
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            Map<String, Object> p = Provider.make(player, Provider.txId(), 100, "EUR");
            calls.add(() -> Provider.call("bet/make", p));
        }
        List<Response> results = OperatorApiTest.concurrently(calls);
        Map<String, Long> byAnswer = new TreeMap<>();
        results.forEach(r -> byAnswer.merge(r.statusCode() + (r.statusCode() == 200 ? "" : "/" + r.jsonPath().getInt("code")), 1L, Long::sum));
        assertEquals(Map.of("200", 10L, "400/2001", 4L), byAnswer, () -> results.stream().map(Response::asString).distinct().toList().toString());
        assertEquals(0, OperatorApiTest.balance(player));
        assertEquals(1, Db.count("SELECT count(*) FROM credit c JOIN wallet w ON w.id = c.wallet_id WHERE w.player_id = '" + player
                + "' AND c.status = 'APPLIED'"), "the win's credit, applied once, by a batch");
        assertEquals(0, Db.count("SELECT pending FROM wallet WHERE player_id = '" + player + "' AND kind = 'CASH'"));
        assertEquals(0, Db.ledgerDiscrepancies());
    }
}
