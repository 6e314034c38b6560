package com.sportswallet.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.money.Amounts;

/**
 * Untimed setup through the operator API: creates players ({@code PUT /operator/players/{id}}) and
 * tops each balance up with a deposit ({@code POST .../deposits}) when it is below half its target.
 */
final class PlayerSetup {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final int THREADS = 8;

    private PlayerSetup() {
    }

    record Summary(int players, int created, int funded) {
    }

    /**
     * Makes sure every player exists (in {@code currency}, ACTIVE) and holds at least half of
     * {@code target} (minor units, capped at {@link Amounts#MAX}): if not, deposits the difference to
     * the target, with idempotency key {@code depositKeyPrefix + player}.
     */
    static Summary ensure(HttpClient client, String url, String token, String currency, List<String> players,
            ToLongFunction<String> target, String depositKeyPrefix) throws Exception {
        return ensure(client, () -> url, token, currency, players, target, depositKeyPrefix);
    }

    /** The same, each call to the base URL {@code urls} gives it (several ingresses in turn). */
    static Summary ensure(HttpClient client, Supplier<String> urls, String token, String currency, List<String> players,
            ToLongFunction<String> target, String depositKeyPrefix) throws Exception {
        AtomicInteger created = new AtomicInteger();
        AtomicInteger funded = new AtomicInteger();
        Parallel.forEach(players.size(), THREADS, i -> {
            String player = players.get(i);
            String path = "/operator/players/" + player;
            String base = urls.get() + path;
            HttpResponse<String> r = call(client, token, "PUT", base, JSON.createObjectNode().put("currency", currency).toString());
            if (r.statusCode() != 200 && r.statusCode() != 201) {
                throw new IllegalStateException("PUT " + base + ": HTTP " + r.statusCode() + " " + r.body());
            }
            if (r.statusCode() == 201) {
                created.incrementAndGet();
            }
            JsonNode wallet = JSON.readTree(r.body());
            if (!"ACTIVE".equals(wallet.path("status").asText("ACTIVE"))) {
                throw new IllegalStateException("player " + player + " is not ACTIVE: " + r.body());
            }
            long balance = wallet.path("balance").asLong();
            long goal = Math.min(Amounts.MAX, target.applyAsLong(player));
            if (balance < goal / 2) {
                ObjectNode deposit = JSON.createObjectNode()
                        .put("id", depositKeyPrefix + player)
                        .put("amount", goal - balance);
                String deposits = urls.get() + path + "/deposits";
                HttpResponse<String> d = call(client, token, "POST", deposits, deposit.toString());
                if (d.statusCode() != 200 && d.statusCode() != 201) {
                    throw new IllegalStateException("POST " + deposits + ": HTTP " + d.statusCode() + " " + d.body());
                }
                funded.incrementAndGet();
            }
        });
        return new Summary(players.size(), created.get(), funded.get());
    }

    /**
     * Sets the limits {@code body} asks for on every player (issue 15; PUT /operator/players/{id}/limits
     * with that body: a first limit or a decrease takes effect at once, the same one again changes nothing).
     */
    static void limits(HttpClient client, Supplier<String> urls, String token, List<String> players, String body) throws Exception {
        Parallel.forEach(players.size(), THREADS, i -> {
            String url = urls.get() + "/operator/players/" + players.get(i) + "/limits";
            HttpResponse<String> r = call(client, token, "PUT", url, body);
            if (r.statusCode() != 200) {
                throw new IllegalStateException("PUT " + url + ": HTTP " + r.statusCode() + " " + r.body());
            }
        });
    }

    private static HttpResponse<String> call(HttpClient client, String token, String method, String url, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(CALL_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
