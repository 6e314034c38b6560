package com.sportswallet.ingress.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The refusal log keeps at most REFUSAL_LOG_ROWS_MAX rows (the newest), and stores what it is given cut to its bounds. */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class RefusalLogTest {
    @Inject
    RefusalLog log;

    @Test
    void theLogKeepsTheNewestRowsOnlyAndCutsLongValues() throws InterruptedException {
        long rowsMax = log.rowsMax;
        String marker = "rl-" + UUID.randomUUID();
        try {
            log.rowsMax = 3;
            for (int i = 0; i < 10; i++) {
                ObjectNode payload = CloudEventJson.mapper().createObjectNode().put("player_id", marker).put("bet_transaction_id", "b" + i);
                payload.putObject("transaction").put("id", marker + "-" + i);
                log.refused("bet/win", payload, 2003, "x".repeat(RefusalLog.MESSAGE_CHARS_MAX + 100));
            }
            Await.until(Duration.ofSeconds(10), () -> Db.count("SELECT count(*) FROM callback_refusal WHERE provider_tx_id = '" + marker + "-9'") == 1,
                    "the last refusal is written");
            // The writer prunes after every batch: whatever batches the ten were written in, the last left at most three.
            assertTrue(Db.count("SELECT count(*) FROM callback_refusal") <= 3, "rows kept");
            assertEquals(RefusalLog.MESSAGE_CHARS_MAX, Db.count("SELECT length(message) FROM callback_refusal WHERE provider_tx_id = '" + marker + "-9'"));
            assertEquals("b9", Db.text("SELECT bet_id FROM callback_refusal WHERE provider_tx_id = '" + marker + "-9'"));
            assertEquals(marker, Db.text("SELECT player_id FROM callback_refusal WHERE provider_tx_id = '" + marker + "-9'"));
        } finally {
            log.rowsMax = rowsMax;
        }
    }

    @Test
    void aRefusedTokenIsLoggedWithoutAPayload() throws InterruptedException {
        String endpoint = "bet/t" + Long.toString(System.nanoTime(), 36).replaceAll("[0-9]", "x");
        log.refused(endpoint, null, 2005, "invalid JWT");
        Await.until(Duration.ofSeconds(10), () -> Db.count("SELECT count(*) FROM callback_refusal WHERE endpoint = '" + endpoint + "'") == 1,
                "logged");
        assertEquals(2005, Db.count("SELECT code FROM callback_refusal WHERE endpoint = '" + endpoint + "' AND provider_tx_id IS NULL"));
    }
}
