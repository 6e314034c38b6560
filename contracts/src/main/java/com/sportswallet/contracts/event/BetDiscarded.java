package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/** {@code wallet.bet.discarded}: an open bet discarded, its stake returned as a pending credit. */
public record BetDiscarded(String playerId, String currency, long stake, Instant occurredAt, String betId, String discardId,
        String makeTransactionId) implements WalletFact {

    public static BetDiscarded of(String playerId, String currency, long stake, Instant occurredAt, String betId, String discardId,
            String makeTransactionId) {
        return new BetDiscarded(playerId, currency, stake, occurredAt, betId, discardId, makeTransactionId);
    }

    @Override
    public String type() {
        return EventTypes.BET_DISCARDED;
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, stake, occurredAt)
                .put("stake", stake)
                .put("bet_id", betId)
                .put("transaction_id", discardId)
                .put("provider_transaction_id", makeTransactionId);
    }
}
