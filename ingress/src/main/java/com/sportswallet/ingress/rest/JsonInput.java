package com.sportswallet.ingress.rest;

import java.util.Currency;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.ingress.input.InputBounds;
import com.sportswallet.money.Amounts;

/**
 * Strict reading of request bodies: a field of the wrong type is refused, never coerced; a
 * duplicate key is malformed JSON; and the whole body is checked for what the wallet can store
 * ({@link InputBounds}) before any field is read, refused as the field's own error when it is a
 * field the API reads ({@code invalid_id}, {@code invalid_amount}, ...), else {@code invalid_input}.
 */
public final class JsonInput {
    private static final Pattern PLAYER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}");
    /** The error code of a refused value, by the top-level field it is in. */
    private static final Map<String, String> FIELD_ERRORS = Map.of("id", "invalid_id", "amount", "invalid_amount",
            "currency", "invalid_currency", "status", "invalid_status");
    private static final String INVALID_INPUT = "invalid_input";

    private JsonInput() {
    }

    public static ObjectNode object(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("malformed_json", "request body is empty; a JSON object is expected");
        }
        JsonNode node;
        try {
            node = InputBounds.parse(body);
        } catch (InputBounds.Malformed e) {
            throw ApiException.badRequest("malformed_json", "request body is not valid JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("malformed_json", "request body must be a JSON object");
        }
        try {
            InputBounds.check(node);
        } catch (InputBounds.Refused e) {
            throw ApiException.badRequest(FIELD_ERRORS.getOrDefault(e.topLevelField(), INVALID_INPUT), e.getMessage());
        }
        return (ObjectNode) node;
    }

    public static String playerId(String id) {
        if (id == null || !PLAYER_ID.matcher(id).matches()) {
            throw ApiException.badRequest("invalid_player_id", "player id must be 1-64 characters of [A-Za-z0-9._:@-]");
        }
        return id;
    }

    public static String currency(ObjectNode body) {
        JsonNode node = body.get("currency");
        if (node == null || !node.isTextual() || !node.asText().matches("[A-Z]{3}")) {
            throw ApiException.badRequest("invalid_currency", "currency must be an ISO 4217 code such as \"EUR\"");
        }
        try {
            Currency.getInstance(node.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_currency", "unknown ISO 4217 currency: " + node.asText());
        }
        return node.asText();
    }

    /** A positive integer amount in minor units, at most {@link Amounts#MAX}. */
    public static long amount(ObjectNode body) {
        JsonNode node = body.get("amount");
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) { // the operator API keeps integers literal
            throw ApiException.badRequest("invalid_amount", "amount must be an integer number of minor units");
        }
        long amount = node.longValue();
        if (amount <= 0 || amount > Amounts.MAX) {
            throw ApiException.badRequest("invalid_amount", "amount must be in 1.." + Amounts.MAX + " minor units");
        }
        return amount;
    }

    public static String idempotencyKey(ObjectNode body) {
        JsonNode node = body.get("id");
        // Its length (InputBounds.ID_CHARS_MAX) was checked with the whole body.
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw ApiException.badRequest("invalid_id", "id (the idempotency key) must be a non-blank string of at most "
                    + InputBounds.ID_CHARS_MAX + " characters");
        }
        return node.asText();
    }

    public static String status(ObjectNode body) {
        JsonNode node = body.get("status");
        if (node == null || !node.isTextual() || !(node.asText().equals("ACTIVE") || node.asText().equals("BLOCKED"))) {
            throw ApiException.badRequest("invalid_status", "status must be \"ACTIVE\" or \"BLOCKED\"");
        }
        return node.asText();
    }
}
