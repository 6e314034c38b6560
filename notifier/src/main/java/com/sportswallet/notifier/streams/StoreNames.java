package com.sportswallet.notifier.streams;

import java.util.List;

/**
 * The notifier's state stores. Plain constants (no Kafka Streams types): each store is changelogged
 * as {@code <application.id>-<store>-changelog}, the internal topics Kafka's StreamsResetter deletes
 * on a replay ({@code scripts/replay notifier}; the tests check it). None of them expires anything by
 * time: nothing in the notifier depends on stream time or on an event's {@code time}.
 */
public final class StoreNames {
    /** Per player, the contiguous {@code player_seq} watermark and the values seen above it (key/value, player id). */
    public static final String DEDUPE_SEQ = "dedupe-seq";
    /** (player, player_seq) values the watermark skipped before they arrived (key/value, never expires). */
    public static final String DEDUPE_HOLES = "dedupe-holes";
    /** Ids of events without player_seq, and derived fact keys (key/value, never expires). */
    public static final String DEDUPE_IDS = "dedupe-ids";
    /** Per-bet stake and settlements, for wagering on events written before bet events carried their stake (key/value, bet id). */
    public static final String BETS = "bets";
    /** Per-player aggregates, served over REST through interactive queries (key/value, player id). */
    public static final String PLAYERS = "players";

    public static final List<String> ALL = List.of(DEDUPE_SEQ, DEDUPE_HOLES, DEDUPE_IDS, BETS, PLAYERS);

    /** The Kafka Streams application id, fixed by DESIGN.md. */
    public static final String APPLICATION_ID = "notifier";

    private StoreNames() {
    }
}
