package com.sportswallet.ingress.bonus;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.rest.JsonInput;
import com.sportswallet.money.Amounts;
import com.sportswallet.money.BonusGrants;

/**
 * The body of {@code POST /operator/bonus-grants}, read strictly: every field checked before
 * anything is written, a refusal naming the field (and the entry's index), never a coercion.
 * Entries are kept as sent, duplicates included: the service counts them.
 *
 * @param requestId the operator's id of the grant: idempotency key, and the stem of every chunk's id
 *                  sent to the provider ({@code <request_id>:<n>})
 * @param entries   the players as sent, in order
 */
public record GrantRequest(String requestId, String bonusType, String currency, Instant expiresAt, List<BonusGrants.Entry> entries) {
    /** Most entries in one request (issue 14): a 100,000-player campaign is one request. */
    public static final int PLAYERS_MAX = 100_000;
    /** Longest request_id: its chunk ids ({@code <request_id>:<n>}) stay within the wallet's 128-character ids. */
    public static final int REQUEST_ID_CHARS_MAX = 100;
    /** The bonus types a grant gives (global_comboboost needs no grant). */
    public static final Set<String> BONUS_TYPES = Set.of("freebet_refund", "freebet_freemoney", "freebet_no_risk", "comboboost");
    /** 9999-12-31T23:59:59Z, the latest expires_at: a timestamptz PostgreSQL and every ISO-8601 reader agree on. */
    static final long EXPIRES_AT_SECONDS_MAX = 253_402_300_799L;
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0," + (REQUEST_ID_CHARS_MAX - 1) + "}");
    private static final Pattern PLAYER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}");

    /** Reads the body; {@code now} bounds expires_at (a grant that expires at once grants nothing usable). */
    public static GrantRequest parse(ObjectNode body, Instant now) {
        JsonNode id = body.get("request_id");
        if (id == null || !id.isTextual() || !REQUEST_ID.matcher(id.asText()).matches()) {
            throw ApiException.badRequest("invalid_request_id", "request_id must be 1-" + REQUEST_ID_CHARS_MAX
                    + " characters of [A-Za-z0-9._:@-], starting with a letter or digit");
        }
        if (id.asText().startsWith(com.sportswallet.money.Promotions.REQUEST_ID_PREFIX)) {
            // A promotion's claims are recorded as the grant "promotion:<id>": an operator's grant under that id would
            // be answered as a replay of it, or take its players' slots in bonus_grant_player.
            throw ApiException.badRequest("invalid_request_id", "request_id may not start with \""
                    + com.sportswallet.money.Promotions.REQUEST_ID_PREFIX + "\": the ids of promotions' claims");
        }
        JsonNode type = body.get("bonus_type");
        if (type == null || !type.isTextual() || !BONUS_TYPES.contains(type.asText())) {
            throw ApiException.badRequest("invalid_bonus_type", "bonus_type must be one of " + BONUS_TYPES.stream().sorted().toList());
        }
        String currency = JsonInput.currency(body);
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
        if (!expiresAt.isAfter(now) || expiresAt.getEpochSecond() > EXPIRES_AT_SECONDS_MAX) {
            throw ApiException.badRequest("invalid_expires_at", "expires_at must be later than now and before year 10000");
        }
        JsonNode players = body.get("players");
        if (players == null || !players.isArray() || players.isEmpty() || players.size() > PLAYERS_MAX) {
            throw ApiException.badRequest("invalid_players", "players must be an array of 1.." + PLAYERS_MAX + " {\"player_id\",\"amount\"}");
        }
        List<BonusGrants.Entry> entries = new ArrayList<>(players.size());
        for (int i = 0; i < players.size(); i++) {
            JsonNode p = players.get(i);
            JsonNode player = p.get("player_id");
            if (!p.isObject() || player == null || !player.isTextual() || !PLAYER_ID.matcher(player.asText()).matches()) {
                throw ApiException.badRequest("invalid_player_id", "players[" + i + "].player_id must be 1-64 characters of [A-Za-z0-9._:@-]");
            }
            JsonNode amount = p.get("amount");
            if (amount == null || !amount.isIntegralNumber() || !amount.canConvertToLong() || amount.longValue() <= 0
                    || amount.longValue() > Amounts.MAX) {
                throw ApiException.badRequest("invalid_amount", "players[" + i + "].amount must be an integer in 1.." + Amounts.MAX
                        + " minor units");
            }
            entries.add(new BonusGrants.Entry(player.asText(), amount.longValue()));
        }
        return new GrantRequest(id.asText(), type.asText(), currency, expiresAt, List.copyOf(entries));
    }

}
