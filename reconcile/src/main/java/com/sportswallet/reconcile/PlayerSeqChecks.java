package com.sportswallet.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code player-seq}: the per-player order of {@code wallet.events} is complete and unambiguous.
 * For every player with a CASH wallet, the {@code data.player_seq} values on the topic are exactly
 * 1..{@code wallet.player_seq}, each carried by one event id (re-sends of that id are fine): no
 * value missing (a fact never published), none beyond the wallet's counter, and no value on two
 * different events (two facts under one number, which would make consumers that dedupe by
 * (player, player_seq) drop one of them). Events without {@code player_seq} (written before it
 * existed, {@code _system} alerts) and players no wallet row names (a benchmark's removed
 * fixtures) are not checked. It is fed the events of {@link KafkaChecks#events}'s one pass over
 * the topic, and holds one entry per (player, player_seq) in memory.
 */
final class PlayerSeqChecks {
    static final String PLAYER_SEQ = "player-seq";
    private static final String WALLETS_SQL = "SELECT player_id, player_seq FROM wallet WHERE kind = 'CASH' AND player_seq > 0";
    private static final int FETCH_SIZE = 10_000;

    private final Map<String, Long> counters;
    private final CheckResult.Builder check;
    private final Map<String, Map<Long, String>> seen = new HashMap<>();

    PlayerSeqChecks(Map<String, Long> counters, int examples) {
        this.counters = counters;
        this.check = CheckResult.builder(PLAYER_SEQ, examples);
    }

    /** Each player's counter: the player_seq of its latest event. */
    static Map<String, Long> loadCounters(Connection c) throws SQLException {
        Map<String, Long> counters = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(WALLETS_SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counters.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return counters;
    }

    /** One record of wallet.events (a JSON object), read at {@code where}. */
    void event(JsonNode event, String where) {
        JsonNode seq = event.path("data").get("player_seq");
        String id = event.path("id").asText(null);
        String player = event.hasNonNull("subject") ? event.get("subject").asText() : event.path("data").path("player_id").asText(null);
        if (seq == null || !seq.canConvertToLong() || id == null || player == null || !counters.containsKey(player)) {
            return;
        }
        String first = seen.computeIfAbsent(player, p -> new HashMap<>()).putIfAbsent(seq.asLong(), id);
        if (first != null && !first.equals(id)) {
            check.add("player " + player + " player_seq " + seq.asLong() + " is on two events: " + first + " and " + id + " (" + where + ")");
        }
    }

    /** The check, once every record of {@code topic} was fed. */
    CheckResult result(String topic) {
        for (Map.Entry<String, Long> e : new TreeMap<>(counters).entrySet()) {
            Map<Long, String> values = seen.getOrDefault(e.getKey(), Map.of());
            long counter = e.getValue();
            for (long s = 1; s <= counter; s++) {
                if (!values.containsKey(s)) {
                    check.add("player " + e.getKey() + " player_seq " + s + " (of 1.." + counter + "): no event on " + topic);
                }
            }
            values.keySet().stream().filter(s -> s > counter || s < 1).sorted().forEach(s -> check.add("player " + e.getKey()
                    + " player_seq " + s + " on " + values.get(s) + ": outside the wallet's 1.." + counter));
        }
        return check.build();
    }
}
