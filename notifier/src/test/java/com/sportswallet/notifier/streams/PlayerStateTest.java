package com.sportswallet.notifier.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The players store's format: version 2 adds the exclusion (issue 15); version 1 records, in stores and changelogs, still read. */
class PlayerStateTest {

    @Test
    void aVersionOneRecordReadsWithNoExclusionAndIsRewrittenAsVersionTwo() {
        ByteBuffer v1 = ByteBuffer.allocate(1 + 7 * Long.BYTES + Integer.BYTES + 1);
        v1.put((byte) 1).putLong(3).putLong(300).putLong(50).putLong(0).putLong(-250).putLong(300).putLong(1_000).putInt(5).put((byte) 1);
        PlayerState p = PlayerState.fromBytes(v1.array());
        assertEquals(3, p.bets());
        assertEquals(-250, p.net());
        assertEquals(Instant.ofEpochSecond(1_000, 5), p.lastActivity());
        assertFalse(p.excludedAt(Instant.ofEpochSecond(0)), "never excluded");
        byte[] v2 = p.toBytes();
        assertEquals(2, v2[0]);
        assertEquals(p, PlayerState.fromBytes(v2));
    }

    @Test
    void anExclusionOnlyGrowsAndCoversTheFactsBeforeItsEnd() {
        PlayerState p = new PlayerState();
        Instant end = Instant.ofEpochSecond(10_000);
        p.excludeUntil(end);
        p.excludeUntil(end.minusSeconds(500)); // an earlier end never shortens it
        assertTrue(p.excludedAt(end.minusMillis(1)));
        assertFalse(p.excludedAt(end));
        p.excludeUntil(Instant.MAX);
        assertTrue(p.excludedAt(end.plusSeconds(1_000_000_000L)), "indefinite");
        assertEquals(p, PlayerState.fromBytes(p.toBytes()));
    }
}
