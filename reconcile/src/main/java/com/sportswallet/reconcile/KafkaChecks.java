package com.sportswallet.reconcile;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.CreditCommand;
import com.sportswallet.contracts.EventTypes;

/**
 * PostgreSQL against Kafka: the commands on {@code settlement.commands}, the events on
 * {@code wallet.events}, and the consumer groups' lag.
 *
 * <p>Both topic checks compare sets in memory: the credits (id, wallet, amount, status: about 150
 * bytes each) and the ledger entries (the expected event id, player, version, key: about 250 bytes
 * each) are loaded from the database snapshot, then each topic is streamed once (records are not
 * kept, except the positions of events whose id no ledger entry expects). So a few million ledger
 * entries and credits per GB of heap; scripts/reconcile runs with -Xmx2g unless RECONCILE_JAVA_OPTS
 * says otherwise.
 */
final class KafkaChecks {
    static final String SETTLEMENT_COMMANDS = "settlement-commands";
    static final String LEDGER_EVENTS = "ledger-events";
    static final String CONSUMER_LAG = "consumer-lag";

    private static final long ADMIN_TIMEOUT_SECONDS = 30;
    private static final int FETCH_SIZE = 10_000;

    /* Every credit, for the commands check: what each command must agree with. */
    private static final String CREDITS_SQL = "SELECT id, wallet_id, amount, status FROM credit";

    /*
     * Every ledger entry of a player's wallet, with its player: each one's event must be on
     * wallet.events. Not the house's write-off wallets (kind WRITE_OFF: no events, by design; the
     * write-off check proves their entries), nor a 'rollback-absorbed' entry: ROLLBACK_SHORTFALL=absorb
     * writes it right after its 'rollback' entry K (key K:absorbed) and the one rolled-back event
     * records both, naming the wallet after them (sequence = the absorbed entry's version), so a
     * 'rollback' entry comes with the version of its absorbed entry, if any (the write-off check
     * reports an absorbed entry without its rollback).
     */
    private static final String LEDGER_SQL = """
            SELECT l.wallet_id, w.player_id, l.wallet_version, l.operation, l.idempotency_key, a.wallet_version AS absorbed_version
            FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id
            LEFT JOIN ledger_entry a ON l.operation = 'rollback' AND a.operation = 'rollback-absorbed'
                                    AND a.idempotency_key = l.idempotency_key || ':absorbed' AND a.wallet_id = l.wallet_id
            WHERE w.kind <> 'WRITE_OFF' AND l.operation <> 'rollback-absorbed'
            """;

    private KafkaChecks() {
    }

    // ------------------------------------------------------------------ settlement.commands

    record Credit(long walletId, long amount, String status) {
    }

    static Map<String, Credit> loadCredits(Connection c) throws SQLException {
        Map<String, Credit> credits = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(CREDITS_SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    credits.put(rs.getString(1), new Credit(rs.getLong(2), rs.getLong(3), rs.getString(4).intern()));
                }
            }
        }
        return credits;
    }

    /**
     * Every command on the topic names a credit that exists, agrees with it (wallet, amount) and
     * was decided: APPLIED or CANCELLED (a PENDING one is reported by credits-pending, not twice);
     * and every credit has its command on the topic (else nothing would ever apply it). Re-sent
     * copies of a command (same event id) are expected and fine.
     */
    static CheckResult commands(String bootstrap, String topic, Map<String, Credit> credits, int examples) throws ReconcileException {
        CheckResult.Builder check = CheckResult.builder(SETTLEMENT_COMMANDS, examples);
        Set<String> commanded = new HashSet<>();
        Set<String> reported = new HashSet<>();
        TopicReader.readAll(bootstrap, topic, r -> {
            String where = r.topic() + "-" + r.partition() + "@" + r.offset();
            CreditCommand cmd;
            try {
                cmd = CreditCommand.parse(r.value());
            } catch (CreditCommand.PoisonException e) {
                check.add("record " + where + " is no credit command: " + e.getMessage());
                return;
            }
            commanded.add(cmd.creditId());
            Credit credit = credits.get(cmd.creditId());
            String problem = null;
            if (credit == null) {
                problem = "names no credit";
            } else if (credit.walletId() != cmd.walletId() || credit.amount() != cmd.amount()) {
                problem = "says " + cmd.amount() + " to wallet " + cmd.walletId() + ", the credit " + credit.amount() + " to wallet "
                        + credit.walletId();
            }
            if (problem != null && reported.add(cmd.creditId())) {
                check.add("command " + cmd.eventId() + " (" + where + ") for credit " + cmd.creditId() + " " + problem);
            }
        });
        for (Map.Entry<String, Credit> e : credits.entrySet()) {
            if (!commanded.contains(e.getKey())) {
                check.add("credit " + e.getKey() + " (" + e.getValue().status() + ", " + e.getValue().amount() + " to wallet "
                        + e.getValue().walletId() + ") has no command on " + topic);
            }
        }
        return check.build();
    }

    // ------------------------------------------------------------------ wallet.events

    /** One ledger entry whose event is expected. */
    static final class Expected {
        final long walletId;
        final long version;
        final String player;
        final String operation;
        final String key;
        /** The version of the 'rollback-absorbed' entry written right after this 'rollback' entry, or 0: its event may name either. */
        final long absorbedVersion;
        boolean found;
        boolean mismatchReported;

        Expected(long walletId, long version, String player, String operation, String key, long absorbedVersion) {
            this.walletId = walletId;
            this.version = version;
            this.player = player;
            this.operation = operation;
            this.key = key;
            this.absorbedVersion = absorbedVersion;
        }

        /** Whether an event naming {@code sequence} records this entry. */
        boolean recordedAt(long sequence) {
            return sequence == version || (absorbedVersion > 0 && sequence == absorbedVersion);
        }

        String describe() {
            return "ledger entry " + key + " (" + operation + ", wallet " + walletId + " version " + version + ", player " + player + ")";
        }
    }

    /** The ledger's expected events: by stable event id, and (for keys no writer produces) by position only. */
    static final class LedgerEvents {
        final Map<String, Expected> byEventId = new HashMap<>();
        final List<Expected> positionOnly = new ArrayList<>();
        long entries;
    }

    static LedgerEvents loadLedger(Connection c) throws SQLException {
        LedgerEvents ledger = new LedgerEvents();
        Map<String, String> players = new HashMap<>(); // one String per player
        try (PreparedStatement ps = c.prepareStatement(LEDGER_SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String player = players.computeIfAbsent(rs.getString(2), p -> p);
                    String operation = rs.getString(4).intern();
                    Expected e = new Expected(rs.getLong(1), rs.getLong(3), player, operation, rs.getString(5), rs.getLong(6));
                    String eventId = EventIds.eventIdOf(operation, e.key);
                    if (eventId == null || ledger.byEventId.putIfAbsent(eventId, e) != null) {
                        ledger.positionOnly.add(e);
                    }
                    ledger.entries++;
                }
            }
        }
        return ledger;
    }

    /**
     * Every ledger entry's event is on the topic (the entries of players' wallets: see
     * {@link #LEDGER_SQL}): the event with the entry's stable id (see {@link EventIds}), naming the
     * entry's player and carrying its version as {@code sequence} (a rollback whose shortfall was
     * absorbed: the version of its absorbed entry, or its own).
     * An entry whose event id was not found still counts as present when an event of its type
     * names its player and version (a writer that built another id for the same fact, as the
     * bench-make pgbench script does); an alert never stands in for another event. Every record
     * that is a JSON object is also handed to {@code alsoEach} (with where it was read), so other
     * checks of wallet.events share this one pass over the topic.
     */
    static CheckResult events(String bootstrap, String topic, LedgerEvents ledger, int examples,
            java.util.function.BiConsumer<JsonNode, String> alsoEach) throws ReconcileException {
        CheckResult.Builder check = CheckResult.builder(LEDGER_EVENTS, examples);
        Set<String> positions = new HashSet<>(); // "type|player|sequence" of events no entry expects by id
        long[] unparseable = { 0 };
        TopicReader.readAll(bootstrap, topic, r -> {
            JsonNode event;
            try {
                event = r.value() == null ? null : CloudEventJson.mapper().readTree(r.value());
            } catch (IOException e) {
                event = null;
            }
            if (event == null || !event.isObject()) {
                unparseable[0]++;
                return;
            }
            alsoEach.accept(event, r.topic() + "-" + r.partition() + "@" + r.offset());
            String id = event.path("id").asText(null);
            String type = event.path("type").asText("");
            JsonNode data = event.path("data");
            String player = event.hasNonNull("subject") ? event.get("subject").asText() : data.path("player_id").asText(null);
            JsonNode sequence = data.get("sequence");
            boolean hasSequence = sequence != null && sequence.canConvertToLong();
            Expected e = id == null ? null : ledger.byEventId.get(id);
            if (e != null) {
                e.found = true;
                if (hasSequence && (!e.recordedAt(sequence.asLong()) || !e.player.equals(player)) && !e.mismatchReported) {
                    e.mismatchReported = true;
                    check.add(e.describe() + ": its event " + id + " (" + type + ") names player " + player + " sequence " + sequence.asLong());
                }
            } else if (hasSequence && player != null && !EventTypes.ALERT.equals(type)) {
                positions.add(type + "|" + player + "|" + sequence.asLong());
            }
        });
        List<Expected> missing = new ArrayList<>();
        for (Expected e : ledger.byEventId.values()) {
            String position = EventIds.typeOf(e.operation) + "|" + e.player + "|";
            if (!e.found && !positions.contains(position + e.version)
                    && !(e.absorbedVersion > 0 && positions.contains(position + e.absorbedVersion))) {
                missing.add(e);
            }
        }
        for (Expected e : ledger.positionOnly) {
            String type = EventIds.typeOf(e.operation);
            boolean present = type != null ? positions.contains(type + "|" + e.player + "|" + e.version)
                    : anyType(positions, e.player, e.version);
            if (!present) {
                missing.add(e);
            }
        }
        missing.sort((a, b) -> a.walletId != b.walletId ? Long.compare(a.walletId, b.walletId) : Long.compare(a.version, b.version));
        for (Expected e : missing) {
            String eventId = EventIds.eventIdOf(e.operation, e.key);
            check.add(e.describe() + ": no event on " + topic + (eventId == null ? "" : " (expected id " + eventId + ")"));
        }
        if (unparseable[0] > 0) {
            System.err.println("reconcile: " + unparseable[0] + " records on " + topic + " are not JSON objects (ignored)");
        }
        return check.build();
    }

    private static boolean anyType(Set<String> positions, String player, long version) {
        for (String type : List.of(EventTypes.BET_PLACED, EventTypes.CREDIT_APPLIED, EventTypes.BET_ROLLED_BACK, EventTypes.DEPOSIT,
                EventTypes.WITHDRAWAL)) {
            if (positions.contains(type + "|" + player + "|" + version)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ consumer lag

    /** Where a group stands on one partition: from {@code from} (its committed offset, else the log start) to {@code end}. */
    record PartitionLag(long from, long end, boolean committed) {
        long behind() {
            return Math.max(0, end - from);
        }
    }

    /** Per partition of {@code topic}: how far group {@code group} is from its end. */
    static Map<TopicPartition, PartitionLag> lag(Admin admin, String group, String topic) throws ReconcileException {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic);
                d.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    return Map.of();
                }
                throw e;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            for (TopicPartition tp : partitions) {
                latest.put(tp, OffsetSpec.latest());
                if (committed.get(tp) == null) {
                    earliest.put(tp, OffsetSpec.earliest());
                }
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = earliest.isEmpty() ? Map.of()
                    : admin.listOffsets(earliest).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<TopicPartition, PartitionLag> lag = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                lag.put(tp, new PartitionLag(c != null ? c.offset() : starts.get(tp).offset(), ends.get(tp).offset(), c != null));
            }
            return lag;
        } catch (ExecutionException | TimeoutException e) {
            throw new ReconcileException("could not read the lag of group " + group + " on " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReconcileException("interrupted", e);
        }
    }

    static long totalLag(Admin admin, Map<String, String> topicByGroup) throws ReconcileException {
        long total = 0;
        for (Map.Entry<String, String> g : topicByGroup.entrySet()) {
            for (PartitionLag l : lag(admin, g.getKey(), g.getValue()).values()) {
                total += l.behind();
            }
        }
        return total;
    }

    /**
     * Each group has consumed its topic to the end: per partition, committed offset = end offset
     * (a partition it never committed counts from the log start). One discrepancy per lagging
     * (group, partition), saying how many records it is behind.
     */
    static CheckResult consumerLag(Admin admin, Map<String, String> topicByGroup, int examples) throws ReconcileException {
        CheckResult.Builder check = CheckResult.builder(CONSUMER_LAG, examples);
        for (Map.Entry<String, String> g : topicByGroup.entrySet()) {
            for (Map.Entry<TopicPartition, PartitionLag> e : lag(admin, g.getKey(), g.getValue()).entrySet()) {
                PartitionLag l = e.getValue();
                if (l.behind() > 0) {
                    check.add("group " + g.getKey() + " on " + e.getKey() + ": " + l.behind() + " records behind ("
                            + (l.committed() ? "committed " + l.from() : "nothing committed, log start " + l.from()) + ", end " + l.end() + ")");
                }
            }
        }
        return check.build();
    }
}
