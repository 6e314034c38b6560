package com.sportswallet.contracts.bonus;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.ProviderSignature;

/**
 * The operator's client of the sportsbook provider's bonus API (docs/PROTOCOL.md, "The provider's
 * bonus API"; issue 14): a batch grant of at most {@link #CHUNK_PLAYERS_MAX} players, idempotent by
 * its {@code request_id}, and a batch revoke. Every call is signed (a detached HS256 JWS of the
 * exact body bytes in {@code x-sign-jws}) and sent with the same bytes on every attempt, so a
 * retry after a lost answer is the provider's repeated request: it answers the bonuses it granted
 * and grants nothing twice.
 *
 * <p>Bounded: each attempt waits at most {@code requestTimeoutMs}; at most {@code attemptsMax}
 * attempts, with a jittered exponential back-off capped at {@code backoffMsMax}, for what a retry
 * can mend (no answer, 408, 429, 5xx); a refusal (any other 4xx) or an answer that does not grant
 * exactly the players asked for is never retried. Blocking: call it from the granting consumer's own
 * thread, never while holding a database transaction (the caller records the chunk first).
 */
public final class ProviderBonusApi {
    /** The provider's own limit per grant call. */
    public static final int CHUNK_PLAYERS_MAX = 1000;
    public static final String APPLY_PATH = "/bonuses/bonus/applyBatch";
    public static final String REVOKE_PATH = "/bonuses/bonus/revokeBatch";
    public static final String SIGNATURE_HEADER = ProviderSignature.HEADER;

    /**
     * Where and how to call.
     *
     * @param baseUrl          PROVIDER_BONUS_API_URL, e.g. http://127.0.0.1:8083
     * @param cid              the partner id the provider gave the operator
     * @param secret           the partner secret that signs every call (at least 32 bytes)
     * @param requestTimeoutMs one attempt's bound, connection included
     * @param attemptsMax      attempts per call, the first included
     * @param backoffMsMax     the longest pause between two attempts
     */
    public record Config(URI baseUrl, String cid, String secret, long requestTimeoutMs, int attemptsMax, long backoffMsMax) {
        /** The shortest pause between two attempts; doubles up to backoffMsMax. */
        static final long BACKOFF_MS_MIN = 50;

        public Config {
            if (baseUrl == null || cid == null || cid.isBlank()) {
                throw new IllegalArgumentException("the provider's URL and cid are required");
            }
            ProviderSignature.requireSecret(secret);
            if (requestTimeoutMs < 100 || requestTimeoutMs > 120_000) {
                throw new IllegalArgumentException("requestTimeoutMs must be 100..120000: " + requestTimeoutMs);
            }
            if (attemptsMax < 1 || attemptsMax > 100) {
                throw new IllegalArgumentException("attemptsMax must be 1..100: " + attemptsMax);
            }
            if (backoffMsMax < BACKOFF_MS_MIN || backoffMsMax > 60_000) {
                throw new IllegalArgumentException("backoffMsMax must be " + BACKOFF_MS_MIN + "..60000: " + backoffMsMax);
            }
        }
    }

    /** One player of a grant: the bonus amount in minor units, in the player's wallet currency. */
    public record Player(String playerId, String currency, long amount) {
    }

    /** The provider could not be reached, or kept failing, within the bounds: the chunk is retried later, unchanged. */
    public static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The provider refused the call (a 4xx a retry cannot mend), or answered something other than what was asked. */
    public static final class Refused extends Exception {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** What a revoke answered per bonus id: revoked (also when it was already), or why not ({@code used}, {@code not_found}). */
    public record RevokeResult(Set<String> revoked, Map<String, String> refused) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Config config;
    private final HttpClient http;

    public ProviderBonusApi(Config config) {
        this.config = config;
        // HTTP/1.1: the provider's API is plain request/answer; the default (HTTP/2) would ask every new plain-HTTP
        // connection for an h2c upgrade first, one more exchange a server may mishandle.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(config.requestTimeoutMs()))
                .build();
    }

    /**
     * Grants each player one bonus under {@code requestId} (a chunk's id: the same on every retry,
     * across restarts). Returns player id → bonus id, one per player asked.
     */
    public Map<String, String> grant(String requestId, String bonusType, Instant expiresAt, List<Player> players)
            throws Unavailable, Refused, InterruptedException {
        if (players.isEmpty() || players.size() > CHUNK_PLAYERS_MAX) {
            throw new IllegalArgumentException("a grant call names 1.." + CHUNK_PLAYERS_MAX + " players: " + players.size());
        }
        ObjectNode body = JSON.createObjectNode().put("cid", config.cid()).put("request_id", requestId).put("bonus_type", bonusType)
                .put("expires_at", expiresAt == null ? null : expiresAt.toString());
        ArrayNode data = body.putArray("playersData");
        Set<String> asked = new HashSet<>();
        for (Player p : players) {
            if (!asked.add(p.playerId())) {
                throw new IllegalArgumentException("player " + p.playerId() + " is twice in chunk " + requestId);
            }
            data.addObject().put("userId", p.playerId()).put("currency", p.currency()).put("betAmount", p.amount());
        }
        JsonNode answer = call(APPLY_PATH, body, "grant " + requestId);
        Map<String, String> granted = new LinkedHashMap<>();
        for (JsonNode item : answer.path("items")) {
            String player = item.path("userId").asText(null);
            String id = item.path("id").asText(null);
            if (player == null || id == null || !asked.contains(player) || granted.put(player, id) != null) {
                throw new Refused(200, "grant " + requestId + ": the provider answered an item for a player not asked, or twice: " + item);
            }
        }
        if (granted.size() != players.size() || !answer.path("errors").isEmpty()) {
            throw new Refused(200, "grant " + requestId + ": the provider granted " + granted.size() + " of " + players.size()
                    + " players, errors " + answer.path("errors"));
        }
        return granted;
    }

    /** Revokes the bonuses (at most {@link #CHUNK_PLAYERS_MAX} ids). */
    public RevokeResult revoke(List<String> bonusIds) throws Unavailable, Refused, InterruptedException {
        if (bonusIds.isEmpty() || bonusIds.size() > CHUNK_PLAYERS_MAX) {
            throw new IllegalArgumentException("a revoke call names 1.." + CHUNK_PLAYERS_MAX + " bonuses: " + bonusIds.size());
        }
        ObjectNode body = JSON.createObjectNode().put("cid", config.cid());
        ArrayNode ids = body.putArray("bonusesIds");
        bonusIds.forEach(ids::add);
        JsonNode answer = call(REVOKE_PATH, body, "revoke of " + bonusIds.size() + " bonuses");
        Set<String> revoked = new HashSet<>();
        answer.path("items").fieldNames().forEachRemaining(revoked::add);
        Map<String, String> refused = new HashMap<>();
        for (JsonNode e : answer.path("errors")) {
            refused.put(e.path("id").asText(), e.path("code").asText());
        }
        return new RevokeResult(revoked, refused);
    }

    /** One call: the same signed bytes on every attempt, bounded attempts and back-off. */
    private JsonNode call(String path, ObjectNode body, String what) throws Unavailable, Refused, InterruptedException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(config.baseUrl().resolve(path)).timeout(Duration.ofMillis(config.requestTimeoutMs()))
                .header("Content-Type", "application/json").header(SIGNATURE_HEADER, ProviderSignature.sign(bytes, config.secret()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        List<String> failures = new ArrayList<>();
        Exception last = null;
        long backoffMs = Config.BACKOFF_MS_MIN;
        for (int attempt = 1; attempt <= config.attemptsMax(); attempt++) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int s = r.statusCode();
                if (s == 200) {
                    return JSON.readTree(r.body());
                }
                if (s != 408 && s != 429 && s < 500) {
                    throw new Refused(s, what + ": the provider answered " + s + " " + r.body());
                }
                failures.add(String.valueOf(s));
            } catch (HttpTimeoutException e) {
                failures.add("timeout");
                last = e;
            } catch (IOException e) {
                failures.add(e.getClass().getSimpleName());
                last = e;
            }
            if (attempt < config.attemptsMax()) {
                Thread.sleep(ThreadLocalRandom.current().nextLong(backoffMs / 2, backoffMs + 1));
                backoffMs = Math.min(config.backoffMsMax(), backoffMs * 2);
            }
        }
        throw new Unavailable(what + ": " + config.attemptsMax() + " attempts failed " + failures, last);
    }
}
