package com.sportswallet.contracts.event;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;

/**
 * The content of one {@code wallet.events} record (DESIGN.md, "Events"), typed: each kind of fact
 * is a record with one {@code of(...)} factory, and {@link #data()} writes its CloudEvent data
 * (the player, the currency, the signed amount and when it happened, then the fields of its
 * type). Where the fact stands in the player's order and what the wallet held after it (
 * {@code balance_after}, {@code sequence}, {@code player_seq}, {@code available_after}) is a
 * {@link Position}, known only under the wallet lock, and added by whoever appends the record.
 */
public sealed interface WalletFact permits BetPlaced, BetSettled, BetDiscarded, BetRolledBack, BonusBet, BonusChanged, BonusGranted,
        BonusClaimed, BonusEnded, CreditApplied, MoneyMoved, StatusChanged, PlayerExcluded, LimitReached, Alert {
    /** The CloudEvent type ({@link com.sportswallet.contracts.EventTypes}). */
    String type();

    String playerId();

    /** The CloudEvent data, without its {@link Position}. */
    ObjectNode data();

    /** The fields every wallet event carries first. */
    static ObjectNode base(String playerId, String currency, long signedAmount, Instant occurredAt) {
        return CloudEventJson.mapper().createObjectNode()
                .put("player_id", playerId)
                .put("currency", currency)
                .put("amount", signedAmount)
                .put("occurred_at", occurredAt.toString());
    }
}
