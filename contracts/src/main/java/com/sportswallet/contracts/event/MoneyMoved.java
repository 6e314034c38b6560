package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code wallet.deposit} or {@code wallet.withdrawal}: an operator moved {@code signedAmount}. */
public record MoneyMoved(String type, String playerId, String currency, long signedAmount, Instant occurredAt, String transactionId)
        implements WalletFact {

    public static MoneyMoved of(String type, String playerId, String currency, long signedAmount, Instant occurredAt, String transactionId) {
        return new MoneyMoved(type, playerId, currency, signedAmount, occurredAt, transactionId);
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, signedAmount, occurredAt).put("transaction_id", transactionId);
    }
}
