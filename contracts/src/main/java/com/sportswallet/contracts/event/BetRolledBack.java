package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/**
 * {@code wallet.bet.rolled-back}: settlement {@code reversedTransactionId} reversed (amount
 * −{@code reversedAmount}). {@code creditCancelled} is null when the settlement had no credit (a
 * lost), true when its credit was still pending, false when it had been applied and was debited;
 * {@code absorbedAmount} is the part written off under ROLLBACK_SHORTFALL=absorb (0: none).
 */
public record BetRolledBack(String playerId, String currency, long reversedAmount, Instant occurredAt, long stake, String betId,
        String rollbackId, String providerTransactionId, String reversedOperation, String reversedTransactionId,
        Instant reversedOccurredAt, Boolean creditCancelled, long absorbedAmount) implements WalletFact {

    public static BetRolledBack of(String playerId, String currency, long reversedAmount, Instant occurredAt, long stake, String betId,
            String rollbackId, String providerTransactionId, String reversedOperation, String reversedTransactionId,
            Instant reversedOccurredAt, Boolean creditCancelled, long absorbedAmount) {
        return new BetRolledBack(playerId, currency, reversedAmount, occurredAt, stake, betId, rollbackId, providerTransactionId,
                reversedOperation, reversedTransactionId, reversedOccurredAt, creditCancelled, absorbedAmount);
    }

    @Override
    public String type() {
        return EventTypes.BET_ROLLED_BACK;
    }

    @Override
    public ObjectNode data() {
        ObjectNode data = WalletFact.base(playerId, currency, -reversedAmount, occurredAt)
                .put("stake", stake)
                .put("bet_id", betId)
                .put("transaction_id", rollbackId)
                .put("provider_transaction_id", providerTransactionId)
                .put("reversed_operation", reversedOperation)
                .put("reversed_transaction_id", reversedTransactionId)
                .put("reversed_occurred_at", reversedOccurredAt.toString());
        if (creditCancelled != null) {
            data.put("credit_cancelled", creditCancelled);
        }
        if (absorbedAmount > 0) {
            data.put("absorbed_amount", absorbedAmount);
        }
        return data;
    }
}
