package com.sportswallet.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One {@code bonus.grant} record on {@link Topics#BONUS_GRANTS}, keyed by player: grant the player
 * of a recorded grant ({@code bonus_grant_player} row (requestId, playerId), written in the same
 * transaction as this record) its bonus through the provider's bonus API. The database row is the
 * truth (amount, type, currency and expiry are read from it); the record is the trigger, so a
 * replayed record finds its row already chunked or granted and does nothing.
 */
public record BonusGrantCommand(String eventId, String requestId, String playerId) {

    public static final String TYPE = "bonus.grant";

    /** The data of the record written for one accepted player of a grant. */
    public static ObjectNode data(String requestId, String playerId, long amount, String currency, String bonusType) {
        return CloudEventJson.mapper().createObjectNode()
                .put("request_id", requestId)
                .put("player_id", playerId)
                .put("amount", amount)
                .put("currency", currency)
                .put("bonus_type", bonusType);
    }

    /** Parses a record's value; anything that can never become valid is {@link CreditCommand.PoisonException}. */
    public static BonusGrantCommand parse(String value) throws CreditCommand.PoisonException {
        if (value == null) {
            throw new CreditCommand.PoisonException("unparseable: empty record");
        }
        JsonNode event;
        try {
            event = CloudEventJson.mapper().readTree(value);
        } catch (java.io.IOException e) {
            throw new CreditCommand.PoisonException("unparseable: not JSON");
        }
        if (event == null || !event.isObject()) {
            throw new CreditCommand.PoisonException("unparseable: not a CloudEvent object");
        }
        if (!TYPE.equals(event.path("type").asText())) {
            throw new CreditCommand.PoisonException("unknown type: " + event.path("type").asText());
        }
        JsonNode data = event.path("data");
        String requestId = data.path("request_id").asText(null);
        String playerId = data.path("player_id").asText(null);
        String id = event.path("id").asText(null);
        if (requestId == null || requestId.isEmpty() || playerId == null || playerId.isEmpty() || id == null) {
            throw new CreditCommand.PoisonException("unparseable: id, request_id and player_id are required");
        }
        return new BonusGrantCommand(id, requestId, playerId);
    }
}
