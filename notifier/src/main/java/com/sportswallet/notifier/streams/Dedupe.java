package com.sportswallet.notifier.streams;

import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * Exactly-once per source fact, for any event age and any clock: nothing here looks at a time.
 * <ul>
 * <li>An event with {@code player_seq} is named by (player, player_seq). Per player, a
 * {@link SeqWindow}: a contiguous watermark plus the values seen above it, at most
 * {@code aheadMax}. When that set would exceed the bound, the watermark moves past the oldest
 * missing values; each one skipped goes to the holes store (never expires; counted in
 * {@code notifier_dedupe_holes_opened_total}, logged), and an event that later arrives in a hole
 * is processed once and removes it. So reaching the bound never drops or doubles a fact; it costs
 * one small row per value still missing.</li>
 * <li>An event without {@code player_seq} (written before it existed, or a {@code _system} alert)
 * is named by its id, kept in the ids store, which never expires: events before the migration are
 * finite, alerts without a player rare.</li>
 * <li>{@link #firstFact(String)} names derived facts the same way (e.g. one negative balance per
 * wallet version).</li>
 * </ul>
 * Runs in the stream task under exactly_once_v2: the stores' changelogs, the outputs and the input
 * offset commit together.
 */
final class Dedupe {
    private static final Logger LOG = Logger.getLogger(Dedupe.class);
    private static final Counter HOLES_OPENED = Metrics.counter("notifier.dedupe.holes.opened");
    private static final Counter HOLES_FILLED = Metrics.counter("notifier.dedupe.holes.filled");
    private static final Counter DUPLICATES = Metrics.counter("notifier.dedupe.duplicates");
    private static final Long MARK = 1L;
    private static final char SEP = '\u0000';

    private final KeyValueStore<String, SeqWindow> windows;
    private final KeyValueStore<String, Long> holes;
    private final KeyValueStore<String, Long> ids;
    private final int aheadMax;

    Dedupe(KeyValueStore<String, SeqWindow> windows, KeyValueStore<String, Long> holes, KeyValueStore<String, Long> ids,
            int aheadMax) {
        this.windows = windows;
        this.holes = holes;
        this.ids = ids;
        this.aheadMax = aheadMax;
    }

    /**
     * True the first time this event is seen, by (player, {@code playerSeq}), or by {@code eventId}
     * when it has no player_seq; records it. A re-send is counted in {@code notifier_dedupe_duplicates_total}.
     */
    boolean firstSighting(String player, Long playerSeq, String eventId) {
        boolean first = playerSeq != null ? firstBySeq(player, playerSeq) : firstFact(eventId);
        if (!first) {
            DUPLICATES.increment();
        }
        return first;
    }

    private boolean firstBySeq(String player, long seq) {
        SeqWindow w = windows.get(player);
        if (w == null) {
            w = new SeqWindow();
        }
        if (seq <= w.watermark) {
            String hole = holeKey(player, seq);
            if (holes.get(hole) != null) {
                holes.delete(hole);
                HOLES_FILLED.increment();
                LOG.infof("player %s: player_seq %d arrived after its hole was opened; processed once", player, seq);
                return true;
            }
            return false;
        }
        if (!w.add(seq)) {
            return false;
        }
        while (w.aheadSize() > aheadMax) {
            long skipped = w.skipOldestMissing();
            holes.put(holeKey(player, skipped), MARK);
            HOLES_OPENED.increment();
            LOG.warnf("player %s: %d values seen above player_seq %d (bound %d); it is kept as a hole until it arrives",
                    player, w.aheadSize(), skipped, aheadMax);
        }
        windows.put(player, w);
        return true;
    }

    /** True the first time this event id (an event without player_seq) or derived fact key is seen; records it. */
    boolean firstFact(String key) {
        if (ids.get(key) != null) {
            return false;
        }
        ids.put(key, MARK);
        return true;
    }

    static String holeKey(String player, long seq) {
        return player + SEP + seq;
    }

    static String factKey(String kind, String player, long value) {
        return kind + SEP + player + SEP + value;
    }
}
