package com.sportswallet.ingress.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.provider.rest.SportsbookResource;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * A callback's log lines carry its endpoint, player, provider transaction id (the MDC), and a 503 is logged
 * with its stack trace (issue 17): a make waiting on a wallet row the test holds locked is answered 503.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class CallbackLogsTest {
    @Test
    void a503IsLoggedWithTheCallbacksIdsAndItsStack() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "dep-" + player, 1_000).then().statusCode(200);
        String tx = Provider.txId();
        List<ExtLogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r instanceof ExtLogRecord e) {
                    e.copyAll(); // the MDC is read lazily: copy it on the logging thread, in the callback's context
                    records.add(e);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(SportsbookResource.class.getName());
        logger.addHandler(capture);
        try (Connection c = TestInfra.get().connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM wallet WHERE player_id = ? FOR UPDATE")) {
                ps.setString(1, player);
                ps.executeQuery().close();
            }
            Response r = Provider.call("bet/make", Provider.make(player, tx, 100, "EUR"));
            assertEquals(503, r.statusCode(), r.asString());
            c.rollback();
        } finally {
            logger.removeHandler(capture);
        }
        ExtLogRecord line = records.stream().filter(e -> tx.equals(e.getMdc("provider_tx_id"))).findFirst().orElse(null);
        assertNotNull(line, "a log line of the 503 with the callback's ids: " + records.stream().map(e -> e.getMessage() + " " + e.getMdcCopy()).toList());
        assertEquals(player, line.getMdc("player_id"));
        assertEquals("bet/make", line.getMdc("endpoint"));
        assertTrue(line.getThrown() != null, "the first 503 of a second is logged with its stack");
    }
}
