package com.sportswallet.worker;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The worker refuses to start with a lock timeout at or above its statement timeout, naming both. */
class TimeoutOrderCheckTest {

    @Test
    void lockTimeoutMustBeBelowTheStatementTimeout() {
        assertDoesNotThrow(() -> TimeoutOrderCheck.verify(2000, 3000)); // the defaults
        for (long[] bad : new long[][] {{3000, 3000}, {4000, 3000}, {0, 3000}, {2000, 0}}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TimeoutOrderCheck.verify(bad[0], bad[1]));
            assertTrue(e.getMessage().contains("DB_LOCK_TIMEOUT_MS (" + bad[0] + ")")
                    && e.getMessage().contains("DB_STATEMENT_TIMEOUT_MS (" + bad[1] + ")"), e.getMessage());
        }
    }
}
