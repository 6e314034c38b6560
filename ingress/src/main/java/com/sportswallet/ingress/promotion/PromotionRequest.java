package com.sportswallet.ingress.promotion;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.rest.JsonInput;
import com.sportswallet.money.Amounts;
import com.sportswallet.money.Promotions;

/**
 * The body of {@code PUT /operator/promotions/{id}}, read strictly: every field checked before anything
 * is written, a refusal naming the field, never a coercion.
 */
final class PromotionRequest {
    /** The bonus types a promotion gives (global_comboboost needs no grant). */
    static final Set<String> BONUS_TYPES = Set.of("freebet_refund", "freebet_freemoney", "freebet_no_risk", "comboboost");
    /** 9999-12-31T23:59:59Z, the latest expires_at: a timestamptz PostgreSQL and every ISO-8601 reader agree on. */
    static final long EXPIRES_AT_SECONDS_MAX = 253_402_300_799L;
    /** 1970-01-01T00:00:00Z, the earliest. */
    static final long EXPIRES_AT_SECONDS_MIN = 0;
    /** A promotion id: its grant's id ({@code promotion:<id>}) and that grant's chunk ids stay within the wallet's ids. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}");

    private PromotionRequest() {
    }

    static String id(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ApiException.badRequest("invalid_promotion_id", "promotion id must be 1-64 characters of [A-Za-z0-9._:@-]");
        }
        return id;
    }

    /**
     * The terms of a PUT. expires_at may be any instant (an operator ends a promotion early by setting it
     * to now); claims at or after it are 409 {@code expired}.
     */
    static Promotions.Terms terms(ObjectNode body) {
        JsonNode type = body.get("bonus_type");
        if (type == null || !type.isTextual() || !BONUS_TYPES.contains(type.asText())) {
            throw ApiException.badRequest("invalid_bonus_type", "bonus_type must be one of " + BONUS_TYPES.stream().sorted().toList());
        }
        long amount = JsonInput.amount(body);
        String currency = JsonInput.currency(body);
        JsonNode max = body.get("claims_max");
        if (max == null || !max.isIntegralNumber() || !max.canConvertToInt() || max.intValue() < 0
                || max.intValue() > Promotions.CLAIMS_MAX_BOUND) {
            throw ApiException.badRequest("invalid_claims_max", "claims_max must be an integer in 0.." + Promotions.CLAIMS_MAX_BOUND);
        }
        JsonNode expires = body.get("expires_at");
        Instant expiresAt;
        try {
            if (expires == null || !expires.isTextual()) {
                throw new DateTimeParseException("not a string", "", 0);
            }
            expiresAt = Instant.parse(expires.asText());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("invalid_expires_at", "expires_at must be an ISO-8601 UTC instant such as \"2030-01-31T23:59:59Z\"");
        }
        if (expiresAt.getEpochSecond() < EXPIRES_AT_SECONDS_MIN || expiresAt.getEpochSecond() > EXPIRES_AT_SECONDS_MAX) {
            throw ApiException.badRequest("invalid_expires_at", "expires_at must be between 1970 and the year 10000");
        }
        return new Promotions.Terms(type.asText(), amount, currency, max.intValue(), expiresAt);
    }

    /** The claim's player. */
    static String playerId(ObjectNode body) {
        JsonNode player = body.get("player_id");
        if (player == null || !player.isTextual()) {
            throw ApiException.badRequest("invalid_player_id", "player_id must be 1-64 characters of [A-Za-z0-9._:@-]");
        }
        return JsonInput.playerId(player.asText());
    }
}
