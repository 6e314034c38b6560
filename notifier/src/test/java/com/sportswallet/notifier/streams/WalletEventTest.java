package com.sportswallet.notifier.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The hand-written timestamp parser agrees with java.time on every form the producers write, and declines the rest. */
class WalletEventTest {

    @Test
    void fastUtcParserAgreesWithInstantParse() throws Exception {
        for (String s : new String[] {"2026-11-21T21:31:27.589863404Z", "2026-11-21T21:31:27Z", "2026-11-21T21:31:27.5Z",
                "2026-11-21T21:31:27.123Z", "2026-11-21T21:31:27.123456Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59.999999999Z",
                "2026-12-31T00:00:00.000000001Z"}) {
            assertEquals(Instant.parse(s), WalletEvent.parseUtc(s), s);
            assertEquals(Instant.parse(s), WalletEvent.instant(s), s);
        }
        for (String s : new String[] {"2026-11-21T21:31:27+01:00", "2026-11-21T21:31:27.1234567890Z", "2026-02-30T00:00:00Z",
                "2026-11-21 21:31:27Z", "2026-11-21T24:00:00Z", "2026-11-21T21:31:27.Z", "not a date at all..."}) {
            assertNull(WalletEvent.parseUtc(s), s);
        }
        assertEquals(Instant.parse("2026-11-21T20:31:27Z"), WalletEvent.instant("2026-11-21T21:31:27+01:00"), "offsets via java.time");
        assertThrows(WalletEvent.Unusable.class, () -> WalletEvent.instant("2026-02-30T00:00:00Z"));
    }
}
