package com.sportswallet.ingress.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.sportswallet.outbox.KafkaSettings;

/** Settings that cannot work fail the start with a message naming them, not the first request. */
class StartChecksTest {

    @Test
    void timeoutsMustRiseFromLockToStatementToCallback() {
        assertDoesNotThrow(() -> TimeoutOrderCheck.verify(2000, 3000, 5000)); // the defaults
        for (long[] bad : new long[][] {{3000, 3000, 5000}, {4000, 3000, 5000}, {2000, 5000, 5000}, {2000, 6000, 5000}, {0, 3000, 5000},
                {2000, 0, 5000}}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TimeoutOrderCheck.verify(bad[0], bad[1], bad[2]));
            assertTrue(e.getMessage().contains("DB_LOCK_TIMEOUT_MS (" + bad[0] + ")") && e.getMessage().contains("DB_STATEMENT_TIMEOUT_MS"),
                    e.getMessage());
        }
        assertTrue(assertThrows(IllegalStateException.class, () -> TimeoutOrderCheck.verify(2000, 6000, 5000)).getMessage()
                .contains("CALLBACK_TIMEOUT_MS (5000)"));
    }

    @Test
    void aProducerDeliveryTimeoutBelowRequestTimeoutPlusLingerIsRefusedNamingTheSetting() {
        // Before: the settings were returned as they were, and Kafka's producer then failed with
        // "Failed to construct kafka producer", naming no setting of ours.
        assertThrows(IllegalArgumentException.class, () -> KafkaSettings.relayProducer("127.0.0.1:9092", "t", 1001));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaSettings.relayProducer("127.0.0.1:9092", "t", 500, "OUTBOX_SEND_TIMEOUT_MS"));
        assertTrue(e.getMessage().startsWith("OUTBOX_SEND_TIMEOUT_MS is 500 ms") && e.getMessage().contains("1002 or more"),
                e.getMessage());
        assertDoesNotThrow(() -> KafkaSettings.relayProducer("127.0.0.1:9092", "t", 1002));
        assertDoesNotThrow(() -> KafkaSettings.relayProducer("127.0.0.1:9092", "t", 10_000)); // the default
    }
}
