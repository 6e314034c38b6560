package com.sportswallet.ingress.provider.lane;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Issue 16's lane over real HTTP and the real database: 64 concurrent makes of one player all
 * succeed, exactly, and none of them ever waits in PostgreSQL's lock queue (a sampler watches
 * pg_stat_activity through the burst: without the lane, the makes queue on the wallet row).
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class MakeLaneTest {
    static final int MAKES = 64;

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
        System.out.printf("[lane] %d makes of one player: %d pg_stat_activity samples, %d lock waits%n", MAKES, samples[0], lockWaits.size());
        assertEquals(List.of(), lockWaits, "backends waiting on a lock during the burst (" + samples[0] + " samples)");
    }
}
