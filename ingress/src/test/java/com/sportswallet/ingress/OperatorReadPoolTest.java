package com.sportswallet.ingress;

import static com.sportswallet.ingress.OperatorApiTest.createPlayer;
import static com.sportswallet.ingress.OperatorApiTest.deposit;
import static com.sportswallet.ingress.OperatorApiTest.operator;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.ingress.service.ReadPool;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The operator API's reads have a pool of their own (issue 17): at most four read-only connections
 * whose statements are cut at 2 s. However many reads hang, callbacks keep the connections they need.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
public class OperatorReadPoolTest {
    /** More hanging reads than the callbacks' own pool has connections (WALLET_DB_POOL_SIZE_MAX, 32). */
    static final int READS = 40;

    @Inject
    ReadPool reads;

    @Test
    void aReadConnectionIsReadOnlyAndItsStatementsAreCutAtTwoSeconds() throws SQLException {
        try (Connection c = reads.connection(); Statement s = c.createStatement()) {
            assertEquals("on", show(s, "default_transaction_read_only"));
            assertEquals("2s", show(s, "statement_timeout"));
            SQLException refused = null;
            try {
                s.executeUpdate("UPDATE wallet SET updated_at = updated_at WHERE false");
            } catch (SQLException e) {
                refused = e;
            }
            assertTrue(refused != null && "25006".equals(refused.getSQLState()), "a write on the reads pool is refused: " + refused);
        }
    }

    /**
     * {@value #READS} reads of a table the test holds locked: each is answered 503 (its statement cut, or no
     * read connection free), at most four of them ever reach PostgreSQL, and a make and a deposit made
     * meanwhile are answered 200. On the callbacks' pool (before issue 17) the reads held all of its 32
     * connections and the make waited for one.
     */
    @Test
    void hangingReadsAre503AndNeverTakeTheCallbacksConnections() throws Exception {
        String player = createPlayer("EUR");
        deposit(player, "dep-" + UUID.randomUUID(), 1_000).then().statusCode(200);
        String grant = "read-pool-" + UUID.randomUUID();
        ExecutorService clients = Executors.newFixedThreadPool(READS);
        try (Connection locker = TestInfra.get().connect(); Statement s = locker.createStatement()) {
            locker.setAutoCommit(false);
            s.execute("LOCK TABLE bonus_grant IN ACCESS EXCLUSIVE MODE");
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < READS; i++) {
                answers.add(clients.submit(() -> operator().get("/operator/bonus-grants/" + grant).statusCode()));
            }
            Await.until(Duration.ofSeconds(10), () -> waitingOnTheLock() > 0, "reads waiting on the locked table");
            Future<?> callbacks = clients.submit(() -> {
                Provider.call("bet/make", Provider.make(player, Provider.txId(), 100, "EUR")).then().statusCode(200);
                deposit(player, "dep-" + UUID.randomUUID(), 50).then().statusCode(200);
            });
            int reachedPostgres = 0;
            while (!callbacks.isDone() || answers.stream().anyMatch(a -> !a.isDone())) {
                reachedPostgres = Math.max(reachedPostgres, waitingOnTheLock());
                Thread.sleep(20);
            }
            callbacks.get(); // the make and the deposit were answered 200 while the reads hung
            for (Future<Integer> answer : answers) {
                assertEquals(503, answer.get(), "a read that could not finish is a 503");
            }
            assertTrue(reachedPostgres >= 1 && reachedPostgres <= ReadPool.POOL_SIZE_MAX_BOUND,
                    "reads waiting in PostgreSQL at once: " + reachedPostgres);
            locker.rollback();
        } finally {
            clients.shutdownNow();
        }
        operator().get("/operator/bonus-grants/" + grant).then().statusCode(404);
        operator().get("/operator/players/" + player + "/wallet").then().statusCode(200).body("balance", equalTo(950));
    }

    private static int waitingOnTheLock() {
        return (int) Db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                + " AND query LIKE '%bonus_grant%' AND query NOT LIKE '%pg_stat_activity%'");
    }

    private static String show(Statement s, String setting) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
