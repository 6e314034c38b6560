package com.sportswallet.notifier.streams;

import java.util.List;

/**
 * The notifier's state stores. Plain constants (no Kafka Streams types) so that the replay tool,
 * which runs on a bare kafka-clients classpath, names the same internal topics: each store is
 * changelogged as {@code <application.id>-<store>-changelog}.
 */
public final class StoreNames {
    /** Recent event ids (window store, retention {@code notifier.dedupe-retention}). */
    public static final String DEDUPE = "dedupe";
    /** Per-bet stake and settlements, for wagering (key/value, bet id). */
    public static final String BETS = "bets";
    /** Per-player aggregates, served over REST through interactive queries (key/value, player id). */
    public static final String PLAYERS = "players";

    public static final List<String> ALL = List.of(DEDUPE, BETS, PLAYERS);

    /** The Kafka Streams application id, fixed by DESIGN.md. */
    public static final String APPLICATION_ID = "notifier";

    private StoreNames() {
    }
}
