package com.sportswallet.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.money.BonusChunks;

/**
 * What a mass freebet grant costs (issue 14; scripts/bench-grants). A benchmark program: it prints
 * figures and asserts nothing. Needs scripts/up (ingress, worker with its granting consumer, the
 * provider simulator, broker). In order:
 * <ol>
 * <li>credit latency with nothing else running ({@link CreditLatencyBench}: makes and wins at a
 * steady rate, decided -> applied p99);</li>
 * <li>one grant of {@code players} new players (seeded by SQL, untimed) through
 * {@code POST /operator/bonus-grants}, timed from the request to status DONE: bonuses/s, the
 * provider simulator's calls included; the same credit latency measured again while it runs (a
 * grant has its own consumer, thread and pool: credits should not notice);</li>
 * <li>the grant's own statements without Kafka or the provider, one bonus per transaction pair
 * (record the chunk, complete it with the id a provider would answer: {@link BonusChunks#take} and
 * {@link BonusChunks#complete}, the worker's code), on {@code dbThreads} connections, each thread
 * its own grant: the database's bonuses/s for the same work;</li>
 * <li>claims on one hot promotion of {@code claimsMax} slots: {@code claimsMax} + a fifth more
 * distinct players claim at once from {@code claimThreads} clients; claims/s, and that exactly
 * {@code claimsMax} were taken.</li>
 * </ol>
 * Usage: GrantBench [players=100000] [url] [keysDir] [jdbcUrl] [latencyWins=1000] [latencyRate=50] [dbBonuses=20000] [dbThreads=8]
 * [claimsMax=5000] [claimThreads=32]
 */
public final class GrantBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GRANT_WAIT_MAX = Duration.ofMinutes(30);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);
    private static final long BONUS_AMOUNT = 500;

    private GrantBench() {
    }

    public static void main(String[] args) throws Exception {
        int players = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String url = args.length > 1 ? args[1] : "http://127.0.0.1:8080";
        Path keys = Path.of(args.length > 2 ? args[2] : ".local/keys");
        String jdbcUrl = args.length > 3 ? args[3] : "jdbc:postgresql://127.0.0.1:5432/wallet";
        int latencyWins = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        int latencyRate = args.length > 5 ? Integer.parseInt(args[5]) : 50;
        int dbBonuses = args.length > 6 ? Integer.parseInt(args[6]) : 20_000;
        int dbThreads = args.length > 7 ? Integer.parseInt(args[7]) : 8;
        int claimsMax = args.length > 8 ? Integer.parseInt(args[8]) : 5000;
        int claimThreads = args.length > 9 ? Integer.parseInt(args[9]) : 32;
        String run = Long.toString(System.currentTimeMillis(), 36);
        String prefix = "gb-" + run + "-";

        seedPlayers(jdbcUrl, prefix, players);
        System.out.printf("seeded %d players %s1..%d (untimed)%n", players, prefix, players);

        CreditLatencyBench.Result idle = CreditLatencyBench.measure(url, keys, jdbcUrl, latencyWins, latencyRate, "gb-lat-idle-" + run);
        System.out.printf("credit latency, nothing else running: p50 %.1f ms, p99 %.1f ms (%d wins at %d/s)%n", idle.msP50(), idle.msP99(),
                latencyWins, latencyRate);

        String token = Tokens.operatorToken(Tokens.readPrivateKey(keys.resolve("operator-private.pem")), "demo-operator");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        ObjectNode grant = JSON.createObjectNode().put("request_id", "gb-" + run).put("bonus_type", "freebet_freemoney").put("currency", "EUR")
                .put("expires_at", Instant.now().plus(Duration.ofDays(7)).toString());
        ArrayNode list = grant.putArray("players");
        for (int i = 1; i <= players; i++) {
            list.addObject().put("player_id", prefix + i).put("amount", BONUS_AMOUNT);
        }
        byte[] body = JSON.writeValueAsBytes(grant);
        ExecutorService latencyThread = Executors.newSingleThreadExecutor();
        long start = System.nanoTime();
        HttpResponse<String> posted = http.send(request(url + "/operator/bonus-grants", token).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (posted.statusCode() != 202) {
            throw new IllegalStateException("POST /operator/bonus-grants: HTTP " + posted.statusCode() + " " + posted.body());
        }
        double recordSeconds = (System.nanoTime() - start) / 1e9;
        Future<CreditLatencyBench.Result> during = latencyThread.submit(() -> CreditLatencyBench.measure(url, keys, jdbcUrl, latencyWins,
                latencyRate, "gb-lat-grant-" + run));
        long deadline = start + GRANT_WAIT_MAX.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(request(url + "/operator/bonus-grants/gb-" + run, token).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            status = r.body();
            if (r.statusCode() == 200 && "DONE".equals(JSON.readTree(r.body()).path("status").asText())) {
                break;
            }
            Thread.sleep(250);
        }
        double grantSeconds = (System.nanoTime() - start) / 1e9;
        long granted = JSON.readTree(status).path("players_granted").asLong();
        CreditLatencyBench.Result grantRunning = during.get();
        latencyThread.shutdown();
        System.out.printf("grant of %d players: %d granted in %.1f s (the request recorded in %.1f s): %.0f bonuses/s; status %s%n", players,
                granted, grantSeconds, recordSeconds, granted / grantSeconds, status);
        System.out.printf("credit latency while the grant ran: p50 %.1f ms, p99 %.1f ms%n", grantRunning.msP50(), grantRunning.msP99());

        double dbRate = databaseOnly(jdbcUrl, "gbdb-" + run, dbBonuses, dbThreads);
        System.out.printf("the grant's statements alone (%d threads, one bonus per record + complete pair): %.0f bonuses/s%n", dbThreads,
                dbRate);
        Claims claims = claims(http, url, token, jdbcUrl, "gbc-" + run, claimsMax, claimThreads);
        System.out.printf("hot promotion of %d: %d claims (%d taken, %d sold_out, %d other) in %.1f s from %d clients: %.0f claims/s%n",
                claimsMax, claims.sent(), claims.taken(), claims.soldOut(), claims.other(), claims.seconds(), claimThreads,
                claims.sent() / claims.seconds());
        System.out.printf("RESULT grant_players=%d grant_bonuses_per_s=%.0f grant_seconds=%.1f db_bonuses_per_s=%.0f ratio=%.2f"
                + " credit_latency_ms_p99_idle=%.1f credit_latency_ms_p99_during_grant=%.1f claims_per_s=%.0f claims_taken=%d claims_max=%d%n",
                players, granted / grantSeconds, grantSeconds, dbRate, granted / grantSeconds / dbRate, idle.msP99(), grantRunning.msP99(),
                claims.sent() / claims.seconds(), claims.taken(), claimsMax);
    }

    /** What the claims on the hot promotion got: 201s, 409 sold_out, anything else. */
    record Claims(int sent, int taken, int soldOut, int other, double seconds) {
    }

    private static Claims claims(HttpClient http, String url, String token, String jdbcUrl, String run, int claimsMax, int threads)
            throws Exception {
        int players = claimsMax + claimsMax / 5;
        seedPlayers(jdbcUrl, run + "-p", players);
        ObjectNode promotion = JSON.createObjectNode().put("bonus_type", "freebet_freemoney").put("amount", BONUS_AMOUNT).put("currency", "EUR")
                .put("claims_max", claimsMax).put("expires_at", Instant.now().plus(Duration.ofDays(7)).toString());
        HttpResponse<String> put = http.send(request(url + "/operator/promotions/" + run, token).PUT(HttpRequest.BodyPublishers.ofString(
                promotion.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() / 100 != 2) {
            throw new IllegalStateException("PUT /operator/promotions/" + run + ": HTTP " + put.statusCode() + " " + put.body());
        }
        AtomicLong taken = new AtomicLong();
        AtomicLong soldOut = new AtomicLong();
        AtomicLong other = new AtomicLong();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = next.incrementAndGet(); i <= players; i = next.incrementAndGet()) {
                    HttpResponse<String> r = http.send(request(url + "/operator/promotions/" + run + "/claims", token).POST(
                            HttpRequest.BodyPublishers.ofString("{\"player_id\":\"" + run + "-p" + i + "\"}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 201) {
                        taken.incrementAndGet();
                    } else if (r.statusCode() == 409 && r.body().contains("sold_out")) {
                        soldOut.incrementAndGet();
                    } else {
                        other.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        return new Claims(players, (int) taken.get(), (int) soldOut.get(), (int) other.get(), (System.nanoTime() - start) / 1e9);
    }

    private static HttpRequest.Builder request(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(CALL_TIMEOUT).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
    }

    /** Players {@code prefix}1..n with EUR wallets, set-based in one transaction. */
    private static void seedPlayers(String jdbcUrl, String prefix, int n) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO player (id) SELECT ? || i FROM generate_series(1, ?) i")) {
                ps.setString(1, prefix);
                ps.setInt(2, n);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO wallet (player_id, currency) SELECT ? || i, 'EUR' FROM generate_series(1, ?) i"
                    + " ORDER BY i")) {
                ps.setString(1, prefix);
                ps.setInt(2, n);
                ps.executeUpdate();
            }
            c.commit();
        }
    }

    /**
     * The grant's own statements, one bonus per (record, complete) transaction pair, each thread on
     * its own grant (recorded PENDING by SQL, untimed, with no bonus.grants records: the live
     * consumer never sees them); bonuses/s.
     */
    private static double databaseOnly(String jdbcUrl, String run, int bonuses, int threads) throws Exception {
        int perThread = Math.max(1, bonuses / threads);
        seedPlayers(jdbcUrl, run + "-p", perThread * threads);
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            for (int t = 0; t < threads; t++) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus_grant (request_id, request_hash, bonus_type, currency, expires_at,"
                        + " players_total) VALUES (?, '\\x00', 'freebet_freemoney', 'EUR', now() + interval '7 days', ?)")) {
                    ps.setString(1, run + "-" + t);
                    ps.setInt(2, perThread);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus_grant_player (request_id, player_id, amount)"
                        + " SELECT ?, ? || (? * ? + i), ? FROM generate_series(1, ?) i")) {
                    ps.setString(1, run + "-" + t);
                    ps.setString(2, run + "-p");
                    ps.setInt(3, t);
                    ps.setInt(4, perThread);
                    ps.setLong(5, BONUS_AMOUNT);
                    ps.setInt(6, perThread);
                    ps.executeUpdate();
                }
            }
        }
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                String requestId = run + "-" + thread;
                try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
                    c.setAutoCommit(false);
                    for (int i = 1; i <= perThread; i++) {
                        String player = run + "-p" + (thread * perThread + i);
                        BonusChunks.Chunk chunk = BonusChunks.take(c, requestId, List.of(player), 1);
                        c.commit();
                        BonusChunks.complete(c, chunk, Map.of(player, "gbdb-bonus-" + player), Instant.now());
                        c.commit();
                        done.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }
}
