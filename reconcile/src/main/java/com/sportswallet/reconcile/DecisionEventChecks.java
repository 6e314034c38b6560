package com.sportswallet.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;

/**
 * {@code decision-events}: every decision is on {@code wallet.events}, once, under its stable id.
 * ledger-events covers the decisions that move settled money (placed, credit applied, a rollback's
 * debit); this check covers the decisions themselves, most of which move none:
 * <ul>
 * <li>every settlement (WON and CASHED_OUT, LOST, REFUNDED; not a tombstone) has its
 * {@code wallet.bet.won} / {@code wallet.bet.lost} / {@code wallet.bet.refunded} event, id
 * stableId(type, settlement id), naming the bet's player; every DISCARD credit its
 * {@code wallet.bet.discarded} event, id stableId(type, credit id), and so every discarded freebet
 * (no cash stake, so no credit: issue 14), id stableId(type, its discard's id);</li>
 * <li>every ROLLED_BACK settlement has exactly one {@code wallet.bet.rolled-back} event naming it
 * ({@code data.reversed_transaction_id}): none is a reversal never published, two are a
 * settlement reversed twice or one reversal re-emitted under a new id. That event says what became
 * of the credit, and it must be so: {@code credit_cancelled} true: the credit is CANCELLED;
 * false: the credit is APPLIED and the rollback's debit ({@code bet/rollback:<provider
 * transaction id>}) took back its amount; absent: the settlement had no credit (a lost);</li>
 * <li>every decision event (those five types) with a {@code player_seq}, about a player with a
 * CASH wallet, carries the stable id of its fact, stableId(type, {@code data.transaction_id}):
 * a fact re-emitted under a new id is a discrepancy even where player_seq and the balances add up;
 * and it names a decision the database holds (a settlement of that id, a DISCARD credit of that
 * id or discarded freebet, a ROLLED_BACK reversed settlement). Events without a player_seq (written before it existed)
 * and of players without a wallet row (a benchmark's removed fixtures) are looked at only as the
 * evidence the decisions above ask for; facts recorded as lost by a recovery ({@link LostFacts})
 * not at all.</li>
 * </ul>
 * Fed the records of {@link KafkaChecks#events}'s one pass over the topic; the decisions are read
 * from the database snapshot beforehand ({@link #load}). Memory: about 200 bytes per settlement
 * and discard credit, 100 per rollback debit.
 */
final class DecisionEventChecks {
    static final String DECISION_EVENTS = "decision-events";

    private static final List<String> TYPES = List.of(EventTypes.BET_WON, EventTypes.BET_LOST, EventTypes.BET_REFUNDED,
            EventTypes.BET_DISCARDED, EventTypes.BET_ROLLED_BACK);
    private static final int FETCH_SIZE = 10_000;

    /* Every real settlement, its bet's player and its credit's status (null: none). */
    private static final String SETTLEMENTS_SQL = """
            SELECT s.id, s.kind, s.state, s.amount, s.bet_id, b.player_id, c.status
            FROM settlement s JOIN bet b ON b.id = s.bet_id LEFT JOIN credit c ON c.id = s.id
            WHERE s.kind <> 'TOMBSTONE'
            """;
    private static final String DISCARDS_SQL = "SELECT id, bet_id, player_id, amount FROM credit WHERE kind = 'DISCARD'";
    /* A discarded freebet (no cash stake: its bonus was released instead) has no DISCARD credit; its discard id names its event. */
    private static final String FREEBET_DISCARDS_SQL = "SELECT provider_tx_id, id, player_id, bonus_stake FROM bet"
            + " WHERE state = 'DISCARDED' AND player_id IS NOT NULL AND stake = 0";
    /* The rollbacks' debits, by the rollback's provider transaction id ('bet/rollback:<tx>'). */
    private static final String ROLLBACK_DEBITS_SQL = "SELECT substr(idempotency_key, 14), amount FROM ledger_entry"
            + " WHERE operation = 'rollback' AND idempotency_key LIKE 'bet/rollback:%'";

    /** A decision whose event has a stable id. */
    private static final class Expected {
        final String what;
        final String type;
        final String player;
        boolean found;

        Expected(String what, String type, String player) {
            this.what = what;
            this.type = type;
            this.player = player;
        }
    }

    /** A ROLLED_BACK settlement: the rolled-back events that name it. */
    private static final class Reversed {
        final String settlementId;
        final String player;
        final long amount;
        final String creditStatus;
        final Set<String> eventIds = new LinkedHashSet<>(2);
        /** The first event's claims: credit_cancelled (null: absent) and the rollback's provider transaction id. */
        Boolean creditCancelled;
        String providerTx;
        String firstWhere;

        Reversed(String settlementId, String player, long amount, String creditStatus) {
            this.settlementId = settlementId;
            this.player = player;
            this.amount = amount;
            this.creditStatus = creditStatus;
        }
    }

    private final Map<String, Long> counters;
    private final LostFacts lost;
    private final CheckResult.Builder check;
    private final Map<String, Expected> byEventId = new HashMap<>();
    private final Map<String, Reversed> reversed = new HashMap<>();
    private final Map<String, Long> rollbackDebits = new HashMap<>();

    private DecisionEventChecks(Map<String, Long> counters, LostFacts lost, int examples) {
        this.counters = counters;
        this.lost = lost;
        this.check = CheckResult.builder(DECISION_EVENTS, examples);
    }

    /**
     * Reads the decisions from the snapshot {@code c} is in. {@code counters}: the players with a CASH
     * wallet and events ({@link PlayerSeqChecks#loadCounters}).
     */
    static DecisionEventChecks load(Connection c, Map<String, Long> counters, LostFacts lost, int examples) throws SQLException {
        DecisionEventChecks checks = new DecisionEventChecks(counters, lost, examples);
        try (PreparedStatement ps = c.prepareStatement(SETTLEMENTS_SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    String kind = rs.getString(2);
                    String type = switch (kind) {
                        case "WON", "CASHED_OUT" -> EventTypes.BET_WON;
                        case "LOST" -> EventTypes.BET_LOST;
                        default -> EventTypes.BET_REFUNDED;
                    };
                    String player = rs.getString(6);
                    checks.byEventId.put(CloudEventJson.stableId(type, id), new Expected("settlement " + id + " (" + kind + " "
                            + rs.getLong(4) + " of bet " + rs.getString(5) + ", player " + player + ")", type, player));
                    if ("ROLLED_BACK".equals(rs.getString(3))) {
                        checks.reversed.put(id, new Reversed(id, player, rs.getLong(4), rs.getString(7)));
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(DISCARDS_SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String what = "discard credit " + rs.getString(1) + " (stake " + rs.getLong(4) + " of bet " + rs.getString(2)
                            + ", player " + rs.getString(3) + ")";
                    checks.byEventId.put(CloudEventJson.stableId(EventTypes.BET_DISCARDED, rs.getString(1)),
                            new Expected(what, EventTypes.BET_DISCARDED, rs.getString(3)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(FREEBET_DISCARDS_SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // The discard's operator id, as DiscardService derives it: stableId("bet/discard", the make's provider id).
                    String discardId = CloudEventJson.stableId("bet/discard", rs.getString(1));
                    String what = "discard " + discardId + " (freebet of bonus stake " + rs.getLong(4) + ", bet " + rs.getString(2) + ", player "
                            + rs.getString(3) + ")";
                    checks.byEventId.put(CloudEventJson.stableId(EventTypes.BET_DISCARDED, discardId),
                            new Expected(what, EventTypes.BET_DISCARDED, rs.getString(3)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(ROLLBACK_DEBITS_SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    checks.rollbackDebits.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return checks;
    }

    /** One record of wallet.events (a JSON object), read at {@code where}. */
    void event(JsonNode event, String where) {
        String type = event.path("type").asText("");
        if (!TYPES.contains(type)) {
            return;
        }
        String id = event.path("id").asText(null);
        if (lost.contains(id)) {
            return; // published before a restore took the database back past it (LostFacts): no decision it holds
        }
        JsonNode data = event.path("data");
        String player = event.hasNonNull("subject") ? event.get("subject").asText() : data.path("player_id").asText(null);
        String txId = data.path("transaction_id").asText(null);
        Expected e = id == null ? null : byEventId.get(id);
        if (e != null && e.type.equals(type)) {
            if (!e.found && e.player != null && !e.player.equals(player)) {
                check.add(e.what + ": its event " + id + " (" + where + ") names player " + player);
            }
            e.found = true;
        }
        Reversed r = null;
        if (type.equals(EventTypes.BET_ROLLED_BACK) && id != null) {
            r = reversed.get(data.path("reversed_transaction_id").asText(""));
            if (r != null && r.eventIds.add(id) && r.eventIds.size() == 1) {
                JsonNode cancelled = data.get("credit_cancelled");
                r.creditCancelled = cancelled == null || cancelled.isNull() ? null : cancelled.asBoolean();
                r.providerTx = data.path("provider_transaction_id").asText(null);
                r.firstWhere = where;
            }
        }
        // Whether this event stands for a decision the database holds, under its fact's stable id.
        if (!data.hasNonNull("player_seq") || player == null || !counters.containsKey(player)) {
            return;
        }
        String describe = "event " + id + " (" + type + " at " + where + ", player " + player + " player_seq " + data.get("player_seq") + ")";
        if (txId == null || id == null || !id.equals(CloudEventJson.stableId(type, txId))) {
            check.add(describe + ": its id is not the stable id of its fact (transaction_id " + txId + "): a fact re-emitted under a new id");
        } else if (type.equals(EventTypes.BET_ROLLED_BACK) ? r == null : e == null) {
            check.add(describe + ": no such decision in the database (" + (type.equals(EventTypes.BET_ROLLED_BACK)
                    ? "no ROLLED_BACK settlement " + data.path("reversed_transaction_id").asText("") : "no " + (type.equals(
                            EventTypes.BET_DISCARDED) ? "DISCARD credit " : "settlement ") + txId) + ")");
        }
    }

    /** The check, once every record of {@code topic} was fed. */
    CheckResult result(String topic) {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Expected> e : byEventId.entrySet()) {
            if (!e.getValue().found) {
                missing.add(e.getValue().what + ": no " + e.getValue().type + " event on " + topic + " (expected id " + e.getKey() + ")");
            }
        }
        missing.sort(null);
        missing.forEach(check::add);
        for (Reversed r : new TreeMap<>(reversed).values()) {
            String settlement = "settlement " + r.settlementId + " (ROLLED_BACK, " + r.amount + ", player " + r.player + ", credit "
                    + (r.creditStatus == null ? "none" : r.creditStatus) + ")";
            if (r.eventIds.isEmpty()) {
                check.add(settlement + ": no " + EventTypes.BET_ROLLED_BACK + " event on " + topic + " names it");
                continue;
            }
            if (r.eventIds.size() > 1) {
                check.add(settlement + ": " + r.eventIds.size() + " " + EventTypes.BET_ROLLED_BACK + " events name it (" + String.join(", ",
                        r.eventIds) + "): reversed more than once, or one reversal re-emitted under a new id");
                continue;
            }
            String said = "its rolled-back event (" + r.firstWhere + ") says credit_cancelled " + r.creditCancelled;
            Long debit = r.providerTx == null ? null : rollbackDebits.get(r.providerTx);
            if (r.creditCancelled == null) {
                if (r.creditStatus != null) {
                    check.add(settlement + ": " + said + " (no credit)");
                }
            } else if (r.creditCancelled) {
                if (!"CANCELLED".equals(r.creditStatus) || debit != null) {
                    check.add(settlement + ": " + said + (debit != null ? ", yet bet/rollback:" + r.providerTx + " debited " + -debit : ""));
                }
            } else if (!"APPLIED".equals(r.creditStatus) || debit == null || debit != -r.amount) {
                check.add(settlement + ": " + said + " (taken back by a debit), but "
                        + (!"APPLIED".equals(r.creditStatus) ? "the credit is " + r.creditStatus
                                : debit == null ? "bet/rollback:" + r.providerTx + " debited nothing"
                                        : "bet/rollback:" + r.providerTx + " debited " + -debit));
            }
        }
        return check.build();
    }
}
