package com.sportswallet.reconcile;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;

/**
 * The available balance (settled + pending, docs/ARCHITECTURE.md "Available = settled + pending")
 * that the answers and the decision events state, against the one record of it: the player's
 * {@code wallet.events} in {@code player_seq} order. A wallet starts at 0, and each event about a
 * player changes the available balance by its delta: {@code wallet.bet.placed},
 * {@code wallet.bet.won}, {@code wallet.bet.refunded}, {@code wallet.bet.discarded},
 * {@code wallet.deposit}, {@code wallet.withdrawal}: {@code data.amount} (signed: negative for a
 * stake or a withdrawal); {@code wallet.bet.rolled-back}: {@code data.amount} (minus the reversed
 * amount, whether the credit was cancelled while PENDING or debited once applied) plus
 * {@code data.absorbed_amount} when present (ROLLBACK_SHORTFALL=absorb: the house's write-off took
 * that part); {@code wallet.bet.lost}, {@code wallet.credit.applied}, {@code wallet.alert},
 * {@code wallet.player.status-changed} and the {@code wallet.bonus.*} events: 0. So the available balance after the event with
 * player_seq k is the sum of the deltas of the player's events 1..k. Two checks:
 * <ul>
 * <li>{@code available-after}: every event that carries {@code data.available_after} (every
 * decision: placed, won, lost, refunded, discarded, rolled-back; the operator's deposit and
 * withdrawal too) states that running sum at its own player_seq. Events written before
 * {@code available_after} existed carry none and are not checked;</li>
 * <li>{@code answered-balance}: every stored answer with a {@code player_seq} (V8: the player's
 * player_seq after the answer's decision, read from the wallet row version its balance came from)
 * answered, as {@code balance}, that running sum at its player_seq. The answer's player is its
 * body's {@code user_id} (provider money bodies) or {@code player_id} (operator deposits and
 * withdrawals); a discard's {@code {"balance":N}} names none, so its player is the one of the bet
 * its key (the make's provider transaction id) made ({@code bet.provider_tx_id}). An answer with a
 * player_seq must carry a balance and name a player, and its player_seq must lie within
 * 0..the wallet's counter. Answers without a player_seq (tombstones, answers stored before V8)
 * are not checked, nor answers of a player no CASH wallet row names (a benchmark's removed
 * fixtures, as {@code player-seq}).</li>
 * </ul>
 * Missing data is reported, never passed over: a running sum needs every event 1..k, so a value
 * at or after a player's first hole (a player_seq with no event on the topic, one on two events
 * that differ, an event of a type this check does not know or without its amount) cannot be
 * checked, and each player with such values counts ONE discrepancy per check, naming the hole (a
 * missing or doubled player_seq is also {@code player-seq}'s discrepancy). A player none of whose
 * events were read (the topic was not read, or lost them) is such a player from player_seq 1 on.
 * A fact a recovery recorded as lost ({@link LostFacts}) keeps its player_seq (no hole) with a
 * delta of 0, and what it stated is not checked: the restored balances no longer hold it.
 * Not covered: a wallet that held money before V5 (player_seq started at 0 there, after events
 * that carry none), whose running sums miss that opening balance.
 *
 * <p>Fed the records of {@link KafkaChecks#events}'s one pass over the topic ({@link #event}); the
 * answers are read from the database snapshot beforehand ({@link #load}). Memory: per player with
 * events, two longs and a byte per player_seq up to its counter; per checked answer, its endpoint,
 * key and two longs (about 100 bytes).
 */
final class AvailableChecks {
    static final String AVAILABLE_AFTER = "available-after";
    static final String ANSWERED_BALANCE = "answered-balance";

    /* Every stored answer with a player_seq, and for a discard the player of the bet its key made. */
    private static final String ANSWERS_SQL = """
            SELECT r.endpoint, r.key, r.player_seq, r.response_body, b.player_id
            FROM idempotency_record r
            LEFT JOIN bet b ON r.endpoint = 'bet/discard' AND b.provider_tx_id = r.key
            WHERE r.player_seq IS NOT NULL
            """;
    /* The counters of answered players that have no events yet (player-seq loads only counters > 0). */
    private static final String WALLETS_SQL = "SELECT player_id, player_seq FROM wallet WHERE kind = 'CASH' AND player_id = ANY(?)";
    private static final int FETCH_SIZE = 10_000;
    private static final int CHUNK = 10_000;

    /** The event types whose delta is known, by code (the index + 1; 0 = no event seen at that player_seq). */
    private static final List<String> TYPES = List.of(EventTypes.BET_PLACED, EventTypes.BET_WON, EventTypes.BET_REFUNDED,
            EventTypes.BET_DISCARDED, EventTypes.DEPOSIT, EventTypes.WITHDRAWAL, EventTypes.BET_ROLLED_BACK, EventTypes.BET_LOST,
            EventTypes.CREDIT_APPLIED, EventTypes.ALERT, EventTypes.PLAYER_STATUS_CHANGED,
            // A bonus's own events move no cash (issue 14): a freebet's stake and win are on the bet's events.
            EventTypes.BONUS_GRANTED, EventTypes.BONUS_REDEEMED, EventTypes.BONUS_RELEASED, EventTypes.BONUS_DONE, EventTypes.BONUS_REVOKED,
            EventTypes.BONUS_CLAIMED,
            EventTypes.BONUS_EXPIRED,
            // Responsible gaming (issue 15) moves no money: an exclusion, and a limit a make or deposit reached (that fact has its own event).
            EventTypes.PLAYER_EXCLUDED, EventTypes.LIMIT_REACHED);
    /** The first types of {@link #TYPES}: their delta is {@code data.amount}. */
    private static final int AMOUNT_TYPES = 6;
    private static final int ROLLED_BACK_CODE = TYPES.indexOf(EventTypes.BET_ROLLED_BACK) + 1;

    /** One stored answer to check. */
    private record Answer(String endpoint, String key, long playerSeq, long balance) {
        String describe(String player) {
            return "answer " + endpoint + " " + key + " (player " + player + ", player_seq " + playerSeq + ", balance " + balance + ")";
        }
    }

    /** A player's events, by player_seq 1..counter: the delta, the type, the stated available_after. */
    private static final class Events {
        final long[] delta;
        final byte[] type;
        final long[] availableAfter;
        final BitSet stated = new BitSet();
        /** player_seq values that cannot be summed (two differing events, an unknown type, no amount): why. */
        final TreeMap<Integer, String> unusable = new TreeMap<>();

        Events(int counter) {
            delta = new long[counter + 1];
            type = new byte[counter + 1];
            availableAfter = new long[counter + 1];
        }

        /** The first player_seq whose running sum is unknown (counter + 1 when none), and why. */
        Map.Entry<Integer, String> firstHole(String topic) {
            int missing = 1;
            while (missing < type.length && type[missing] != 0) {
                missing++;
            }
            Map.Entry<Integer, String> bad = unusable.firstEntry();
            if (bad != null && bad.getKey() < missing) {
                return bad;
            }
            return Map.entry(missing, missing < type.length ? "has no event on " + topic : "");
        }
    }

    private final Map<String, Long> counters;
    private final LostFacts lost;
    private final Map<String, Long> moreCounters = new HashMap<>();
    private final Map<String, List<Answer>> answers = new HashMap<>();
    private final Map<String, Events> events = new HashMap<>();
    private final CheckResult.Builder availableAfter;
    private final CheckResult.Builder answeredBalance;
    private long answerCount;

    private AvailableChecks(Map<String, Long> counters, LostFacts lost, int examples) {
        this.counters = counters;
        this.lost = lost;
        this.availableAfter = CheckResult.builder(AVAILABLE_AFTER, examples);
        this.answeredBalance = CheckResult.builder(ANSWERED_BALANCE, examples);
    }

    /**
     * Reads the stored answers to check from the snapshot {@code c} is in. {@code counters}: each
     * player's player_seq ({@link PlayerSeqChecks#loadCounters}: players with events), not changed.
     */
    static AvailableChecks load(Connection c, Map<String, Long> counters, LostFacts lost, int examples) throws SQLException {
        AvailableChecks checks = new AvailableChecks(counters, lost, examples);
        Set<String> unknownPlayers = new HashSet<>();
        Map<String, String> endpoints = new HashMap<>(); // one String per endpoint
        try (PreparedStatement ps = c.prepareStatement(ANSWERS_SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String endpoint = endpoints.computeIfAbsent(rs.getString(1), e -> e);
                    String player = checks.answer(endpoint, rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5));
                    if (player != null && !counters.containsKey(player)) {
                        unknownPlayers.add(player);
                    }
                }
            }
        }
        List<String> all = new ArrayList<>(unknownPlayers);
        try (PreparedStatement ps = c.prepareStatement(WALLETS_SQL)) {
            for (int from = 0; from < all.size(); from += CHUNK) {
                ps.setArray(1, c.createArrayOf("text", all.subList(from, Math.min(all.size(), from + CHUNK)).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        checks.moreCounters.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return checks;
    }

    /** Keeps one stored answer (or reports why it cannot be checked); returns its player, or null. */
    private String answer(String endpoint, String key, long playerSeq, String body, String betPlayer) {
        JsonNode json;
        try {
            json = body == null ? null : CloudEventJson.mapper().readTree(body);
        } catch (IOException e) {
            json = null;
        }
        String where = "answer " + endpoint + " " + key + " (player_seq " + playerSeq + ")";
        if (json == null || !json.isObject()) {
            answeredBalance.add(where + ": its stored body is no JSON object");
            return null;
        }
        Long balance = integral(json.get("balance"));
        if (balance == null) {
            answeredBalance.add(where + ": has a player_seq but no balance");
            return null;
        }
        String player = json.hasNonNull("user_id") ? json.get("user_id").asText()
                : json.hasNonNull("player_id") ? json.get("player_id").asText() : betPlayer;
        if (player == null) {
            answeredBalance.add(where + ": names no player (no user_id or player_id, and no bet made by transaction " + key + ")");
            return null;
        }
        answers.computeIfAbsent(player, p -> new ArrayList<>()).add(new Answer(endpoint, key, playerSeq, balance));
        answerCount++;
        return player;
    }

    /** The number of stored answers kept to check. */
    long answers() {
        return answerCount;
    }

    /** One record of wallet.events (a JSON object). */
    void event(JsonNode event) {
        JsonNode data = event.path("data");
        Long seq = integral(data.get("player_seq"));
        if (seq == null) {
            return;
        }
        String player = event.hasNonNull("subject") ? event.get("subject").asText() : data.path("player_id").asText(null);
        Long counter = player == null ? null : counters.get(player);
        if (counter == null || seq < 1 || seq > counter || counter >= Integer.MAX_VALUE) {
            return; // player-seq reports a value outside 1..counter; a player without a wallet row is not checked
        }
        Events e = events.computeIfAbsent(player, p -> new Events(counter.intValue()));
        int k = seq.intValue();
        String typeName = event.path("type").asText("");
        int code = TYPES.indexOf(typeName) + 1;
        long delta = 0;
        String problem = null;
        if (code == 0) {
            problem = "is a " + (typeName.isEmpty() ? "record without a type" : typeName)
                    + " event, whose effect on the balance is unknown";
        } else if (code <= AMOUNT_TYPES || code == ROLLED_BACK_CODE) {
            Long amount = integral(data.get("amount"));
            JsonNode absorbedNode = data.get("absorbed_amount");
            Long absorbed = absorbedNode == null || absorbedNode.isNull() ? Long.valueOf(0) : integral(absorbedNode);
            if (amount == null || absorbed == null) {
                problem = "is a " + typeName + " event without an integral amount" + (absorbed == null ? " absorbed" : "");
            } else {
                delta = amount + (code == ROLLED_BACK_CODE ? absorbed : 0);
            }
        }
        Long stated = integral(data.get("available_after"));
        boolean states = stated != null;
        if (lost.contains(event.path("id").asText(null))) {
            // Published before a restore took the database back past it (LostFacts): its amount is in no balance
            // any more, and what it stated is no longer checkable.
            delta = 0;
            states = false;
            problem = null;
        }
        if (e.type[k] != 0) {
            // Seen already: a re-sent copy is identical; another event under the same number makes the sum ambiguous.
            boolean same = e.type[k] == (code == 0 ? -1 : code) && e.delta[k] == delta && e.stated.get(k) == states
                    && (!states || e.availableAfter[k] == stated);
            if (!same) {
                e.unusable.putIfAbsent(k, "is on two events that differ (" + typeName(e.type[k]) + ", " + typeName + ")");
            }
            return;
        }
        e.type[k] = (byte) (code == 0 ? -1 : code);
        e.delta[k] = delta;
        if (problem != null) {
            e.unusable.putIfAbsent(k, problem);
        }
        if (states) {
            e.stated.set(k);
            e.availableAfter[k] = stated;
        }
    }

    /** A JSON integer that fits a long, else null. */
    private static Long integral(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToLong() ? n.asLong() : null;
    }

    private static String typeName(byte code) {
        return code > 0 ? TYPES.get(code - 1) : "an unknown type";
    }

    /** Both checks ({@code available-after}, then {@code answered-balance}), once every record of {@code topic} was fed. */
    List<CheckResult> results(String topic) {
        Set<String> players = new TreeSet<>(events.keySet());
        players.addAll(answers.keySet());
        for (String player : players) {
            Long counter = counters.containsKey(player) ? counters.get(player) : moreCounters.get(player);
            if (counter == null) {
                continue; // no CASH wallet row names the player
            }
            Events e = events.get(player);
            Map.Entry<Integer, String> hole = e != null ? e.firstHole(topic)
                    : Map.entry(1, counter > 0 ? "has no event on " + topic : "");
            int firstHole = hole.getKey();
            // The running sums 1..firstHole-1, in place of the deltas.
            long[] sum = e != null ? e.delta : new long[1];
            for (int k = 1; k < firstHole; k++) {
                sum[k] += sum[k - 1];
            }
            if (e != null) {
                checkStated(player, e, sum, firstHole, hole.getValue());
            }
            checkAnswers(player, counter, sum, firstHole, hole.getValue(), topic);
        }
        return List.of(availableAfter.build(), answeredBalance.build());
    }

    private void checkStated(String player, Events e, long[] sum, int firstHole, String why) {
        int unchecked = 0;
        for (int k = e.stated.nextSetBit(1); k >= 0; k = e.stated.nextSetBit(k + 1)) {
            if (k >= firstHole) {
                unchecked++;
            } else if (e.availableAfter[k] != sum[k]) {
                availableAfter.add("player " + player + " player_seq " + k + " (" + typeName(e.type[k]) + "): available_after "
                        + e.availableAfter[k] + ", but its events 1.." + k + " add up to " + sum[k]);
            }
        }
        if (unchecked > 0) {
            availableAfter.add("player " + player + ": " + unchecked + " available_after value" + (unchecked == 1 ? "" : "s")
                    + " from player_seq " + firstHole + " on cannot be checked: player_seq " + firstHole + " " + why);
        }
    }

    private void checkAnswers(String player, long counter, long[] sum, int firstHole, String why, String topic) {
        int unchecked = 0;
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (Answer a : answers.getOrDefault(player, List.of())) {
            if (a.playerSeq() < 0 || a.playerSeq() > counter) {
                answeredBalance.add(a.describe(player) + ": beyond the wallet's player_seq " + counter);
            } else if (a.playerSeq() >= firstHole) {
                unchecked++;
                lo = Math.min(lo, a.playerSeq());
                hi = Math.max(hi, a.playerSeq());
            } else if (a.balance() != sum[(int) a.playerSeq()]) {
                answeredBalance.add(a.describe(player) + ": the events 1.." + a.playerSeq() + " on " + topic + " add up to "
                        + sum[(int) a.playerSeq()]);
            }
        }
        if (unchecked > 0) {
            answeredBalance.add("player " + player + ": " + unchecked + " answer" + (unchecked == 1 ? "" : "s") + " (player_seq "
                    + (lo == hi ? lo : lo + ".." + hi) + ") cannot be checked: player_seq " + firstHole + " " + why);
        }
    }
}
