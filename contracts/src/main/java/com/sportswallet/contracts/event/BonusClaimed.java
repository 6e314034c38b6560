package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/**
 * {@code wallet.bonus.claimed} (issue 14): the player claimed a limited promotion; its bonus is granted
 * later through the promotion's grant ({@code request_id} {@code promotion:<id>}), so the event moves no
 * money (amount 0) and names no bonus id yet. {@code promotion_claims_left} is the number of the
 * promotion's slots this claim saw free besides its own (counted up to 1,000): exactly one claim of a sold-out promotion
 * carries 0 (the notifier turns it into {@code bonus.promotion.sold-out}); the others carry at least 1.
 */
public record BonusClaimed(String playerId, String currency, Instant occurredAt, String promotionId, String requestId, String bonusType,
        long bonusAmount, long claimsLeft) implements WalletFact {

    public static BonusClaimed of(String playerId, String currency, Instant occurredAt, String promotionId, String requestId,
            String bonusType, long bonusAmount, long claimsLeft) {
        return new BonusClaimed(playerId, currency, occurredAt, promotionId, requestId, bonusType, bonusAmount, claimsLeft);
    }

    @Override
    public String type() {
        return EventTypes.BONUS_CLAIMED;
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, 0, occurredAt)
                .put("promotion_id", promotionId)
                .put("request_id", requestId)
                .put("bonus_type", bonusType)
                .put("bonus_amount", bonusAmount)
                .put("promotion_claims_left", claimsLeft);
    }
}
