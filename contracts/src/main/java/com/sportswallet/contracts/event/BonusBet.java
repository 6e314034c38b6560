package com.sportswallet.contracts.event;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A decision about a bet placed with a bonus (issue 14): the decision's own fact (placed, won,
 * lost, refunded, discarded, rolled back) with the bonus it concerns, {@code bonus_id},
 * {@code bonus_type}, {@code bonus_stake} (a freebet's stake; 0 for a comboboost) and, when the
 * decision changed it, {@code bonus_status} after it. Every cash credit settling a bonus bet so
 * names its bonus.
 */
public record BonusBet(WalletFact fact, String bonusId, String bonusType, long bonusStake, String bonusStatus) implements WalletFact {

    public static WalletFact of(WalletFact fact, String bonusId, String bonusType, long bonusStake, String bonusStatus) {
        if (bonusType == null) {
            return fact;
        }
        return new BonusBet(fact, bonusId, bonusType, bonusStake, bonusStatus);
    }

    @Override
    public String type() {
        return fact.type();
    }

    @Override
    public String playerId() {
        return fact.playerId();
    }

    @Override
    public ObjectNode data() {
        ObjectNode d = fact.data().put("bonus_type", bonusType).put("bonus_stake", bonusStake);
        if (bonusId != null) {
            d.put("bonus_id", bonusId);
        }
        if (bonusStatus != null) {
            d.put("bonus_status", bonusStatus);
        }
        return d;
    }
}
