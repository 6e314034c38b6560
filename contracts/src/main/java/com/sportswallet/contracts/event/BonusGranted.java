package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/**
 * {@code wallet.bonus.granted} (issue 14): the provider granted the player bonus {@code bonusId}
 * of an operator grant. No cash moves: {@code amount} is the bonus's value in minor units (what a
 * CRM reads), and the record carries {@code player_seq} only. Also {@code bonus_id},
 * {@code bonus_type}, {@code expires_at} and the grant's {@code request_id}.
 */
public record BonusGranted(String playerId, String currency, long amount, Instant occurredAt, String bonusId, String bonusType,
        Instant expiresAt, String requestId) implements WalletFact {

    public static BonusGranted of(String playerId, String currency, long amount, Instant occurredAt, String bonusId, String bonusType,
            Instant expiresAt, String requestId) {
        return new BonusGranted(playerId, currency, amount, occurredAt, bonusId, bonusType, expiresAt, requestId);
    }

    @Override
    public String type() {
        return EventTypes.BONUS_GRANTED;
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, amount, occurredAt).put("bonus_id", bonusId).put("bonus_type", bonusType)
                .put("expires_at", expiresAt.toString()).put("request_id", requestId);
    }
}
