package com.sportswallet.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A benchmark (not a test) of the ingress's {@code POST /sportsbook/bet/make}.
 *
 * <ol>
 * <li>Setup, untimed: creates players {@code bench-1..bench-N} through the operator API
 * ({@code PUT /operator/players/{id}}, EUR) and tops each one up with a deposit when its balance is
 * below what many runs need, with an operator JWT signed here (operator-private.pem, RS256, iss
 * demo-operator, groups [operator], 1 h).</li>
 * <li>Pre-signing, untimed, in parallel on every core: every make body the run may send, each a
 * realistic single-selection make (like the tests' Provider.make) with a unique transaction id, a
 * random bench player, and reference ids (sport, category, tournament, event) from a small fixed
 * set, signed RS256 with provider-private.pem (no kid; iss = operator id; iat now, exp now + 1 h).</li>
 * <li>Timed: {@code concurrency} threads, each sending synchronously over java.net.http (HTTP/1.1).
 * Closed loop (rate 0): as fast as answers come; latency from the send. Open loop (rate &gt; 0):
 * request i is due at start + i / rate, and its latency is measured from that intended time, so a
 * stalled server is charged for the requests it delayed (no coordinated omission). Warm-up first
 * (not recorded), then the measured duration. Nothing is retried: a 5xx or a timeout (10 s) is
 * counted and reported.</li>
 * </ol>
 * Prints progress every 5 s, then throughput (successful makes/s), latency percentiles, answers by
 * HTTP status and protocol code, and a {@code RESULT key=value ...} line for scripts; optionally the
 * same figures as JSON (--out).
 */
public final class MakeBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The request timeout: a request not answered by then is counted as "timeout", never retried. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
    /** Provider tokens and the operator token live this long, so they stay valid through the run. */
    private static final long TOKEN_LIFETIME_SECONDS = 3600;
    /** Upper bound of pre-signed bodies (about 2 KB each). */
    private static final int BODIES_MAX = 200_000;
    /** At least this many bodies in closed loop, whatever the estimate. */
    private static final int BODIES_MIN = 5_000;
    /** Closed-loop estimate of the make rate per 64 concurrent clients (makes/s), generous on this hardware. */
    private static final int CLOSED_LOOP_RATE_PER_64 = 3000;
    private static final long PROGRESS_INTERVAL_SECONDS = 5;
    /** Latencies recorded in microseconds, up to this (a request times out at 10 s anyway). */
    private static final long LATENCY_MAX_MICROS = 60_000_000L;
    /** Each player's balance covers at least this many stakes after setup (bet/make runs and pgbench both debit it). */
    private static final long STAKES_PER_PLAYER_MIN = 100_000;
    private static final long AMOUNT_MAX = 1_000_000_000_000L;
    private static final int SETUP_THREADS = 8;

    // The small fixed set of reference data: reference upserts mostly hit existing rows.
    // scripts/bench-make's pgbench script uses the same ids.
    static final String[] SPORTS = { "Football", "Tennis", "Basketball", "Ice Hockey", "Volleyball" };
    static final int EVENTS_PER_SPORT = 20;

    private MakeBench() {
    }

    // ------------------------------------------------------------------ options

    static final class Options {
        String url = "http://127.0.0.1:8080";
        Path keysDir = Path.of(".local/keys");
        int players = 1000;
        int concurrency = 64;
        int durationSeconds = 20;
        int warmupSeconds = 5;
        /** 0: closed loop; &gt; 0: open loop at this fixed rate (requests/s). */
        double ratePerSecond = 0;
        /** Minor units. */
        long stake = 100;
        String operatorId = "demo-operator";
        String currency = "EUR";
        String playerPrefix = "bench-";
        Path out;
        /** 0: estimated from concurrency/rate and seconds. */
        int bodies = 0;
        boolean setupOnly;
        boolean skipSetup;
        /** A process (the ingress) whose CPU use over the measured window is reported; 0: none. */
        long watchPid;
        /** The timed phase's HTTP client: "jdk" (java.net.http.HttpClient) or "raw" (a minimal HTTP/1.1 client on a socket). */
        String httpClient = "jdk";

        boolean openLoop() {
            return ratePerSecond > 0;
        }
    }

    private static final String USAGE = String.join("\n",
            "usage: MakeBench [options]",
            "  --url URL                 ingress base URL (http://127.0.0.1:8080)",
            "  --keys-dir DIR            provider-private.pem and operator-private.pem, PKCS#8 (.local/keys)",
            "  --players N               bench players bench-1..bench-N (1000)",
            "  --concurrency N           worker threads, each one request at a time (64)",
            "  --duration-seconds S      measured phase, seconds (20)",
            "  --warmup-seconds S        warm-up before it, not recorded, seconds (5)",
            "  --rate-per-second R       0: closed loop, as fast as possible; > 0: open loop at R requests/s,",
            "                            latency from the intended send time (0)",
            "  --stake N                 stake of each make, minor units (100)",
            "  --operator-id ID          the provider's iss and the operator JWT's issuer (demo-operator)",
            "  --currency CCY            the bench players' wallet currency (EUR)",
            "  --bodies N                pre-signed bodies, overrides the estimate (0 = estimate, at most 200000)",
            "  --out FILE                also write the figures as JSON to FILE",
            "  --setup-only              create and fund the players, then exit",
            "  --skip-setup              assume the players exist and are funded",
            "  --watch-pid PID           also report this process's CPU over the measured window (e.g. the ingress)",
            "  --http-client jdk|raw     timed phase's client: java.net.http.HttpClient (jdk), or a minimal HTTP/1.1",
            "                            client, one keep-alive socket per worker, that costs far less CPU (jdk)");

    static Options parse(String[] args) {
        Options o = new Options();
        Args.parse(args, USAGE, Set.of("--setup-only", "--skip-setup"), (name, value) -> {
            switch (name) {
                case "--setup-only" -> o.setupOnly = true;
                case "--skip-setup" -> o.skipSetup = true;
                case "--url" -> o.url = value.replaceAll("/+$", "");
                case "--keys-dir" -> o.keysDir = Path.of(value);
                case "--players" -> o.players = Args.positiveInt(name, value);
                case "--concurrency" -> o.concurrency = Args.positiveInt(name, value);
                case "--duration-seconds" -> o.durationSeconds = Args.positiveInt(name, value);
                case "--warmup-seconds" -> o.warmupSeconds = Args.nonNegativeInt(name, value);
                case "--rate-per-second" -> {
                    o.ratePerSecond = Double.parseDouble(value);
                    if (!(o.ratePerSecond >= 0)) {
                        throw new IllegalArgumentException(name + " must be >= 0");
                    }
                }
                case "--stake" -> {
                    o.stake = Long.parseLong(value);
                    if (o.stake < 1 || o.stake > AMOUNT_MAX) {
                        throw new IllegalArgumentException(name + " must be in 1..10^12");
                    }
                }
                case "--operator-id" -> o.operatorId = value;
                case "--currency" -> o.currency = value;
                case "--bodies" -> o.bodies = Args.nonNegativeInt(name, value);
                case "--out" -> o.out = Path.of(value);
                case "--watch-pid" -> o.watchPid = Long.parseLong(value);
                case "--http-client" -> {
                    if (!value.equals("jdk") && !value.equals("raw")) {
                        throw new IllegalArgumentException(name + " must be jdk or raw");
                    }
                    o.httpClient = value;
                }
                default -> throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
            }
        });
        if (o.setupOnly && o.skipSetup) {
            throw new IllegalArgumentException("--setup-only and --skip-setup exclude each other");
        }
        return o;
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("MakeBench: " + e.getMessage());
            System.exit(2);
            return;
        }
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        int bodies = bodyCount(o);
        if (!o.skipSetup) {
            setup(o, client, bodies);
        }
        if (o.setupOnly) {
            return;
        }
        PrivateKey providerKey = readPrivateKey(o.keysDir.resolve("provider-private.pem"));
        long t = System.nanoTime();
        byte[][] signed = presign(o, providerKey, bodies);
        System.out.printf(Locale.ROOT, "presigned %d make bodies in %.1f s (%d threads; untimed)%n", signed.length,
                (System.nanoTime() - t) / 1e9, Runtime.getRuntime().availableProcessors());
        Result result = run(o, client, signed);
        result.print(o);
        if (o.out != null) {
            Path parent = o.out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(o.out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result.json(o)) + "\n");
            System.out.println("figures written to " + o.out);
        }
        System.exit(0);
    }

    /** How many bodies to pre-sign: enough for warm-up + duration at a generous estimate. */
    static int bodyCount(Options o) {
        if (o.bodies > 0) {
            return o.bodies;
        }
        long seconds = (long) o.warmupSeconds + o.durationSeconds;
        long n;
        if (o.openLoop()) {
            n = (long) Math.ceil(o.ratePerSecond * seconds * 1.05) + 1000;
        } else {
            n = Math.max(BODIES_MIN, (long) o.concurrency * CLOSED_LOOP_RATE_PER_64 * seconds / 64);
        }
        return (int) Math.min(BODIES_MAX, n);
    }

    // ------------------------------------------------------------------ keys and tokens

    static PrivateKey readPrivateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem);
        if (text.contains("BEGIN RSA PRIVATE KEY")) {
            throw new IllegalArgumentException(pem + " is PKCS#1; convert it: openssl pkcs8 -topk8 -nocrypt -in " + pem);
        }
        String base64 = text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    static String sign(PrivateKey key, String claimsJson) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        jws.setPayload(claimsJson);
        jws.setKey(key);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    /** The operator API token: RS256, iss = operator id, groups [operator], 1 h. */
    static String operatorToken(PrivateKey key, String issuer) {
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", issuer)
                .put("sub", "loadgen")
                .put("upn", "loadgen")
                .put("iat", now)
                .put("exp", now + TOKEN_LIFETIME_SECONDS)
                .put("jti", UUID.randomUUID().toString());
        claims.putArray("groups").add("operator");
        return sign(key, claims.toString());
    }

    // ------------------------------------------------------------------ setup

    /** Creates bench-1..N (EUR) and tops up each balance to cover many runs; untimed. */
    static void setup(Options o, HttpClient client, int bodies) throws Exception {
        String token = operatorToken(readPrivateKey(o.keysDir.resolve("operator-private.pem")), o.operatorId);
        long perPlayer = Math.max(STAKES_PER_PLAYER_MIN, 20L * bodies / o.players + 1);
        long target = (long) Math.min((double) AMOUNT_MAX, (double) o.stake * perPlayer);
        String runId = Long.toString(System.currentTimeMillis(), 36);
        AtomicInteger created = new AtomicInteger();
        AtomicInteger funded = new AtomicInteger();
        long t = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(SETUP_THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 1; i <= o.players; i++) {
                String player = o.playerPrefix + i;
                futures.add(pool.submit(() -> {
                    String base = o.url + "/operator/players/" + player;
                    HttpResponse<String> r = operatorCall(client, token, "PUT", base,
                            JSON.createObjectNode().put("currency", o.currency).toString());
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
                    if (balance < target / 2) {
                        ObjectNode deposit = JSON.createObjectNode()
                                .put("id", "bench-fund-" + player + "-" + runId)
                                .put("amount", target - balance);
                        HttpResponse<String> d = operatorCall(client, token, "POST", base + "/deposits", deposit.toString());
                        if (d.statusCode() != 200 && d.statusCode() != 201) {
                            throw new IllegalStateException("POST " + base + "/deposits: HTTP " + d.statusCode() + " " + d.body());
                        }
                        funded.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(Locale.ROOT, "setup: %d players %s1..%d (%d created, %d topped up to %d minor units) in %.1f s (untimed)%n",
                o.players, o.playerPrefix, o.players, created.get(), funded.get(), target, (System.nanoTime() - t) / 1e9);
    }

    private static HttpResponse<String> operatorCall(HttpClient client, String token, String method, String url, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(SETUP_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------ pre-signing

    /** Signs {@code count} make bodies in parallel on every core, before anything is timed. */
    static byte[][] presign(Options o, PrivateKey key, int count) throws Exception {
        byte[][] out = new byte[count][];
        String runId = Long.toString(System.currentTimeMillis(), 36);
        long iat = Instant.now().getEpochSecond();
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicInteger next = new AtomicInteger();
            int chunk = 256;
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int from; (from = next.getAndAdd(chunk)) < count;) {
                        for (int i = from; i < Math.min(count, from + chunk); i++) {
                            out[i] = makeBody(o, key, runId, i, iat);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    /** Body number {@code i}: a realistic single-selection make, signed: {@code {"payload":"<jwt>"}}. */
    static byte[] makeBody(Options o, PrivateKey key, String runId, int i, long iat) {
        SplittableRandom random = new SplittableRandom(runId.hashCode() * 1_000_003L + i);
        String txId = "mb-" + runId + "-" + i;
        String player = o.playerPrefix + (1 + random.nextInt(o.players));
        int s = 1 + random.nextInt(SPORTS.length);
        int e = 1 + random.nextInt(EVENTS_PER_SPORT);
        String sportName = SPORTS[s - 1];
        long stake = o.stake;
        long potentialWin = stake * 185 / 100;
        long timestamp = iat;

        ObjectNode selection = JSON.createObjectNode()
                .put("id", "sel-" + txId)
                .put("event_id", "bench-ev-" + s + "-" + e)
                .put("sport_id", "bench-sport-" + s)
                .put("sport_name", sportName)
                .put("category_id", "bench-cat-" + s)
                .put("category_name", "Category of " + sportName)
                .put("tournament_id", "bench-tour-" + s)
                .put("tournament_name", "Cup of " + sportName);
        selection.putArray("competitor_name").add("Home " + s + "-" + e).add("Away " + s + "-" + e);
        selection.put("market_name", "1x2")
                .put("outcome_name", "1")
                .put("live", false)
                .put("scheduled", 1_790_000_000L + e * 3600L)
                .put("odds", "1.85");
        ObjectNode betslip = JSON.createObjectNode()
                .put("id", "slip-" + txId)
                .put("timestamp", timestamp)
                .put("type", "single")
                .put("sum", stake)
                .put("k", "1.85")
                .put("is_quick_bet", false)
                .put("accept_odds_change", true);
        betslip.putArray("bets").add(selection);
        ObjectNode transaction = JSON.createObjectNode()
                .put("id", txId)
                .put("betslip_id", "slip-" + txId)
                .put("player_id", player)
                .put("operator_id", o.operatorId)
                .put("operator_brand_id", "brand-1")
                .put("ext_player_id", player)
                .put("timestamp", timestamp)
                .put("amount", stake)
                .put("currency", o.currency)
                .put("operation", "bet");
        ObjectNode payload = JSON.createObjectNode()
                .put("amount", stake)
                .put("currency", o.currency)
                .put("player_id", player)
                .put("session_id", "session-" + player)
                .put("potential_win", potentialWin);
        payload.set("transaction", transaction);
        payload.set("betslip", betslip);

        ObjectNode claims = JSON.createObjectNode()
                .put("iss", o.operatorId)
                .put("iat", iat)
                .put("exp", iat + TOKEN_LIFETIME_SECONDS)
                .put("jti", UUID.randomUUID().toString());
        claims.set("payload", payload);
        String jwt = sign(key, claims.toString());
        // A compact JWT is base64url and dots: nothing to escape.
        return ("{\"payload\":\"" + jwt + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ timed phase

    /** One worker's counts and latencies: written only by its thread, merged after the run. */
    static final class WorkerStats {
        final Recorder recorder = new Recorder(1, LATENCY_MAX_MICROS, 3);
        final Map<String, Long> answers = new HashMap<>();
        long measured;
        long successes;

        void record(long latencyNanos, String answer) {
            recorder.recordValue(Math.min(LATENCY_MAX_MICROS, Math.max(1, latencyNanos / 1000)));
            answers.merge(answer, 1L, Long::sum);
            measured++;
            if ("200".equals(answer)) {
                successes++;
            }
        }
    }

    static Result run(Options o, HttpClient client, byte[][] bodies) throws Exception {
        URI uri = URI.create(o.url + "/sportsbook/bet/make");
        long warmupNanos = TimeUnit.SECONDS.toNanos(o.warmupSeconds);
        long durationNanos = TimeUnit.SECONDS.toNanos(o.durationSeconds);
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean exhausted = new AtomicBoolean();
        AtomicLong exhaustedAt = new AtomicLong(Long.MAX_VALUE);
        LongAdder completed = new LongAdder();
        List<WorkerStats> stats = new ArrayList<>();
        for (int w = 0; w < o.concurrency; w++) {
            stats.add(new WorkerStats());
        }
        System.out.printf(Locale.ROOT, "bet/make %s: concurrency %d, warm-up %d s, duration %d s, %d players, stake %d,"
                + " http client %s%n",
                o.openLoop() ? String.format(Locale.ROOT, "open loop at %.1f requests/s", o.ratePerSecond) : "closed loop",
                o.concurrency, o.warmupSeconds, o.durationSeconds, o.players, o.stake, o.httpClient);

        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long warmupEnd = t0 + warmupNanos;
        long end = warmupEnd + durationNanos;
        double nanosPerRequest = o.openLoop() ? 1e9 / o.ratePerSecond : 0;

        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "progress");
            th.setDaemon(true);
            return th;
        });
        long[] last = { 0, t0 };
        progress.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            long done = completed.sum();
            double rate = (done - last[0]) / ((now - last[1]) / 1e9);
            last[0] = done;
            last[1] = now;
            System.out.printf(Locale.ROOT, "  t=%3.0f s  %-7s requests so far %8d  current rate %7.0f/s%n",
                    (now - t0) / 1e9, now < warmupEnd + TimeUnit.MILLISECONDS.toNanos(500) ? "warm-up" : "measure", done, rate);
        }, t0 + TimeUnit.SECONDS.toNanos(PROGRESS_INTERVAL_SECONDS) - System.nanoTime(),
                TimeUnit.SECONDS.toNanos(PROGRESS_INTERVAL_SECONDS), TimeUnit.NANOSECONDS);

        // CPU used over the measured window by this client and by the watched process.
        CpuSample[] cpu = new CpuSample[2];
        Thread sampler = new Thread(() -> {
            LockSupport.parkNanos(warmupEnd - System.nanoTime());
            cpu[0] = CpuSample.now(o.watchPid);
            long wait;
            while ((wait = end - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            cpu[1] = CpuSample.now(o.watchPid);
        }, "cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();

        List<Thread> workers = new ArrayList<>();
        List<Transport> transports = new ArrayList<>();
        for (int w = 0; w < o.concurrency; w++) {
            WorkerStats s = stats.get(w);
            Transport transport = o.httpClient.equals("raw") ? new RawTransport(uri) : new JdkTransport(client, uri);
            transports.add(transport);
            Thread th = new Thread(() -> {
                LockSupport.parkNanos(t0 - System.nanoTime());
                while (true) {
                    long intended;
                    int i;
                    if (o.openLoop()) {
                        i = next.getAndIncrement();
                        intended = t0 + (long) (i * nanosPerRequest);
                        if (intended >= end) {
                            return;
                        }
                        if (i >= bodies.length) {
                            exhaust(exhausted, exhaustedAt, intended);
                            return;
                        }
                        long wait;
                        while ((wait = intended - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    } else {
                        long now = System.nanoTime();
                        if (now >= end) {
                            return;
                        }
                        i = next.getAndIncrement();
                        if (i >= bodies.length) {
                            exhaust(exhausted, exhaustedAt, now);
                            return;
                        }
                        intended = now;
                    }
                    String answer = transport.send(bodies[i]);
                    long latency = System.nanoTime() - intended;
                    completed.increment();
                    if (intended >= warmupEnd) {
                        s.record(latency, answer);
                    }
                }
            }, "make-" + w);
            th.setUncaughtExceptionHandler((t, e) -> e.printStackTrace());
            th.start();
            workers.add(th);
        }
        for (Thread th : workers) {
            th.join();
        }
        long finished = System.nanoTime();
        progress.shutdownNow();
        transports.forEach(Transport::close);
        sampler.join(TimeUnit.SECONDS.toMillis(2));

        Histogram merged = new Histogram(1, LATENCY_MAX_MICROS, 3);
        Map<String, Long> answers = new TreeMap<>();
        long measured = 0;
        long successes = 0;
        for (WorkerStats s : stats) {
            merged.add(s.recorder.getIntervalHistogram());
            s.answers.forEach((k, v) -> answers.merge(k, v, Long::sum));
            measured += s.measured;
            successes += s.successes;
        }
        // The measured window: [warm-up end, end), shortened if the pre-signed bodies ran out.
        long windowEnd = Math.min(end, exhaustedAt.get());
        double windowSeconds = Math.max(1e-9, (windowEnd - warmupEnd) / 1e9);
        double clientCores = Double.NaN;
        double watchedCores = Double.NaN;
        if (cpu[0] != null && cpu[1] != null) {
            double wall = (cpu[1].wallNanos - cpu[0].wallNanos) / 1e9;
            clientCores = (cpu[1].ownNanos - cpu[0].ownNanos) / 1e9 / wall;
            if (cpu[0].watchedNanos >= 0 && cpu[1].watchedNanos >= 0) {
                watchedCores = (cpu[1].watchedNanos - cpu[0].watchedNanos) / 1e9 / wall;
            }
        }
        return new Result(merged, answers, measured, successes, windowSeconds, exhausted.get(), next.get(), bodies.length,
                (finished - t0) / 1e9, clientCores, watchedCores, o.watchPid);
    }

    private static void exhaust(AtomicBoolean exhausted, AtomicLong exhaustedAt, long at) {
        exhausted.set(true);
        exhaustedAt.accumulateAndGet(at, Math::min);
    }

    /**
     * Sends one make body and classifies the answer: "200", "400/&lt;protocol code&gt;", another HTTP
     * status, "timeout" or "io_error". Never retries. One instance per worker thread.
     */
    interface Transport {
        String send(byte[] body);

        default void close() {
        }
    }

    static String classify(int status, byte[] body) {
        if (status == 200) {
            return "200";
        }
        if (status == 400) {
            try {
                JsonNode code = JSON.readTree(body).get("code");
                return "400/" + (code == null ? "?" : code.asText());
            } catch (IOException | RuntimeException e) {
                return "400/?";
            }
        }
        return Integer.toString(status);
    }

    /** java.net.http.HttpClient, HTTP/1.1, synchronous send; the client (and its connection pool) is shared. */
    static final class JdkTransport implements Transport {
        private final HttpClient client;
        private final URI uri;

        JdkTransport(HttpClient client, URI uri) {
            this.client = client;
            this.uri = uri;
        }

        @Override
        public String send(byte[] body) {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            try {
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                return classify(response.statusCode(), response.body());
            } catch (HttpTimeoutException e) {
                return "timeout";
            } catch (IOException e) {
                return "io_error";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
    }

    /**
     * A minimal HTTP/1.1 client: one keep-alive socket per worker, the request written in one
     * buffer, the answer read by Content-Length (or chunked). Costs a fraction of HttpClient's CPU,
     * which on a small machine competes with the server being measured. The 10 s timeout is per
     * read (no byte for 10 s); after a timeout or an I/O error the socket is dropped and the next
     * request opens a new one (the failed request is not retried).
     */
    static final class RawTransport implements Transport {
        private static final byte[] CRLF2 = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        private static final int CONNECT_TIMEOUT_MS = 5000;

        private final String host;
        private final int port;
        private final byte[] head;
        private final StringBuilder line = new StringBuilder(128);
        private java.net.Socket socket;
        private java.io.OutputStream out;
        private java.io.InputStream in;

        RawTransport(URI uri) {
            if (!"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("--http-client raw speaks plain http only: " + uri);
            }
            host = uri.getHost();
            port = uri.getPort() < 0 ? 80 : uri.getPort();
            String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nContent-Type: application/json\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public String send(byte[] body) {
            try {
                if (socket == null) {
                    socket = new java.net.Socket();
                    socket.setTcpNoDelay(true);
                    socket.connect(new java.net.InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                    socket.setSoTimeout((int) REQUEST_TIMEOUT.toMillis());
                    out = new java.io.BufferedOutputStream(socket.getOutputStream(), 16384);
                    in = new java.io.BufferedInputStream(socket.getInputStream(), 16384);
                }
                out.write(head);
                out.write(Integer.toString(body.length).getBytes(StandardCharsets.US_ASCII));
                out.write(CRLF2);
                out.write(body);
                out.flush();
                return readResponse();
            } catch (java.net.SocketTimeoutException e) {
                close();
                return "timeout";
            } catch (IOException | RuntimeException e) {
                close();
                return "io_error";
            }
        }

        private String readResponse() throws IOException {
            String statusLine = readLine();
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                throw new IOException("not an HTTP/1.x status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean closeAfter = statusLine.startsWith("HTTP/1.0");
            for (String h; !(h = readLine()).isEmpty();) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("transfer-encoding")) {
                    chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                } else if (name.equalsIgnoreCase("connection")) {
                    closeAfter = value.equalsIgnoreCase("close");
                }
            }
            byte[] body;
            if (chunked) {
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                while (true) {
                    String size = readLine();
                    int semi = size.indexOf(';');
                    int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                    if (n == 0) {
                        while (!readLine().isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    all.write(readExactly(n));
                    readLine();
                }
                body = all.toByteArray();
            } else if (length >= 0) {
                body = readExactly((int) length);
            } else {
                body = in.readAllBytes();
                closeAfter = true;
            }
            if (closeAfter) {
                close();
            }
            return classify(status, body);
        }

        private byte[] readExactly(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                throw new java.io.EOFException("connection closed in a response body");
            }
            return b;
        }

        private String readLine() throws IOException {
            line.setLength(0);
            for (int c; (c = in.read()) != '\n';) {
                if (c < 0) {
                    throw new java.io.EOFException("connection closed");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Closing anyway.
                }
            }
            socket = null;
            out = null;
            in = null;
        }
    }

    /** Process CPU times at one instant: this JVM's, and the watched process's from /proc (-1 when unknown). */
    record CpuSample(long wallNanos, long ownNanos, long watchedNanos) {
        /** Linux's USER_HZ: the unit of utime and stime in /proc/PID/stat (100 on every mainstream build). */
        private static final long CLOCK_TICKS_PER_SECOND = 100;

        static CpuSample now(long watchPid) {
            long own = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
            return new CpuSample(System.nanoTime(), own, watchPid == 0 ? -1 : procCpuNanos(watchPid));
        }

        static long procCpuNanos(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    // ------------------------------------------------------------------ results

    record Result(Histogram latency, Map<String, Long> answers, long measured, long successes, double windowSeconds,
            boolean exhausted, long sent, int presigned, double elapsedSeconds, double clientCores, double watchedCores,
            long watchPid) {

        /** CPU milliseconds per measured request, from the cores used over the window. */
        double cpuMsPerRequest(double cores) {
            return measured == 0 ? Double.NaN : cores * windowSeconds * 1000 / measured;
        }

        double throughput() {
            return successes / windowSeconds;
        }

        long errors() {
            return measured - successes;
        }

        double ms(double percentile) {
            return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
        }

        double maxMs() {
            return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0;
        }

        void print(Options o) {
            System.out.println();
            System.out.printf(Locale.ROOT, "bet/make %s, concurrency %d: measured %.1f s, %d requests, %d successful%n",
                    o.openLoop() ? String.format(Locale.ROOT, "open loop at %.1f/s", o.ratePerSecond) : "closed loop",
                    o.concurrency, windowSeconds, measured, successes);
            System.out.printf(Locale.ROOT, "  throughput: %.1f successful makes/s%n", throughput());
            System.out.printf(Locale.ROOT, "  latency ms%s: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                    o.openLoop() ? " (from the intended send time)" : "", ms(50), ms(90), ms(99), ms(99.9), maxMs());
            System.out.println("  answers: " + answers);
            Map<String, Long> errorsByCode = new TreeMap<>(answers);
            errorsByCode.remove("200");
            System.out.println("  errors by code (not retried): " + (errorsByCode.isEmpty() ? "none" : errorsByCode.toString()));
            System.out.printf(Locale.ROOT, "  CPU over the measured window: this client %.2f cores (%.2f ms per request)%s%n",
                    clientCores, cpuMsPerRequest(clientCores), watchPid == 0 ? ""
                            : String.format(Locale.ROOT, ", pid %d %.2f cores (%.2f ms per request)", watchPid, watchedCores,
                                    cpuMsPerRequest(watchedCores)));
            if (exhausted) {
                System.out.printf(Locale.ROOT, "  WARNING: the %d pre-signed bodies ran out; the measured window was cut short"
                        + " (raise --bodies)%n", presigned);
            }
            System.out.printf(Locale.ROOT, "RESULT mode=%s http_client=%s concurrency=%d rate=%.1f seconds=%.2f requests=%d successful=%d errors=%d"
                    + " throughput=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f exhausted=%b"
                    + " client_cpu_cores=%.2f watched_cpu_cores=%.2f%n",
                    o.openLoop() ? "open" : "closed", o.httpClient, o.concurrency, o.ratePerSecond, windowSeconds, measured,
                    successes, errors(), throughput(), ms(50), ms(90), ms(99), ms(99.9), maxMs(), exhausted, clientCores,
                    watchedCores);
        }

        ObjectNode json(Options o) {
            ObjectNode root = JSON.createObjectNode()
                    .put("endpoint", "bet/make")
                    .put("mode", o.openLoop() ? "open" : "closed")
                    .put("url", o.url)
                    .put("http_client", o.httpClient)
                    .put("concurrency", o.concurrency)
                    .put("rate_per_second", o.ratePerSecond)
                    .put("warmup_seconds", o.warmupSeconds)
                    .put("duration_seconds", o.durationSeconds)
                    .put("measured_seconds", windowSeconds)
                    .put("players", o.players)
                    .put("stake", o.stake)
                    .put("requests", measured)
                    .put("successful", successes)
                    .put("errors", errors())
                    .put("throughput_per_second", throughput())
                    .put("presigned_bodies", presigned)
                    .put("bodies_exhausted", exhausted);
            ObjectNode lat = root.putObject("latency_ms");
            lat.put("p50", ms(50)).put("p90", ms(90)).put("p99", ms(99)).put("p99_9", ms(99.9)).put("max", maxMs());
            ObjectNode a = root.putObject("answers");
            answers.forEach(a::put);
            ObjectNode c = root.putObject("cpu_cores");
            c.put("client", clientCores);
            if (watchPid != 0) {
                c.put("watched_pid", watchPid).put("watched", watchedCores);
            }
            ArrayNode notes = root.putArray("notes");
            if (o.openLoop()) {
                notes.add("latency measured from the intended send time (no coordinated omission)");
            }
            notes.add("5xx and timeouts are counted, never retried");
            return root;
        }
    }
}
