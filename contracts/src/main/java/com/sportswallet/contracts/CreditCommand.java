package com.sportswallet.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One {@code settlement.credit} command from {@code settlement.commands}: apply the PENDING
 * credit {@code creditId} (decided by the ingress) to its wallet. Parsing refuses anything else
 * as poison: it can never become valid by retrying.
 */
public record CreditCommand(String eventId, String creditId, long walletId, String playerId, String betId, String kind,
        long amount, String currency) {

    public static final String TYPE = "settlement.credit";

    /** A record that can never be applied: it goes to the dead-letter topic with this reason. */
    public static final class PoisonException extends Exception {
        public PoisonException(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The data of the command the ingress writes for a new pending credit: the credit, its wallet,
     * player, bet, kind, amount and currency, and the player_seq of the decision event written with
     * it (the command takes none of its own).
     */
    public static ObjectNode data(String creditId, long walletId, String playerId, String betId, String kind, long amount, String currency,
            long playerSeq) {
        return CloudEventJson.mapper().createObjectNode()
                .put("credit_id", creditId)
                .put("wallet_id", walletId)
                .put("player_id", playerId)
                .put("bet_id", betId)
                .put("kind", kind)
                .put("amount", amount)
                .put("currency", currency)
                .put("player_seq", playerSeq);
    }

    public static CreditCommand parse(String value) throws PoisonException {
        if (value == null) {
            throw new PoisonException("unparseable: empty record");
        }
        JsonNode event;
        try {
            event = CloudEventJson.mapper().readTree(value);
        } catch (java.io.IOException e) {
            throw new PoisonException("unparseable: not JSON");
        }
        if (event == null || !event.isObject()) {
            throw new PoisonException("unparseable: not a CloudEvent object");
        }
        if (!TYPE.equals(event.path("type").asText())) {
            throw new PoisonException("unknown type: " + event.path("type").asText());
        }
        JsonNode data = event.path("data");
        String creditId = data.path("credit_id").asText(null);
        if (creditId == null || !data.path("wallet_id").canConvertToLong() || !data.path("amount").isIntegralNumber()
                || data.path("amount").asLong() <= 0 || event.path("id").asText(null) == null) {
            throw new PoisonException("unparseable: credit_id, wallet_id and a positive amount are required");
        }
        return new CreditCommand(event.get("id").asText(), creditId, data.get("wallet_id").asLong(), data.path("player_id").asText(null),
                data.path("bet_id").asText(null), data.path("kind").asText(null), data.get("amount").asLong(),
                data.path("currency").asText(null));
    }
}
