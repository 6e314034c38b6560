package com.sportswallet.contracts.event;

import java.time.Instant;
import java.time.LocalDate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/**
 * {@code wallet.limit.reached} (issue 15): an accepted make or deposit took the player's usage of a
 * limit exactly to it (amount 0: the fact that moved money has its own event, {@code transaction_id}).
 * {@code limit_kind} is wager, loss or deposit; {@code period} day, week or month, starting on
 * {@code period_start} (a local date in LIMITS_TIME_ZONE).
 */
public record LimitReached(String playerId, String currency, Instant occurredAt, String limitKind, String period, LocalDate periodStart,
        long limit, long usage, String transactionId) implements WalletFact {

    public static LimitReached of(String playerId, String currency, Instant occurredAt, String limitKind, String period, LocalDate periodStart,
            long limit, long usage, String transactionId) {
        return new LimitReached(playerId, currency, occurredAt, limitKind, period, periodStart, limit, usage, transactionId);
    }

    @Override
    public String type() {
        return EventTypes.LIMIT_REACHED;
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, 0, occurredAt)
                .put("limit_kind", limitKind)
                .put("period", period)
                .put("period_start", periodStart.toString())
                .put("limit", limit)
                .put("usage", usage)
                .put("transaction_id", transactionId);
    }
}
