package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/** {@code wallet.player.status-changed}: the player's new status (amount 0). */
public record StatusChanged(String playerId, String currency, Instant occurredAt, String status) implements WalletFact {

    public static StatusChanged of(String playerId, String currency, Instant occurredAt, String status) {
        return new StatusChanged(playerId, currency, occurredAt, status);
    }

    @Override
    public String type() {
        return EventTypes.PLAYER_STATUS_CHANGED;
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, 0, occurredAt).put("status", status);
    }
}
