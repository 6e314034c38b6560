package com.sportswallet.reconcile;

import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.money.CreditBatch;

/**
 * Which {@code wallet.events} event records a ledger entry: its type and its stable id, derived from
 * the entry's operation and idempotency key exactly as the writers derive them.
 * <ul>
 * <li>'bet', key {@code bet/make:<tx>}: {@code wallet.bet.placed}, id stableId(type, bet id), the bet id
 * being stableId("bet/make", tx) (ingress BetMakeService);</li>
 * <li>'credit', key {@code credit:<credit id>}: {@code wallet.credit.applied}, id stableId(type, credit id)
 * (worker CreditBatch);</li>
 * <li>'rollback', key {@code bet/rollback:<tx>}: {@code wallet.bet.rolled-back}, id stableId(type,
 * stableId("bet/rollback", tx)) (ingress RollbackService; its {@code wallet.alert} has another id);</li>
 * <li>'deposit' / 'withdrawal', key {@code deposit:<id>} / {@code withdrawal:<id>}: {@code wallet.deposit} /
 * {@code wallet.withdrawal}, id stableId(type, id) (ingress OperatorWalletService).</li>
 * </ul>
 * Every one of these events carries {@code data.sequence} = the entry's wallet version and
 * {@code subject} = {@code data.player_id} = the wallet's player.
 */
final class EventIds {
    private EventIds() {
    }

    /** The event type an entry of this operation is recorded by, or null for an operation no writer uses. */
    static String typeOf(String operation) {
        return switch (operation) {
            case "bet" -> EventTypes.BET_PLACED;
            case "credit" -> EventTypes.CREDIT_APPLIED;
            case "rollback" -> EventTypes.BET_ROLLED_BACK;
            case "deposit" -> EventTypes.DEPOSIT;
            case "withdrawal" -> EventTypes.WITHDRAWAL;
            default -> null;
        };
    }

    /** The stable event id of the entry, or null when its key has no form a writer produces. */
    static String eventIdOf(String operation, String idempotencyKey) {
        String type = typeOf(operation);
        if (type == null) {
            return null;
        }
        return switch (operation) {
            case "bet" -> suffix(idempotencyKey, "bet/make:", tx -> CloudEventJson.stableId(type, CloudEventJson.stableId("bet/make", tx)));
            case "credit" -> suffix(idempotencyKey, "credit:", id -> CloudEventJson.stableId(type, id));
            case "rollback" -> suffix(idempotencyKey, "bet/rollback:",
                    tx -> CloudEventJson.stableId(type, CloudEventJson.stableId("bet/rollback", tx)));
            case "deposit" -> suffix(idempotencyKey, "deposit:", id -> CloudEventJson.stableId(type, id));
            case "withdrawal" -> suffix(idempotencyKey, "withdrawal:", id -> CloudEventJson.stableId(type, id));
            default -> null;
        };
    }

    private static String suffix(String key, String prefix, java.util.function.UnaryOperator<String> id) {
        return key.startsWith(prefix) && key.length() > prefix.length() ? id.apply(key.substring(prefix.length())) : null;
    }
}
