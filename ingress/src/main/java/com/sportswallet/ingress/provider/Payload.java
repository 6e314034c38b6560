package com.sportswallet.ingress.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.money.Amounts;

/**
 * Strict reads of a callback's {@code payload} claim. A missing field or a field of the wrong
 * type is code 2004: nothing is coerced (an amount of 1.5 or "100" is refused, not rounded).
 * Lengths, characters and number ranges were checked for the whole payload before any read
 * ({@link com.sportswallet.ingress.input.InputBounds}).
 */
public final class Payload {
    private Payload() {
    }

    public static String text(JsonNode node, String field) {
        String value = optionalText(node, field);
        if (value == null) {
            throw ProtocolException.badRequest(field + " is required");
        }
        return value;
    }

    /** A string (or integer, which providers use for ids) field, null when absent. */
    public static String optionalText(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!(v.isTextual() || v.isIntegralNumber()) || v.asText().isBlank()) {
            throw ProtocolException.badRequest(field + " must be a non-blank string");
        }
        return v.asText();
    }

    public static ObjectNode object(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isObject()) {
            throw ProtocolException.badRequest(field + " must be an object");
        }
        return (ObjectNode) v;
    }

    /** An optional object: null when absent, 2004 when present but not an object. */
    public static ObjectNode optionalObject(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw ProtocolException.badRequest(field + " must be an object");
        }
        return (ObjectNode) v;
    }

    /**
     * A JSON integer within 64 bits, in any of its written forms: {@code 100}, {@code 100.0} and
     * {@code 1e2} are one JSON value (RFC 8785), so a retry that writes it otherwise is the same
     * request and is read the same way.
     */
    public static boolean isInteger(JsonNode v) {
        return v != null && v.isNumber() && (v.isIntegralNumber() || v.canConvertToExactIntegral()) && v.canConvertToLong();
    }

    /** An integer amount in minor units; null when absent. */
    public static Long optionalAmount(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!isInteger(v)) {
            throw ProtocolException.badRequest(field + " must be an integer number of minor units");
        }
        return v.longValue();
    }

    /** A make, win or refund amount: an integer in 1..{@link Amounts#MAX} (10^12). */
    public static long positiveAmount(Long amount, String field) {
        if (amount == null) {
            throw ProtocolException.badRequest(field + " is required");
        }
        if (amount <= 0 || amount > Amounts.MAX) {
            throw ProtocolException.badRequest(field + " must be in 1.." + Amounts.MAX + " minor units");
        }
        return amount;
    }

    /** An ISO 4217-shaped code (three capital letters); null when absent. */
    public static String optionalCurrency(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || !v.asText().matches("[A-Z]{3}")) {
            throw ProtocolException.badRequest(field + " must be an ISO 4217 currency code");
        }
        return v.asText();
    }

    public static boolean flag(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ProtocolException.badRequest(field + " must be a boolean");
        }
        return v.booleanValue();
    }

    /**
     * The authoritative top-level value must equal the {@code transaction} one when that is
     * present (PROTOCOL.md: make, win, lost; and the reverse for refund).
     */
    public static void agree(Object authoritative, Object other, String field) {
        if (other != null && !other.equals(authoritative)) {
            throw ProtocolException.badRequest(field + " disagrees with transaction." + field);
        }
    }
}
