package com.sportswallet.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Untimed setup of {@code --bonus-percent} (issue 14): grants, through the operator API and so
 * through the provider's bonus API, the bonuses the plan's makes were drawn to use, then names one
 * in each such make's payload before it is signed. Per type, round k grants one bonus of
 * {@code stakeMax} to every player whose flows use at least k of that type (one grant request per
 * round: a grant gives a player one bonus); at most {@link #PER_PLAYER_AND_TYPE_MAX} rounds, so a
 * hot player's extra bonus makes stay cash makes. Each grant is awaited until DONE (bounded), then
 * every player's ACTIVE bonuses are read back and handed out in flow order.
 */
final class BonusSetup {
    static final int PER_PLAYER_AND_TYPE_MAX = 3;
    /** How long a grant may take to be DONE (the worker calls the provider in chunks of 1,000). */
    static final Duration GRANT_WAIT_MAX = Duration.ofSeconds(180);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /** The bonuses read back per player (the API's own maximum). */
    private static final int LIST_LIMIT = 500;
    private static final int THREADS = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private BonusSetup() {
    }

    /** What setup did: makes given a bonus, by type, and those left cash (no bonus left for them). */
    record Summary(Map<String, Integer> byType, int leftCash, int grants) {
    }

    static Summary grantAndBind(HttpClient client, Supplier<String> urls, String token, LoadGenOptions o, List<FlowPlan.Flow> flows)
            throws Exception {
        // The makes drawn to use a bonus, in flow order, by player and type.
        Map<String, Map<String, List<FlowPlan.Call>>> wanted = new LinkedHashMap<>();
        for (FlowPlan.Flow f : flows) {
            for (FlowPlan.Step s : f.steps()) {
                for (FlowPlan.Call c : s.calls()) {
                    if (!c.duplicate() && c.bonusType != null) {
                        wanted.computeIfAbsent(c.playerId, p -> new TreeMap<>()).computeIfAbsent(c.bonusType, t -> new ArrayList<>()).add(c);
                    }
                }
            }
        }
        int grants = 0;
        String expiresAt = Instant.now().plus(Duration.ofDays(1)).toString();
        for (String type : FlowPlan.BONUS_TYPES) {
            for (int round = 1; round <= PER_PLAYER_AND_TYPE_MAX; round++) {
                ArrayNode players = JSON.createArrayNode();
                for (Map.Entry<String, Map<String, List<FlowPlan.Call>>> e : wanted.entrySet()) {
                    if (e.getValue().getOrDefault(type, List.of()).size() >= round) {
                        players.addObject().put("player_id", e.getKey()).put("amount", o.stakeMax);
                    }
                }
                if (players.isEmpty()) {
                    break;
                }
                String requestId = "lg-" + o.runId + "-" + type + "-" + round;
                ObjectNode body = JSON.createObjectNode().put("request_id", requestId).put("bonus_type", type).put("currency", o.currency)
                        .put("expires_at", expiresAt);
                body.set("players", players);
                HttpResponse<String> r = call(client, token, "POST", urls.get() + "/operator/bonus-grants", body.toString());
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("POST /operator/bonus-grants " + requestId + ": HTTP " + r.statusCode() + " " + r.body());
                }
                awaitDone(client, urls, token, requestId);
                grants++;
            }
        }
        // Each player's ACTIVE bonuses, by type, oldest first (the list is newest first).
        Map<String, Map<String, Deque<String>>> active = new ConcurrentHashMap<>();
        List<String> players = new ArrayList<>(wanted.keySet());
        Parallel.forEach(players.size(), THREADS, i -> {
            String player = players.get(i);
            HttpResponse<String> r = call(client, token, "GET", urls.get() + "/operator/players/" + player + "/bonuses?limit=" + LIST_LIMIT,
                    null);
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET bonuses of " + player + ": HTTP " + r.statusCode() + " " + r.body());
            }
            Map<String, Deque<String>> byType = new HashMap<>();
            for (JsonNode b : JSON.readTree(r.body()).path("bonuses")) {
                if ("ACTIVE".equals(b.path("status").asText()) && o.currency.equals(b.path("currency").asText())
                        && b.path("amount").asLong() >= o.stakeMax && Instant.parse(b.path("expires_at").asText()).isAfter(Instant.now()
                                .plus(Duration.ofHours(1)))) {
                    byType.computeIfAbsent(b.path("bonus_type").asText(), t -> new ArrayDeque<>()).addFirst(b.path("bonus_id").asText());
                }
            }
            active.put(player, byType);
        });
        Map<String, Integer> byType = new TreeMap<>();
        int leftCash = 0;
        for (Map.Entry<String, Map<String, List<FlowPlan.Call>>> e : wanted.entrySet()) {
            Map<String, Deque<String>> mine = active.getOrDefault(e.getKey(), Map.of());
            for (Map.Entry<String, List<FlowPlan.Call>> t : e.getValue().entrySet()) {
                Deque<String> ids = mine.getOrDefault(t.getKey(), new ArrayDeque<>());
                for (FlowPlan.Call make : t.getValue()) {
                    String id = ids.pollFirst();
                    if (id == null) {
                        make.bonusType = null;
                        leftCash++;
                        continue;
                    }
                    Payloads.withBonus(make.payload, make.bonusType, id, make.amount);
                    byType.merge(make.bonusType, 1, Integer::sum);
                }
            }
        }
        return new Summary(byType, leftCash, grants);
    }

    private static void awaitDone(HttpClient client, Supplier<String> urls, String token, String requestId) throws Exception {
        long deadline = System.nanoTime() + GRANT_WAIT_MAX.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = call(client, token, "GET", urls.get() + "/operator/bonus-grants/" + requestId, null);
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200 && "DONE".equals(JSON.readTree(r.body()).path("status").asText())) {
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException("grant " + requestId + " not DONE after " + GRANT_WAIT_MAX.toSeconds()
                + " s (is the settlement-worker granting, and the provider's bonus API up?): " + last);
    }

    private static HttpResponse<String> call(HttpClient client, String token, String method, String url, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(CALL_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
