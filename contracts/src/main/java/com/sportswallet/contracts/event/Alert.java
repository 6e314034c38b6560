package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/**
 * {@code wallet.alert}: a rollback left the balance below zero ({@code negative_balance}) or had
 * part of its shortfall written off ({@code absorbed_shortfall}).
 */
public record Alert(String playerId, String currency, long signedAmount, Instant occurredAt, String reason, long absorbedAmount,
        String betId, String transactionId, String providerTransactionId) implements WalletFact {

    public static Alert of(String playerId, String currency, long signedAmount, Instant occurredAt, String reason, long absorbedAmount,
            String betId, String transactionId, String providerTransactionId) {
        return new Alert(playerId, currency, signedAmount, occurredAt, reason, absorbedAmount, betId, transactionId, providerTransactionId);
    }

    @Override
    public String type() {
        return EventTypes.ALERT;
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, signedAmount, occurredAt)
                .put("reason", reason)
                .put("absorbed_amount", absorbedAmount)
                .put("bet_id", betId)
                .put("transaction_id", transactionId)
                .put("provider_transaction_id", providerTransactionId);
    }
}
