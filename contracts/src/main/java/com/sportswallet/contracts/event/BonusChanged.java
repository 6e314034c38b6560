package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

/**
 * A granted bonus changed state with a bet (issue 14): {@code wallet.bonus.redeemed} (a make used
 * it), {@code wallet.bonus.done} (its bet settled: win, lost, partial refund),
 * {@code wallet.bonus.released} (a full refund or a discard gave it back, ACTIVE) or
 * {@code wallet.bonus.expired} (given back at or after its expiry). No cash moves: {@code amount}
 * is 0; the bonus's value is {@code bonus_amount}, what the bet staked of it {@code bonus_stake}
 * (0 for a comboboost, whose stake is cash).
 */
public record BonusChanged(String type, String playerId, String currency, Instant occurredAt, String bonusId, String bonusType,
        long bonusAmount, long bonusStake, String status, String betId, String transactionId) implements WalletFact {

    public static BonusChanged of(String type, String playerId, String currency, Instant occurredAt, String bonusId, String bonusType,
            long bonusAmount, long bonusStake, String status, String betId, String transactionId) {
        if (!EventTypes.BONUS_REDEEMED.equals(type) && !EventTypes.BONUS_DONE.equals(type) && !EventTypes.BONUS_RELEASED.equals(type)
                && !EventTypes.BONUS_EXPIRED.equals(type)) {
            throw new IllegalArgumentException("not a bet's bonus change: " + type);
        }
        return new BonusChanged(type, playerId, currency, occurredAt, bonusId, bonusType, bonusAmount, bonusStake, status, betId,
                transactionId);
    }

    /** The event for a bonus left in {@code status} by a settlement or discard: done, released, or expired. */
    public static String typeFor(String status) {
        return switch (status) {
            case "DONE" -> EventTypes.BONUS_DONE;
            case "ACTIVE" -> EventTypes.BONUS_RELEASED;
            case "EXPIRED" -> EventTypes.BONUS_EXPIRED;
            default -> throw new IllegalArgumentException("a settlement does not leave a bonus " + status);
        };
    }

    @Override
    public ObjectNode data() {
        return WalletFact.base(playerId, currency, 0, occurredAt)
                .put("bonus_id", bonusId)
                .put("bonus_type", bonusType)
                .put("bonus_amount", bonusAmount)
                .put("bonus_stake", bonusStake)
                .put("bonus_status", status)
                .put("bet_id", betId)
                .put("transaction_id", transactionId);
    }
}
