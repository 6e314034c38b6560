package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/** {@code wallet.bet.placed}: a make debited {@code stake} (amount −stake); its transaction is the bet. */
public record BetPlaced(String playerId, String currency, long stake, Instant occurredAt, String betId, String providerTransactionId)
        implements WalletFact {

    public static BetPlaced of(String playerId, String currency, long stake, Instant occurredAt, String betId, String providerTransactionId) {
        return new BetPlaced(playerId, currency, stake, occurredAt, betId, providerTransactionId);
    }

    @Override
    public String type() {
        return EventTypes.BET_PLACED;
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, -stake, occurredAt)
                .put("stake", stake)
                .put("bet_id", betId)
                .put("transaction_id", betId)
                .put("provider_transaction_id", providerTransactionId);
    }
}
