package com.sportswallet.ingress.service;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;
import com.sportswallet.outbox.Outbox;

/**
 * Builds the {@code wallet.events} and {@code settlement.commands} records of DESIGN.md and
 * appends them to the outbox in the caller's transaction. Ids are stable: derived from the
 * event type and the operator transaction id that decided the fact.
 */
public final class WalletEvents {
    public static final URI SOURCE = URI.create("/wallet/ingress");
    public static final String SETTLEMENT_CREDIT_TYPE = "settlement.credit";

    private WalletEvents() {
    }

    /** The data every wallet event carries; callers add the fields of their type. */
    public static ObjectNode data(String playerId, String currency, long signedAmount, Instant occurredAt) {
        return CloudEventJson.mapper().createObjectNode()
                .put("player_id", playerId)
                .put("currency", currency)
                .put("amount", signedAmount)
                .put("occurred_at", occurredAt.toString());
    }

    /** Adds balance_after and sequence: only for events whose transaction changed the balance. */
    public static ObjectNode withBalance(ObjectNode data, Ledger.Moved moved) {
        return data.put("balance_after", moved.balanceAfter()).put("sequence", moved.version());
    }

    /** Appends a wallet event whose id derives from its type and the deciding transaction id. */
    public static void append(Connection c, String type, String transactionId, String playerId, ObjectNode data, Instant time)
            throws SQLException {
        String eventId = CloudEventJson.stableId(type, transactionId);
        Outbox.append(c, Topics.WALLET_EVENTS, playerId, eventId, CloudEventJson.serialize(eventId, type, SOURCE, playerId, time, data));
    }

    /** Appends the command that tells the settlement-worker to apply a pending credit. */
    public static void appendCreditCommand(Connection c, String creditId, long walletId, String playerId, String betId,
            String kind, long amount, String currency, Instant time) throws SQLException {
        ObjectNode data = CloudEventJson.mapper().createObjectNode()
                .put("credit_id", creditId)
                .put("wallet_id", walletId)
                .put("player_id", playerId)
                .put("bet_id", betId)
                .put("kind", kind)
                .put("amount", amount)
                .put("currency", currency);
        String eventId = CloudEventJson.stableId(SETTLEMENT_CREDIT_TYPE, creditId);
        Outbox.append(c, Topics.SETTLEMENT_COMMANDS, playerId, eventId,
                CloudEventJson.serialize(eventId, SETTLEMENT_CREDIT_TYPE, SOURCE, playerId, time, data));
    }
}
