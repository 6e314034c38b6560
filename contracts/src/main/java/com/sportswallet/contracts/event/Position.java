package com.sportswallet.contracts.event;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a fact stands in its player's order and what the wallet held after it, read under the
 * wallet lock: {@code player_seq} always; {@code balance_after} and {@code sequence} (the settled
 * balance and the wallet version) only when the fact moved settled money; {@code available_after}
 * (settled + pending) on every decision that answers a provider.
 */
public record Position(long playerSeq, Long balanceAfter, Long sequence, Long availableAfter) {

    /** A fact that moved no settled money and answers a provider (won, lost, refunded, discarded, a cancelling rollback). */
    public static Position of(long playerSeq, long availableAfter) {
        return new Position(playerSeq, null, null, availableAfter);
    }

    /** A fact that moved settled money and answers a provider or an operator. */
    public static Position moved(long playerSeq, long balanceAfter, long sequence, long availableAfter) {
        return new Position(playerSeq, balanceAfter, sequence, availableAfter);
    }

    /** A fact that moved settled money and answers nobody (credit applied, alert). */
    public static Position settled(long playerSeq, long balanceAfter, long sequence) {
        return new Position(playerSeq, balanceAfter, sequence, null);
    }

    /** A fact about the player that moved no money and answers nobody (status change). */
    public static Position only(long playerSeq) {
        return new Position(playerSeq, null, null, null);
    }

    /** Adds these fields to {@code data}. */
    public ObjectNode writeTo(ObjectNode data) {
        if (balanceAfter != null) {
            data.put("balance_after", balanceAfter).put("sequence", sequence);
        }
        data.put("player_seq", playerSeq);
        if (availableAfter != null) {
            data.put("available_after", availableAfter);
        }
        return data;
    }
}
