package com.sportswallet.notifier.streams;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One player's dedupe state in the {@link StoreNames#DEDUPE_SEQ} store: the contiguous watermark
 * (every {@code player_seq} at or below it was seen, or was skipped into the holes store) and the
 * values seen above it, sorted. Order-independent by construction: a value is "seen" whatever
 * order the values arrive in. Mutable; the processor reads, changes and writes it back within one
 * record. The set above the watermark is a sorted {@code long[]} (usually empty or a handful of
 * values: it only fills while a player's events arrive out of order).
 */
final class SeqWindow {
    private static final byte VERSION = 1;

    /** Every value {@code <= watermark} is accounted for (seen, or recorded as a hole). 0: nothing yet (values start at 1). */
    long watermark;
    /** Sorted, distinct, all {@code > watermark + 1} after {@link #advance()} (a value equal to watermark + 1 is absorbed). */
    long[] ahead = new long[0];

    int aheadSize() {
        return ahead.length;
    }

    /**
     * Adds {@code seq} (above the watermark) and moves the watermark over any contiguous run; false
     * when it was already there (nothing changes).
     */
    boolean add(long seq) {
        int at = Arrays.binarySearch(ahead, seq);
        if (at >= 0) {
            return false;
        }
        int insert = -at - 1;
        long[] next = new long[ahead.length + 1];
        System.arraycopy(ahead, 0, next, 0, insert);
        next[insert] = seq;
        System.arraycopy(ahead, insert, next, insert + 1, ahead.length - insert);
        ahead = next;
        advance();
        return true;
    }

    /**
     * Gives up waiting for the oldest missing value: the watermark moves past it (and over any run
     * that then becomes contiguous). The caller records the returned value as a hole.
     */
    long skipOldestMissing() {
        long missing = watermark + 1;
        watermark = missing;
        advance();
        return missing;
    }

    private void advance() {
        int consumed = 0;
        while (consumed < ahead.length && ahead[consumed] == watermark + 1) {
            watermark++;
            consumed++;
        }
        if (consumed > 0) {
            ahead = Arrays.copyOfRange(ahead, consumed, ahead.length);
        }
    }

    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(1 + Long.BYTES + Integer.BYTES + ahead.length * Long.BYTES);
        b.put(VERSION).putLong(watermark).putInt(ahead.length);
        for (long v : ahead) {
            b.putLong(v);
        }
        return b.array();
    }

    static SeqWindow fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != VERSION) {
            throw new IllegalStateException("unknown SeqWindow version " + version);
        }
        SeqWindow w = new SeqWindow();
        w.watermark = b.getLong();
        w.ahead = new long[b.getInt()];
        for (int i = 0; i < w.ahead.length; i++) {
            w.ahead[i] = b.getLong();
        }
        return w;
    }

    static Serde<SeqWindow> serde() {
        Serializer<SeqWindow> ser = (topic, w) -> w == null ? null : w.toBytes();
        Deserializer<SeqWindow> de = (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
        return Serdes.serdeFrom(ser, de);
    }

    @Override
    public String toString() {
        return "SeqWindow{watermark=" + watermark + ", ahead=" + Arrays.toString(ahead) + "}";
    }
}
