package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/**
 * {@code wallet.player.excluded} (issue 15): the player's self-exclusion was set or extended (amount
 * 0). {@code excluded_until} is the end (ISO-8601), or null for an indefinite exclusion; {@code reason}
 * the operator's words (may be null).
 */
public record PlayerExcluded(String playerId, String currency, Instant occurredAt, Instant excludedUntil, String reason) implements WalletFact {

    public static PlayerExcluded of(String playerId, String currency, Instant occurredAt, Instant excludedUntil, String reason) {
        return new PlayerExcluded(playerId, currency, occurredAt, excludedUntil, reason);
    }

    @Override
    public String type() {
        return EventTypes.PLAYER_EXCLUDED;
    }

    @Override
    public ObjectNode data() {
        ObjectNode data = WalletFact.base(playerId, currency, 0, occurredAt);
        if (excludedUntil == null) {
            data.putNull("excluded_until");
        } else {
            data.put("excluded_until", excludedUntil.toString());
        }
        return data.put("reason", reason);
    }
}
