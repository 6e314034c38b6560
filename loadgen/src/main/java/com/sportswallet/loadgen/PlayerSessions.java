package com.sportswallet.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sportswallet.money.Sessions;

/**
 * Untimed setup through the operator API: one session per player ({@code POST
 * /operator/players/{id}/sessions}, a day long, the longest allowed), which every make of the run names
 * (issue 15: the ingress refuses a make without an open session of its player, 1007, while
 * SESSIONS_REQUIRED is true, its default). Opened on every run, also with the players' setup skipped.
 */
final class PlayerSessions {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final int THREADS = 8;

    private PlayerSessions() {
    }

    /** Opens a session for each of {@code players} (each call to the base URL {@code urls} gives); player id to session id. */
    static Map<String, String> open(HttpClient client, Supplier<String> urls, String token, List<String> players) throws Exception {
        Map<String, String> sessions = new ConcurrentHashMap<>();
        List<String> distinct = players.stream().distinct().toList();
        Parallel.forEach(distinct.size(), THREADS, i -> {
            String player = distinct.get(i);
            String url = urls.get() + "/operator/players/" + player + "/sessions";
            HttpResponse<String> r = post(client, token, url, "{\"ttl_seconds\":" + Sessions.TTL_SECONDS_MAX + "}");
            if (r.statusCode() != 201) {
                throw new IllegalStateException("POST " + url + ": HTTP " + r.statusCode() + " " + r.body());
            }
            sessions.put(player, JSON.readTree(r.body()).path("session_id").asText());
        });
        return sessions;
    }

    private static HttpResponse<String> post(HttpClient client, String token, String url, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(CALL_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
