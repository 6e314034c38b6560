package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code wallet.bet.won}, {@code wallet.bet.lost} or {@code wallet.bet.refunded}: a settlement of
 * {@code amount} (0 for lost), a pending credit for a win or a refund.
 */
public record BetSettled(String type, String playerId, String currency, long amount, Instant occurredAt, long stake, String betId,
        String settlementId, String providerTransactionId, boolean cashout) implements WalletFact {

    public static BetSettled of(String type, String playerId, String currency, long amount, Instant occurredAt, long stake, String betId,
            String settlementId, String providerTransactionId, boolean cashout) {
        return new BetSettled(type, playerId, currency, amount, occurredAt, stake, betId, settlementId, providerTransactionId, cashout);
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, amount, occurredAt)
                .put("stake", stake)
                .put("bet_id", betId)
                .put("transaction_id", settlementId)
                .put("provider_transaction_id", providerTransactionId)
                .put("is_cashout", cashout);
    }
}
