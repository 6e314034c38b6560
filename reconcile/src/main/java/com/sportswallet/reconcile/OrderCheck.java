package com.sportswallet.reconcile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.outbox.SystemAlert;

/**
 * {@code events-order} and {@code commands-order}: each player's records on a topic keyed by
 * player come in the order they were decided (DESIGN.md, "Per-player order"), each fact under one
 * body. Consumers rely on it: the notifier dedupes by (player, {@code player_seq}), the worker
 * applies a player's credits in turn. One pass over the topic, partition by partition in offset
 * order, from the beginning or from a checkpoint ({@link OrderCheckpoint}), up to the end offsets
 * captured when the pass starts. Each record is, in this order:
 * <ol>
 * <li><b>malformed</b> (a discrepancy): not a JSON object, without one of the CloudEvent
 * attributes {@code id}, {@code type}, {@code source}, {@code specversion} (non-empty strings),
 * with a Kafka key that is not its {@code subject} (a record under another key lands on another
 * partition, outside its player's order), or with a {@code player_seq} or {@code sequence} that is
 * not an integer;</li>
 * <li>a <b>duplicate</b> (counted, no discrepancy) when its id was seen before with the same value
 * bytes (SHA-256): a relay re-sending after a crash, even long after and out of order; a
 * <b>violation</b> when the id was seen with another body (two facts under one id: consumers that
 * dedupe by id keep one of them);</li>
 * <li><b>skipped</b> (counted apart, never a discrepancy): key {@code _system} (the pipeline's
 * alerts, about no player: no order to keep), no {@code data.player_seq} (events written before it
 * existed, other producers), or a player the database does not know (a benchmark's removed
 * fixtures);</li>
 * <li>else the first occurrence of a fact, compared with the player's previous one: its
 * {@code player_seq} must be above the previous one's (on {@code settlement.commands}: the
 * player_seq of the decision the command was written with, one command per decision), its
 * {@code data.sequence} (the wallet version, on events that moved settled money) above the last
 * one the player's records carried, or equal on a {@code wallet.alert} (it restates the wallet of
 * the rolled-back event just before it), and it must be on the partition of the player's previous
 * record. At most one violation per record, naming both records.</li>
 * </ol>
 *
 * <p>Memory is bounded: per player seen the last record's position, id, player_seq and sequence
 * (about 250 bytes: the player's key, the id string, the state and a map entry), the database's
 * player ids (a set, about 100 bytes each), per id remembered 75 to 150 bytes ({@link SeenIds};
 * only first occurrences of checked records are remembered), at most {@code idsMax} ids. Past that, ids are no longer remembered: duplicate detection is partial,
 * said in the summary, and a record seen out of order whose id is not remembered is still a
 * violation, its text saying it may be a re-send (raise ORDER_CHECK_IDS_MAX, or run more often
 * with a checkpoint).
 */
final class OrderCheck {
    static final String EVENTS_ORDER = "events-order";
    static final String COMMANDS_ORDER = "commands-order";
    /** Ids remembered per topic and run unless ORDER_CHECK_IDS_MAX or --order-ids-max says otherwise: a table of at most 235 MB. */
    static final long IDS_MAX_DEFAULT = 3_000_000;
    static final String IDS_MAX_ENV = "ORDER_CHECK_IDS_MAX";
    private static final String PLAYERS_SQL = "SELECT id FROM player";

    /** The players the database knows, loaded once the pass knows where it ends (so every record it reads has its player loaded). */
    @FunctionalInterface
    interface KnownPlayers {
        Set<String> load() throws ReconcileException;
    }

    /** What one pass found, besides its discrepancies. */
    record Stats(String topic, long records, long players, long violations, long duplicates, long malformed, long skippedNoPlayerSeq,
            long skippedUnknownPlayer, long skippedSystem, long idsRemembered, long idsMax, boolean partial, boolean fromCheckpoint) {

        long skipped() {
            return skippedNoPlayerSeq + skippedUnknownPlayer + skippedSystem;
        }

        /** One line: {@code order TOPIC: records N, players N, violations N, duplicates N, malformed N, skipped N (...)...}. */
        String summary() {
            return "order " + topic + ": records " + records + (fromCheckpoint ? " (from the checkpoint)" : " (from the beginning)")
                    + ", players " + players + ", violations " + violations + ", duplicates " + duplicates + ", malformed " + malformed
                    + ", skipped " + skipped() + " (no player_seq " + skippedNoPlayerSeq + ", unknown player " + skippedUnknownPlayer
                    + ", _system " + skippedSystem + "), ids remembered " + idsRemembered + " of at most " + idsMax
                    + (partial ? " (PARTIAL duplicate detection: ids past the cap were not remembered)" : "");
        }
    }

    /** The check, its figures, and the checkpoint section to store. */
    record Outcome(CheckResult check, Stats stats, OrderCheckpoint.Section section) {
    }

    private final String topic;
    private final CheckResult.Builder check;
    private final OrderCheckpoint.Section state;
    private final SeenIds ids;
    private final boolean fromCheckpoint;
    private Set<String> knownPlayers = Set.of();
    private long records;
    private long players;
    private long violations;
    private long duplicates;
    private long malformed;
    private long skippedNoPlayerSeq;
    private long skippedUnknownPlayer;
    private long skippedSystem;
    private boolean partial;

    /**
     * @param from the topic's checkpoint section to go on from (its players' last records and its
     *             recent ids are taken over), or null to start afresh
     */
    OrderCheck(String topic, String checkName, OrderCheckpoint.Section from, long idsMax, int examples) {
        this.topic = topic;
        this.check = CheckResult.builder(checkName, examples);
        this.ids = new SeenIds(idsMax);
        this.fromCheckpoint = from != null;
        this.state = new OrderCheckpoint.Section(topic);
        if (from != null) {
            state.players.putAll(from.players);
            from.recent.forEach((partition, entries) -> entries.forEach(e -> {
                state.remember(partition, e);
                if (!ids.addEntry(e) && ids.full()) {
                    partial = true;
                }
            }));
        }
    }

    /**
     * Reads {@code topic} once (from {@code from}'s offsets, else from the beginning) and checks it.
     * Never waits past the end offsets captured at the start; a broker that stops answering fails
     * the read after {@link TopicReader#STALL_MAX}.
     */
    static Outcome run(String bootstrap, String topic, String checkName, OrderCheckpoint.Section from, KnownPlayers known, long idsMax,
            int examples) throws ReconcileException {
        OrderCheck c = new OrderCheck(topic, checkName, from, idsMax, examples);
        TopicReader.Span span = TopicReader.readBytes(bootstrap, topic, from == null ? Map.of() : from.next,
                () -> c.knownPlayers = known.load(), c::record);
        c.state.next.putAll(span.end());
        return c.outcome();
    }

    /** Every player id the database knows. */
    static Set<String> loadPlayers(Connection db) throws SQLException {
        return Sql.strings(db, PLAYERS_SQL);
    }

    Outcome outcome() {
        Stats stats = new Stats(topic, records, players, violations, duplicates, malformed, skippedNoPlayerSeq, skippedUnknownPlayer,
                skippedSystem, ids.size(), ids.idsMax(), partial, fromCheckpoint);
        return new Outcome(check.build(), stats, state);
    }

    void record(ConsumerRecord<byte[], byte[]> r) {
        record(r.partition(), r.offset(), r.key(), r.value());
    }

    /** One record, read at {@code partition}@{@code offset}; records come partition by partition in offset order. */
    void record(int partition, long offset, byte[] keyBytes, byte[] value) {
        records++;
        String where = topic + "-" + partition + "@" + offset;
        String key = keyBytes == null ? null : new String(keyBytes, StandardCharsets.UTF_8);
        JsonNode event = parse(value);
        String problem = malformation(event, key);
        if (problem != null) {
            malformed("record " + where + " (key " + key + "): " + problem);
            return;
        }
        String id = event.get("id").asText();
        SeenIds.Digest digest = ids.digest(id);
        SeenIds.Body body = ids.body(value);
        int slot = ids.find(digest);
        if (slot >= 0) {
            if (ids.sameBody(slot, body)) {
                duplicates++;
            } else {
                violation("id " + id + " at " + where + " (player " + key + ") has another body than its first record at "
                        + at(ids.positionAt(slot)));
            }
            return;
        }
        if (SystemAlert.SYSTEM_KEY.equals(key)) {
            skippedSystem++;
            return;
        }
        JsonNode data = event.get("data");
        JsonNode seqNode = data == null ? null : data.get("player_seq");
        if (seqNode == null || seqNode.isNull()) {
            skippedNoPlayerSeq++;
            return;
        }
        if (!knownPlayers.contains(key)) {
            skippedUnknownPlayer++;
            return;
        }
        long position = SeenIds.position(partition, offset);
        if (ids.add(digest, body, position)) {
            state.remember(partition, SeenIds.entry(digest, body, position));
        } else {
            partial = true;
        }
        boolean alert = EventTypes.ALERT.equals(event.get("type").asText());
        order(key, id, partition, offset, where, seqNode.asLong(), data.get("sequence"), alert);
    }

    private void order(String player, String id, int partition, long offset, String where, long playerSeq, JsonNode sequenceNode,
            boolean alert) {
        OrderCheckpoint.PlayerState s = state.players.get(player);
        long sequence = sequenceNode == null || sequenceNode.isNull() ? OrderCheckpoint.PlayerState.NONE : sequenceNode.asLong();
        if (s == null) {
            s = new OrderCheckpoint.PlayerState();
            state.players.put(player, s);
        } else {
            List<String> wrong = new ArrayList<>(2);
            if (s.partition != partition) {
                wrong.add("on another partition (a player's records on two partitions have no order)");
            } else {
                if (playerSeq <= s.playerSeq) {
                    wrong.add("player_seq not increasing");
                }
                if (sequence != OrderCheckpoint.PlayerState.NONE && s.sequence != OrderCheckpoint.PlayerState.NONE
                        && (alert ? sequence < s.sequence : sequence <= s.sequence)) {
                    wrong.add("sequence not increasing (the player's last sequence " + s.sequence + ", at " + topic + "-" + partition + "@"
                            + s.sequenceOffset + ")");
                }
            }
            if (!wrong.isEmpty()) {
                violation("player " + player + ": player_seq " + playerSeq
                        + (sequence == OrderCheckpoint.PlayerState.NONE ? "" : " sequence " + sequence) + " (id " + id + ", " + where
                        + ") after player_seq " + s.playerSeq + " (id " + s.id + ", " + topic + "-" + s.partition + "@" + s.offset + "): "
                        + String.join("; ", wrong)
                        + (partial ? " (duplicate detection is partial: it may be a re-send of an id no longer remembered)" : ""));
            }
        }
        if (!s.read) {
            s.read = true;
            players++;
        }
        // On another partition the last sequence (and its offset) belonged to the old one: start over from this record.
        if (sequence != OrderCheckpoint.PlayerState.NONE || s.partition != partition) {
            s.sequence = sequence;
            s.sequenceOffset = offset;
        }
        s.partition = partition;
        s.offset = offset;
        s.id = id;
        s.playerSeq = playerSeq;
    }

    private static JsonNode parse(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return CloudEventJson.mapper().readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    /** Why the record is no CloudEvent of a player's order, or null. */
    private static String malformation(JsonNode event, String key) {
        if (event == null || !event.isObject()) {
            return "not a JSON object";
        }
        for (String attribute : new String[] { "specversion", "id", "source", "type" }) {
            JsonNode v = event.get(attribute);
            if (v == null || !v.isTextual() || v.asText().isEmpty()) {
                return "not a CloudEvent: no " + attribute;
            }
        }
        JsonNode subject = event.get("subject");
        String subjectText = subject != null && subject.isTextual() ? subject.asText() : null;
        if (key == null || !key.equals(subjectText)) {
            return "its key is not its subject " + (subjectText == null ? "(none)" : subjectText);
        }
        JsonNode data = event.get("data");
        for (String field : new String[] { "player_seq", "sequence" }) {
            JsonNode v = data == null ? null : data.get(field);
            if (v != null && !v.isNull() && !(v.isIntegralNumber() && v.canConvertToLong())) {
                return "data." + field + " is not an integer: " + v;
            }
        }
        return null;
    }

    private void violation(String text) {
        violations++;
        check.add("violation: " + text);
    }

    private void malformed(String text) {
        malformed++;
        check.add("malformed: " + text);
    }

    private String at(long position) {
        return topic + "-" + SeenIds.partitionOf(position) + "@" + SeenIds.offsetOf(position);
    }
}
