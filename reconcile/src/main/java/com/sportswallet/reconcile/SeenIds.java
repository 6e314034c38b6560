package com.sportswallet.reconcile;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The CloudEvent ids an order check has seen once, each with the SHA-256 of its first record's
 * value and where that record was: what tells a byte-identical re-send (a duplicate) from another
 * body under the same id (a violation).
 *
 * <p>Bounded and compact, because a topic kept forever has as many ids as records: one
 * {@code long[]} with open addressing (linear probing), {@value #SLOT_BYTES} bytes per slot: the
 * id's digest (the first 128 bits of the SHA-256 of its UTF-8 bytes: the id strings themselves,
 * about 100 bytes each as Java objects, are not kept; two ids sharing a digest, a chance below 1 in
 * 10^26 for a million ids, would read as one), the value's SHA-256 (256 bits) and the first record's
 * partition and offset. The table doubles when 3/4 full, so a remembered id costs between 75 and
 * 150 bytes: 75 to 150 MB per million ids, and during a doubling the old and the new array both
 * (1.5 times that). At most {@code idsMax} ids are remembered; {@link #add} refuses the next one,
 * and the caller reports duplicate detection as partial from there on rather than growing without
 * bound.
 */
final class SeenIds {
    /** longs per slot: id digest (2), value SHA-256 (4), partition and offset (1). */
    static final int SLOT_LONGS = 7;
    static final int SLOT_BYTES = SLOT_LONGS * Long.BYTES;
    /** The most ids a table may be asked to hold: 3/4 of 2^28 slots, the largest power of two whose longs fit one Java array. */
    static final long IDS_MAX_LIMIT = 3L << 26;
    private static final int SLOTS_INITIAL = 1 << 12;
    /** Offsets are kept in the low 48 bits of a slot's last long, the partition in the 16 above: 2^48 records per partition. */
    private static final int OFFSET_BITS = 48;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;

    private final long idsMax;
    private final MessageDigest sha256;
    private long[] table = new long[SLOTS_INITIAL * SLOT_LONGS];
    private int slots = SLOTS_INITIAL;
    private long size;

    SeenIds(long idsMax) {
        if (idsMax < 0 || idsMax > IDS_MAX_LIMIT) {
            throw new IllegalArgumentException("ids max must be in 0.." + IDS_MAX_LIMIT + ": " + idsMax);
        }
        this.idsMax = idsMax;
        this.sha256 = newSha256();
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** An id as the table knows it: its digest, never 0/0 (the mark of an empty slot). */
    record Digest(long hi, long lo) {
    }

    /** A record value's SHA-256, as four longs. */
    record Body(long h0, long h1, long h2, long h3) {
        static Body of(ByteBuffer b) {
            return new Body(b.getLong(), b.getLong(), b.getLong(), b.getLong());
        }
    }

    Digest digest(String id) {
        ByteBuffer b = ByteBuffer.wrap(sha256.digest(id.getBytes(StandardCharsets.UTF_8)));
        long hi = b.getLong();
        long lo = b.getLong();
        return new Digest(hi, hi == 0 && lo == 0 ? 1 : lo);
    }

    Body body(byte[] value) {
        return Body.of(ByteBuffer.wrap(sha256.digest(value == null ? new byte[0] : value)));
    }

    static long position(int partition, long offset) {
        return ((long) partition << OFFSET_BITS) | (offset & OFFSET_MASK);
    }

    static int partitionOf(long position) {
        return (int) (position >>> OFFSET_BITS);
    }

    static long offsetOf(long position) {
        return position & OFFSET_MASK;
    }

    long size() {
        return size;
    }

    long idsMax() {
        return idsMax;
    }

    /** Whether the next new id would be refused. */
    boolean full() {
        return size >= idsMax;
    }

    /** The slot holding {@code id}, or -1. */
    int find(Digest id) {
        int mask = slots - 1;
        for (int s = slotOf(id, mask);; s = (s + 1) & mask) {
            int at = s * SLOT_LONGS;
            if (table[at] == 0 && table[at + 1] == 0) {
                return -1;
            }
            if (table[at] == id.hi() && table[at + 1] == id.lo()) {
                return s;
            }
        }
    }

    boolean sameBody(int slot, Body body) {
        int at = slot * SLOT_LONGS;
        return table[at + 2] == body.h0() && table[at + 3] == body.h1() && table[at + 4] == body.h2() && table[at + 5] == body.h3();
    }

    /** Where the first record of the id in {@code slot} was ({@link #position}). */
    long positionAt(int slot) {
        return table[slot * SLOT_LONGS + 6];
    }

    /**
     * Remembers {@code id} (not remembered yet: see {@link #find}) with its first record's body and
     * position.
     *
     * @return false, remembering nothing, when {@code idsMax} ids are remembered already
     */
    boolean add(Digest id, Body body, long position) {
        if (full()) {
            return false;
        }
        if ((size + 1) * 4 > (long) slots * 3) {
            grow();
        }
        put(table, slots, id.hi(), id.lo(), body.h0(), body.h1(), body.h2(), body.h3(), position);
        size++;
        return true;
    }

    /** Every remembered entry as {@value #SLOT_LONGS} longs (for a checkpoint's recent ids). */
    static long[] entry(Digest id, Body body, long position) {
        return new long[] { id.hi(), id.lo(), body.h0(), body.h1(), body.h2(), body.h3(), position };
    }

    /** Remembers an entry of {@link #entry}'s form unless its id is remembered already or the table is full. */
    boolean addEntry(long[] e) {
        Digest id = new Digest(e[0], e[1]);
        return find(id) < 0 && add(id, new Body(e[2], e[3], e[4], e[5]), e[6]);
    }

    private void grow() {
        int newSlots = slots << 1;
        if ((long) newSlots * SLOT_LONGS > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("an id table of " + newSlots + " slots does not fit one array");
        }
        long[] bigger = new long[newSlots * SLOT_LONGS];
        for (int s = 0; s < slots; s++) {
            int at = s * SLOT_LONGS;
            if (table[at] != 0 || table[at + 1] != 0) {
                put(bigger, newSlots, table[at], table[at + 1], table[at + 2], table[at + 3], table[at + 4], table[at + 5], table[at + 6]);
            }
        }
        table = bigger;
        slots = newSlots;
    }

    private static void put(long[] into, int slotCount, long hi, long lo, long h0, long h1, long h2, long h3, long position) {
        int mask = slotCount - 1;
        int s = slotOf(hi, lo, mask);
        while (into[s * SLOT_LONGS] != 0 || into[s * SLOT_LONGS + 1] != 0) {
            s = (s + 1) & mask;
        }
        int at = s * SLOT_LONGS;
        into[at] = hi;
        into[at + 1] = lo;
        into[at + 2] = h0;
        into[at + 3] = h1;
        into[at + 4] = h2;
        into[at + 5] = h3;
        into[at + 6] = position;
    }

    private static int slotOf(Digest id, int mask) {
        return slotOf(id.hi(), id.lo(), mask);
    }

    /** The digest is a cryptographic hash already: its bits are spread evenly. */
    private static int slotOf(long hi, long lo, int mask) {
        return (int) (lo ^ (lo >>> 32)) & mask;
    }
}
