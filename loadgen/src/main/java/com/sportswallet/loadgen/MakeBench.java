package com.sportswallet.loadgen;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.money.Amounts;

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
    /** Upper bound of pre-signed bodies (about 2 KB each). */
    private static final int BODIES_MAX = 200_000;
    /** At least this many bodies in closed loop, whatever the estimate. */
    private static final int BODIES_MIN = 5_000;
    /**
     * Closed-loop estimate of the make rate per 64 concurrent clients (makes/s), for sizing the
     * pre-signed bodies: nearly twice the best seen on a 2-core machine (663/s), so the run does not
     * run out, while signing (about 2.2 ms per body per core here) stays under two minutes for the
     * 80 s that scripts/bench's warm-up and measured window take.
     */
    private static final int CLOSED_LOOP_RATE_PER_64 = 1200;
    /** Each player's balance covers at least this many stakes after setup (bet/make runs and pgbench both debit it). */
    private static final long STAKES_PER_PLAYER_MIN = 100_000;

    private MakeBench() {
    }

    // ------------------------------------------------------------------ options

    static final class Options {
        /** Where the makes and the setup's operator calls go: one ingress, or several in turn. */
        IngressUrls ingresses = IngressUrls.parse("--url", "http://127.0.0.1:8080");
        String url = ingresses.first();
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
        /** Setup sets a wager and a loss limit of every period on every player (issue 15), far above what any run stakes. */
        boolean limits;
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
            "  --ingress URL[,URL...]    several ingresses: each request goes to the next one in turn (round-robin)",
            "  --keys-dir DIR            provider-private.pem and operator-private.pem, PKCS#8 (.local/keys)",
            "  --players N               bench players bench-1..bench-N (1000)",
            "  --player-prefix P         the bench players' id prefix: P1..PN (bench-)",
            "  --limits                  setup also sets a wager and a loss limit of every period on every player, far",
            "                            above what a run stakes (issue 15: each make then books and checks them)",
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
        Args.parse(args, USAGE, Set.of("--setup-only", "--skip-setup", "--limits"), (name, value) -> {
            switch (name) {
                case "--limits" -> o.limits = true;
                case "--player-prefix" -> o.playerPrefix = value;
                case "--setup-only" -> o.setupOnly = true;
                case "--skip-setup" -> o.skipSetup = true;
                case "--url", "--ingress" -> {
                    o.ingresses = IngressUrls.parse(name, value);
                    if (name.equals("--url") && o.ingresses.size() > 1) {
                        throw new IllegalArgumentException("--url takes one URL; several go to --ingress: " + value);
                    }
                    o.url = o.ingresses.first();
                }
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
                    if (o.stake < 1 || o.stake > Amounts.MAX) {
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
        Options o = Args.parseOrExit("MakeBench", args, MakeBench::parse);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        int bodies = bodyCount(o);
        if (!o.skipSetup) {
            setup(o, client, bodies);
        }
        // Every run opens its players' sessions (untimed; with the setup skipped too): a make needs one (issue 15).
        // --setup-only opens them as well, for scripts/bench-make's pgbench, which names each player's newest one.
        long t = System.nanoTime();
        List<String> players = new ArrayList<>();
        for (int i = 1; i <= o.players; i++) {
            players.add(o.playerPrefix + i);
        }
        String operatorToken = Tokens.operatorToken(Tokens.readPrivateKey(o.keysDir.resolve("operator-private.pem")), o.operatorId);
        Map<String, String> sessions = PlayerSessions.open(client, o.ingresses::next, operatorToken, players);
        System.out.printf(Locale.ROOT, "opened %d sessions in %.1f s (untimed)%n", sessions.size(), (System.nanoTime() - t) / 1e9);
        if (o.setupOnly) {
            return;
        }
        PrivateKey providerKey = Tokens.readPrivateKey(o.keysDir.resolve("provider-private.pem"));
        t = System.nanoTime();
        byte[][] signed = presign(o, providerKey, bodies, sessions);
        System.out.printf(Locale.ROOT, "presigned %d make bodies in %.1f s (%d threads; untimed)%n", signed.length,
                (System.nanoTime() - t) / 1e9, Parallel.cores());
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

    // ------------------------------------------------------------------ setup

    /** The bench players' limits with --limits: 10^15 minor units, which no run's stakes reach (so no make is refused). */
    static final long LIMIT_VALUE = 1_000_000_000_000_000L;

    /** Creates bench-1..N (EUR) and tops up each balance to cover many runs; untimed. */
    static void setup(Options o, HttpClient client, int bodies) throws Exception {
        String token = Tokens.operatorToken(Tokens.readPrivateKey(o.keysDir.resolve("operator-private.pem")), o.operatorId);
        long perPlayer = Math.max(STAKES_PER_PLAYER_MIN, 20L * bodies / o.players + 1);
        long target = (long) Math.min((double) Amounts.MAX, (double) o.stake * perPlayer);
        String runId = Long.toString(System.currentTimeMillis(), 36);
        List<String> players = new ArrayList<>();
        for (int i = 1; i <= o.players; i++) {
            players.add(o.playerPrefix + i);
        }
        long t = System.nanoTime();
        PlayerSetup.Summary s = PlayerSetup.ensure(client, o.ingresses::next, token, o.currency, players, p -> target,
                "bench-fund-" + runId + "-");
        System.out.printf(Locale.ROOT, "setup: %d players %s1..%d (%d created, %d topped up to %d minor units) in %.1f s (untimed)%n",
                o.players, o.playerPrefix, o.players, s.created(), s.funded(), target, (System.nanoTime() - t) / 1e9);
        if (o.limits) {
            t = System.nanoTime();
            String periods = "{\"day\":" + LIMIT_VALUE + ",\"week\":" + LIMIT_VALUE + ",\"month\":" + LIMIT_VALUE + "}";
            PlayerSetup.limits(client, o.ingresses::next, token, players, "{\"wager\":" + periods + ",\"loss\":" + periods + "}");
            System.out.printf(Locale.ROOT, "setup: wager and loss limits of %d per day, week and month on %d players in %.1f s (untimed)%n",
                    LIMIT_VALUE, o.players, (System.nanoTime() - t) / 1e9);
        }
    }

    // ------------------------------------------------------------------ pre-signing

    /** Signs {@code count} make bodies in parallel on every core, before anything is timed. */
    static byte[][] presign(Options o, PrivateKey key, int count, Map<String, String> sessions) throws Exception {
        byte[][] out = new byte[count][];
        String runId = Long.toString(System.currentTimeMillis(), 36);
        long iat = Instant.now().getEpochSecond();
        Parallel.forEach(count, Parallel.cores(), i -> out[i] = makeBody(o, key, runId, i, iat, sessions));
        return out;
    }

    /** Body number {@code i}: a realistic single-selection make, signed: {@code {"payload":"<jwt>"}}. */
    static byte[] makeBody(Options o, PrivateKey key, String runId, int i, long iat, Map<String, String> sessions) {
        SplittableRandom random = new SplittableRandom(runId.hashCode() * 1_000_003L + i);
        String txId = "mb-" + runId + "-" + i;
        String player = o.playerPrefix + (1 + random.nextInt(o.players));
        int sport = 1 + random.nextInt(Payloads.SPORTS.length);
        int event = 1 + random.nextInt(Payloads.EVENTS_PER_SPORT);
        ObjectNode payload = Payloads.withSession(Payloads.make(o.operatorId, o.currency, player, txId, o.stake, sport, event, iat),
                sessions.get(player));
        return Tokens.callbackBody(key, o.operatorId, iat, UUID.randomUUID().toString(), payload);
    }

    // ------------------------------------------------------------------ timed phase

    /** One worker's counts and latencies: written only by its thread, merged after the run. */
    static final class WorkerStats {
        final Recorder recorder = Latency.recorder();
        final Map<String, Long> answers = new HashMap<>();
        long measured;
        long successes;

        void record(long latencyNanos, String answer) {
            Latency.record(recorder, latencyNanos);
            answers.merge(answer, 1L, Long::sum);
            measured++;
            if ("200".equals(answer)) {
                successes++;
            }
        }
    }

    static Result run(Options o, HttpClient client, byte[][] bodies) throws Exception {
        String path = "/sportsbook/bet/make";
        long warmupNanos = TimeUnit.SECONDS.toNanos(o.warmupSeconds);
        long durationNanos = TimeUnit.SECONDS.toNanos(o.durationSeconds);
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
        Pacer pacer = new Pacer(t0, end, o.ratePerSecond, bodies.length);

        long[] last = { 0, t0 };
        ScheduledExecutorService progress = Progress.every(t0, now -> {
            long done = completed.sum();
            double rate = (done - last[0]) / ((now - last[1]) / 1e9);
            last[0] = done;
            last[1] = now;
            System.out.printf(Locale.ROOT, "  t=%3.0f s  %-7s requests so far %8d  current rate %7.0f/s%n",
                    (now - t0) / 1e9, now < warmupEnd + TimeUnit.MILLISECONDS.toNanos(500) ? "warm-up" : "measure", done, rate);
        });

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

        List<Transport> transports = new ArrayList<>();
        pacer.runWorkers(o.concurrency, "make", w -> {
            WorkerStats s = stats.get(w);
            Transport transport = Transport.create(o.httpClient, client, o.ingresses, REQUEST_TIMEOUT);
            transports.add(transport);
            return slot -> {
                String answer = classify(transport.post(path, bodies[slot.index]));
                long latency = System.nanoTime() - slot.intended;
                completed.increment();
                if (slot.intended >= warmupEnd) {
                    s.record(latency, answer);
                }
            };
        });
        long finished = System.nanoTime();
        progress.shutdownNow();
        transports.forEach(Transport::close);
        sampler.join(TimeUnit.SECONDS.toMillis(2));

        Histogram merged = Latency.histogram();
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
        long windowEnd = Math.min(end, pacer.exhaustedAt());
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
        return new Result(merged, answers, measured, successes, windowSeconds, pacer.exhausted(), pacer.started(),
                bodies.length, (finished - t0) / 1e9, clientCores, watchedCores, o.watchPid);
    }

    /** "200", "400/&lt;protocol code&gt;" ("400/?" without one), another HTTP status, "timeout" or "io_error". */
    static String classify(Transport.Reply reply) {
        if (!reply.answered()) {
            return reply.failure();
        }
        if (reply.status() == 400) {
            Integer code = reply.protocolCode();
            return "400/" + (code == null ? "?" : code.toString());
        }
        return Integer.toString(reply.status());
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
            return Latency.ms(latency, percentile);
        }

        double maxMs() {
            return Latency.maxMs(latency);
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
                    .put("ingress", o.ingresses.toString())
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
