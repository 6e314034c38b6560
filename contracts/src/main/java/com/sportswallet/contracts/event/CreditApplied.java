package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/** {@code wallet.credit.applied}: a pending credit moved into the settled balance (by the worker or a request spending it). */
public record CreditApplied(String playerId, String currency, long amount, Instant occurredAt, String betId, String creditId, String creditKind,
        Instant decidedAt) implements WalletFact {

    public static CreditApplied of(String playerId, String currency, long amount, Instant occurredAt, String betId, String creditId,
            String creditKind, Instant decidedAt) {
        return new CreditApplied(playerId, currency, amount, occurredAt, betId, creditId, creditKind, decidedAt);
    }

    @Override
    public String type() {
        return EventTypes.CREDIT_APPLIED;
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, amount, occurredAt)
                .put("bet_id", betId)
                .put("transaction_id", creditId)
                .put("credit_kind", creditKind)
                .put("decided_at", decidedAt.toString());
    }
}
