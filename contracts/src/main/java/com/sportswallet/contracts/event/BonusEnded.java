package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/**
 * {@code wallet.bonus.revoked} or {@code wallet.bonus.expired} (issue 14): an unused bonus ended
 * without a bet, by the operator's revoke (confirmed by the provider) or by its expiry. No money moves
 * (amount 0; a bonus is not cash); {@code bonus_amount} is what the bonus was worth.
 */
public record BonusEnded(String type, String playerId, String currency, Instant occurredAt, String bonusId, String bonusType,
        long bonusAmount, String requestId) implements WalletFact {

    public BonusEnded {
        if (!type.equals(EventTypes.BONUS_REVOKED) && !type.equals(EventTypes.BONUS_EXPIRED)) {
            throw new IllegalArgumentException("a bonus ends revoked or expired: " + type);
        }
    }

    public static BonusEnded revoked(String playerId, String currency, Instant occurredAt, String bonusId, String bonusType,
            long bonusAmount, String requestId) {
        return new BonusEnded(EventTypes.BONUS_REVOKED, playerId, currency, occurredAt, bonusId, bonusType, bonusAmount, requestId);
    }

    public static BonusEnded expired(String playerId, String currency, Instant occurredAt, String bonusId, String bonusType,
            long bonusAmount, String requestId) {
        return new BonusEnded(EventTypes.BONUS_EXPIRED, playerId, currency, occurredAt, bonusId, bonusType, bonusAmount, requestId);
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, 0, occurredAt)
                .put("bonus_id", bonusId)
                .put("bonus_type", bonusType)
                .put("bonus_amount", bonusAmount)
                .put("request_id", requestId)
                .put("status", type.equals(EventTypes.BONUS_REVOKED) ? "REVOKED" : "EXPIRED");
    }
}
