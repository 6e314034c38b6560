package com.sportswallet.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.money.Sessions;

/**
 * How long a win takes to land: makes and wins at a steady, normal rate through the real
 * ingress, then, from the database, the time from the ingress's decision (credit.created_at)
 * to the worker's application (credit.decided_at), p50/p99/max. Needs scripts/up (ingress,
 * relay, broker, worker). A benchmark program: it prints figures, it asserts nothing.
 * Usage: CreditLatencyBench [wins=2000] [ratePerSecond=100] [url] [keysDir] [jdbcUrl]
 */
public final class CreditLatencyBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

    private CreditLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int wins = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int ratePerSecond = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        String url = args.length > 2 ? args[2] : "http://127.0.0.1:8080";
        Path keys = Path.of(args.length > 3 ? args[3] : ".local/keys");
        String jdbcUrl = args.length > 4 ? args[4] : "jdbc:postgresql://127.0.0.1:5432/wallet";
        Result r = measure(url, keys, jdbcUrl, wins, ratePerSecond, "latency-" + Long.toString(System.currentTimeMillis(), 36));
        System.out.printf("credits applied: %d of %d (still pending: %d)%n", r.applied(), wins, r.pending());
        System.out.printf("decided -> applied: p50 %.1f ms, p99 %.1f ms, max %.1f ms (at %d makes + %d wins per second)%n",
                r.msP50(), r.msP99(), r.msMax(), ratePerSecond, ratePerSecond);
        System.out.printf("RESULT credit_latency_ms_p50=%.1f credit_latency_ms_p99=%.1f credit_latency_ms_max=%.1f%n", r.msP50(), r.msP99(),
                r.msMax());
    }

    /** What {@link #measure} found: credits applied and still pending, and decided -> applied latencies in ms. */
    record Result(long applied, long pending, double msP50, double msP99, double msMax) {
    }

    /** {@code wins} makes and wins of one new player {@code player} at {@code ratePerSecond}; then their credits' latencies. */
    static Result measure(String url, Path keys, String jdbcUrl, int wins, int ratePerSecond, String player) throws Exception {
        PrivateKey provider = Tokens.readPrivateKey(keys.resolve("provider-private.pem"));
        String operator = Tokens.operatorToken(Tokens.readPrivateKey(keys.resolve("operator-private.pem")), "demo-operator");
        HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();

        String run = player;
        send(http, HttpRequest.newBuilder(URI.create(url + "/operator/players/" + player)).header("Authorization", "Bearer " + operator)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"currency\":\"EUR\"}")));
        send(http, HttpRequest.newBuilder(URI.create(url + "/operator/players/" + player + "/deposits")).header("Authorization", "Bearer " + operator)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + run + "\",\"amount\":" + 100L * wins + "}")));

        // A make needs an open session of its player (issue 15).
        HttpResponse<String> opened = http.send(HttpRequest.newBuilder(URI.create(url + "/operator/players/" + player + "/sessions"))
                .timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + operator).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ttl_seconds\":" + Sessions.TTL_SECONDS_MAX + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (opened.statusCode() != 201) {
            throw new IllegalStateException("opening a session for " + player + ": HTTP " + opened.statusCode() + " " + opened.body());
        }
        String session = JSON.readTree(opened.body()).path("session_id").asText();
        long intervalNanos = 1_000_000_000L / ratePerSecond;
        long next = System.nanoTime();
        for (int i = 0; i < wins; i++) {
            String makeTx = "lat-" + run + "-" + i;
            ObjectNode tx = JSON.createObjectNode().put("id", makeTx).put("amount", 100).put("currency", "EUR").put("operation", "bet");
            ObjectNode make = JSON.createObjectNode().put("amount", 100).put("currency", "EUR").put("player_id", player)
                    .put("session_id", session);
            make.set("transaction", tx);
            callback(http, url, provider, "bet/make", make);
            String betId = CloudEventJson.stableId("bet/make", makeTx);
            ObjectNode winTx = JSON.createObjectNode().put("id", makeTx + "-win").put("amount", 150).put("currency", "EUR").put("operation", "win");
            ObjectNode win = JSON.createObjectNode().put("amount", 150).put("currency", "EUR").put("is_cashout", false).put("bet_transaction_id", betId);
            win.set("transaction", winTx);
            callback(http, url, provider, "bet/win", win);
            next += intervalNanos;
            long sleepNanos = next - System.nanoTime();
            if (sleepNanos > 0) {
                Thread.sleep(sleepNanos / 1_000_000, (int) (sleepNanos % 1_000_000));
            }
        }

        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && pending(c, player) > 0) {
                Thread.sleep(100);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*),"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - created_at)),"
                    + " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - created_at)),"
                    + " max(extract(epoch FROM decided_at - created_at)) FROM credit WHERE player_id = ? AND status = 'APPLIED'")) {
                ps.setString(1, player);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Result(rs.getLong(1), pending(c, player), rs.getDouble(2) * 1000, rs.getDouble(3) * 1000, rs.getDouble(4) * 1000);
                }
            }
        }
    }

    private static long pending(Connection c, String player) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM credit WHERE player_id = ? AND status = 'PENDING'")) {
            ps.setString(1, player);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void callback(HttpClient http, String url, PrivateKey key, String endpoint, ObjectNode payload) throws Exception {
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode().put("iss", "demo-operator").put("iat", now).put("exp", now + 300)
                .put("jti", UUID.randomUUID().toString());
        claims.set("payload", payload);
        String body = JSON.createObjectNode().put("payload", Tokens.sign(key, claims.toString())).toString();
        send(http, HttpRequest.newBuilder(URI.create(url + "/sportsbook/" + endpoint)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static void send(HttpClient http, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
    }
}
