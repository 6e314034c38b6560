package com.sportswallet.notifier.streams;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;

/**
 * wallet.events records shaped as the ingress (WalletEvents, BetMakeService, SettlementService,
 * RollbackService, DiscardService, OperatorWalletService) and the worker (CreditBatch) write them:
 * same type, id rule (stableId(type, transaction id)), data fields. The builders give the shape
 * written before {@code player_seq} and the bet's {@code stake} existed (the history every
 * wallet.events topic still holds); {@link #current(List)} turns a list into today's shape.
 */
public final class WalletEventsFixture {
    public static final URI INGRESS = URI.create("/wallet/ingress");
    public static final String EUR = "EUR";

    /** One event: its id, key (player) and CloudEvent JSON. */
    public record Ev(String id, String type, String player, String json) {
        /** This event with {@code data.<field>} set (or replaced). */
        public Ev with(String field, Object value) {
            try {
                ObjectNode root = (ObjectNode) CloudEventJson.mapper().readTree(json);
                ((ObjectNode) root.get("data")).set(field, CloudEventJson.mapper().valueToTree(value));
                return new Ev(id, type, player, CloudEventJson.mapper().writeValueAsString(root));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        public Ev seq(long playerSeq) {
            return with("player_seq", playerSeq);
        }

        JsonNode data() {
            try {
                return CloudEventJson.mapper().readTree(json).get("data");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * The events as the ingress and worker write them today: every event gets {@code player_seq},
     * 1, 2, ... per player in list order (a repeated id is a re-send: it keeps its first value);
     * every bet event gets its bet's {@code stake} (from the list's placed event), and a rollback
     * the reversed settlement's {@code occurred_at} as {@code reversed_occurred_at}.
     */
    public static List<Ev> current(List<Ev> events) {
        Map<String, Long> stakes = new HashMap<>();
        Map<String, String> settledAt = new HashMap<>();
        for (Ev e : events) {
            JsonNode d = e.data();
            if (e.type().equals(EventTypes.BET_PLACED)) {
                stakes.put(d.get("bet_id").asText(), -d.get("amount").asLong());
            }
            if (d.has("transaction_id") && d.has("bet_id") && !e.type().equals(EventTypes.CREDIT_APPLIED)) {
                settledAt.putIfAbsent(d.get("transaction_id").asText(), d.get("occurred_at").asText());
            }
        }
        Map<String, Long> next = new HashMap<>();
        Map<String, Ev> byId = new HashMap<>();
        List<Ev> out = new ArrayList<>(events.size());
        for (Ev e : events) {
            Ev done = byId.get(e.id());
            if (done == null) {
                done = e.seq(next.merge(e.player(), 1L, Long::sum));
                JsonNode d = e.data();
                Long stake = d.has("bet_id") ? stakes.get(d.get("bet_id").asText()) : null;
                if (stake != null && BET_EVENTS.contains(e.type())) {
                    done = done.with("stake", stake);
                }
                if (e.type().equals(EventTypes.BET_ROLLED_BACK) && settledAt.containsKey(d.get("reversed_transaction_id").asText())) {
                    done = done.with("reversed_occurred_at", settledAt.get(d.get("reversed_transaction_id").asText()));
                }
                byId.put(e.id(), done);
            }
            out.add(done);
        }
        return out;
    }

    private static final Set<String> BET_EVENTS = Set.of(EventTypes.BET_PLACED, EventTypes.BET_WON, EventTypes.BET_LOST,
            EventTypes.BET_REFUNDED, EventTypes.BET_ROLLED_BACK, EventTypes.BET_DISCARDED);

    private WalletEventsFixture() {
    }

    /**
     * A base instant for event times: an hour before this test JVM started, whole seconds. Tests
     * never name a calendar date: a fixed instant ages, and whatever measures age against the wall
     * clock (or against newer events) would treat it differently as the days pass.
     */
    public static final Instant BASE = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minusSeconds(3_600);

    public static String betId(String providerTx) {
        return CloudEventJson.stableId("bet/make", providerTx);
    }

    public static String settlementId(String endpoint, String providerTx) {
        return CloudEventJson.stableId(endpoint, providerTx);
    }

    private static ObjectNode data(String player, long amount, Instant at) {
        return CloudEventJson.mapper().createObjectNode().put("player_id", player).put("currency", EUR).put("amount", amount)
                .put("occurred_at", at.toString());
    }

    private static Ev event(String type, String transactionId, String player, ObjectNode data, Instant at) {
        String id = CloudEventJson.stableId(type, transactionId);
        return new Ev(id, type, player, CloudEventJson.serialize(id, type, INGRESS, player, at, data));
    }

    public static Ev placed(String player, String betId, long stake, long balanceAfter, long sequence, Instant at) {
        ObjectNode d = data(player, -stake, at).put("balance_after", balanceAfter).put("sequence", sequence)
                .put("bet_id", betId).put("transaction_id", betId).put("provider_transaction_id", "p-" + betId);
        return event(EventTypes.BET_PLACED, betId, player, d, at);
    }

    public static Ev placed(String player, String betId, long stake, Instant at) {
        return placed(player, betId, stake, 1_000_000, 1, at);
    }

    public static Ev won(String player, String betId, String settlementId, long amount, boolean cashout, Instant at) {
        ObjectNode d = data(player, amount, at).put("bet_id", betId).put("transaction_id", settlementId)
                .put("provider_transaction_id", "w-" + settlementId).put("is_cashout", cashout);
        return event(EventTypes.BET_WON, settlementId, player, d, at);
    }

    public static Ev lost(String player, String betId, String settlementId, Instant at) {
        ObjectNode d = data(player, 0, at).put("bet_id", betId).put("transaction_id", settlementId)
                .put("provider_transaction_id", "l-" + settlementId).put("is_cashout", false);
        return event(EventTypes.BET_LOST, settlementId, player, d, at);
    }

    public static Ev refunded(String player, String betId, String settlementId, long amount, Instant at) {
        ObjectNode d = data(player, amount, at).put("bet_id", betId).put("transaction_id", settlementId)
                .put("provider_transaction_id", "r-" + settlementId).put("is_cashout", false);
        return event(EventTypes.BET_REFUNDED, settlementId, player, d, at);
    }

    /** A rollback of settlement {@code reversedId} ({@code op}: win, cashout, lost, refund) of {@code reversedAmount}. */
    public static Ev rolledBack(String player, String betId, String rollbackId, String reversedId, String op, long reversedAmount,
            Long balanceAfter, Long sequence, Instant at) {
        ObjectNode d = data(player, -reversedAmount, at).put("bet_id", betId).put("transaction_id", rollbackId)
                .put("provider_transaction_id", "rb-" + rollbackId).put("reversed_operation", op)
                .put("reversed_transaction_id", reversedId);
        if (reversedAmount > 0) {
            d.put("credit_cancelled", balanceAfter == null);
        }
        if (balanceAfter != null) {
            d.put("balance_after", balanceAfter).put("sequence", sequence);
        }
        return event(EventTypes.BET_ROLLED_BACK, rollbackId, player, d, at);
    }

    public static Ev rolledBack(String player, String betId, String rollbackId, String reversedId, String op, long reversedAmount,
            Instant at) {
        return rolledBack(player, betId, rollbackId, reversedId, op, reversedAmount, null, null, at);
    }

    /** The alert RollbackService writes when a reversal leaves the balance below zero (same id rule, type wallet.alert). */
    public static Ev negativeBalanceAlert(String player, String betId, String rollbackId, long reversedAmount, long balanceAfter,
            long sequence, Instant at) {
        ObjectNode d = data(player, -reversedAmount, at).put("balance_after", balanceAfter).put("sequence", sequence)
                .put("reason", "negative_balance").put("bet_id", betId).put("transaction_id", rollbackId)
                .put("provider_transaction_id", "rb-" + rollbackId);
        return event(EventTypes.ALERT, rollbackId, player, d, at);
    }

    public static Ev alert(String player, String reason, String transactionId, Instant at) {
        ObjectNode d = data(player, 0, at).put("reason", reason).put("transaction_id", transactionId);
        return event(EventTypes.ALERT, transactionId, player, d, at);
    }

    public static Ev discarded(String player, String betId, String discardId, long stake, Instant at) {
        ObjectNode d = data(player, stake, at).put("bet_id", betId).put("transaction_id", discardId)
                .put("provider_transaction_id", "d-" + discardId);
        return event(EventTypes.BET_DISCARDED, discardId, player, d, at);
    }

    /** wallet.credit.applied as CreditBatch writes it (id = stableId(type, credit id)). */
    public static Ev creditApplied(String player, String betId, String creditId, String kind, long amount, long balanceAfter,
            long sequence, Instant at) {
        ObjectNode d = data(player, amount, at).put("balance_after", balanceAfter).put("sequence", sequence).put("bet_id", betId)
                .put("transaction_id", creditId).put("credit_kind", kind).put("decided_at", at.toString());
        return event(EventTypes.CREDIT_APPLIED, creditId, player, d, at);
    }

    /** Deposit or withdrawal as OperatorWalletService writes it (id from the idempotency key). */
    public static Ev deposit(String player, String key, long amount, long balanceAfter, long sequence, Instant at) {
        ObjectNode d = data(player, amount, at).put("balance_after", balanceAfter).put("sequence", sequence)
                .put("transaction_id", CloudEventJson.stableId("deposits", key));
        return event(EventTypes.DEPOSIT, key, player, d, at);
    }

    public static Ev withdrawal(String player, String key, long amount, long balanceAfter, long sequence, Instant at) {
        ObjectNode d = data(player, -amount, at).put("balance_after", balanceAfter).put("sequence", sequence)
                .put("transaction_id", CloudEventJson.stableId("withdrawals", key));
        return event(EventTypes.WITHDRAWAL, key, player, d, at);
    }

    public static Ev statusChanged(String player, String status, long statusVersion, Instant at) {
        ObjectNode d = data(player, 0, at).put("status", status);
        return event(EventTypes.PLAYER_STATUS_CHANGED, player + "#" + statusVersion, player, d, at);
    }

    /** wallet.player.excluded (issue 15): until null means indefinitely. */
    public static Ev excluded(String player, Instant until, long exclusionVersion, Instant at) {
        ObjectNode d = data(player, 0, at).put("reason", "asked by the player");
        if (until == null) {
            d.putNull("excluded_until");
        } else {
            d.put("excluded_until", until.toString());
        }
        return event(EventTypes.PLAYER_EXCLUDED, player + "#exclusion#" + exclusionVersion, player, d, at);
    }

    /**
     * wallet.limit.reached (issue 15) as the ingress's LimitEvents writes it after the make or deposit
     * {@code factId} (the bet id or the deposit's ledger key; {@code transactionId} its transaction):
     * id = stableId(type, factId#limit#kind-period), data from the contracts' own record (usage = limit:
     * the event is written when a usage lands exactly on its limit), and the position's
     * {@code available_after} (set {@code player_seq} with {@link Ev#seq} or {@link #current}).
     */
    public static Ev limitReached(String player, String factId, String transactionId, String kind, String period,
            java.time.LocalDate periodStart, long limit, long availableAfter, Instant at) {
        ObjectNode d = com.sportswallet.contracts.event.LimitReached.of(player, EUR, at, kind, period, periodStart, limit, limit,
                transactionId).data().put("available_after", availableAfter);
        return event(EventTypes.LIMIT_REACHED, factId + "#limit#" + kind + "-" + period, player, d, at);
    }

    /** wallet.bonus.granted (issue 14): the bonus amount as amount; no money moved. */
    public static Ev bonusGranted(String player, String bonusId, String bonusType, long amount, Instant expiresAt, Instant at) {
        ObjectNode d = data(player, amount, at).put("bonus_id", bonusId).put("bonus_type", bonusType).put("expires_at", expiresAt.toString())
                .put("transaction_id", bonusId);
        return event(EventTypes.BONUS_GRANTED, bonusId, player, d, at);
    }

    /** wallet.bonus.redeemed (issue 14): the bonus staked on a bet. */
    public static Ev bonusRedeemed(String player, String bonusId, String bonusType, String betId, long bonusStake, Instant at) {
        ObjectNode d = data(player, 0, at).put("bonus_id", bonusId).put("bonus_type", bonusType).put("bet_id", betId)
                .put("bonus_stake", bonusStake).put("transaction_id", betId);
        return event(EventTypes.BONUS_REDEEMED, betId, player, d, at);
    }
}
