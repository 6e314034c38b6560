package com.sportswallet.loadgen;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The full-mix load generator (scripts/loadgen; usage and the log's contract in docs/LOADGEN.md).
 *
 * <ol>
 * <li>Plan, untimed: the bet flows ({@link FlowPlan}), from {@code --seed} and the run id: players
 * {@code <prefix>1..N} and the hot player {@code <prefix>hot}, stakes, settlements, rollbacks,
 * duplicates (some of them re-signed copies: {@link Resign}), discard races, discards after
 * settlement.</li>
 * <li>Setup, untimed (unless {@code --skip-setup}): every player created through the operator API
 * and funded for at least twice the stakes the plan gives it, so a 2001 is rare.</li>
 * <li>Pre-signing, untimed, on every core: every callback's JWT (RS256, provider-private.pem, 1 h);
 * a duplicate re-sends its original's body, or a re-signed copy of it.</li>
 * <li>Timed: {@code --concurrency} workers each run one flow at a time, step by step; closed loop,
 * or open loop at {@code --rate-per-second} flows/s (a flow's first latency from its intended
 * start: no coordinated omission). Every callback is retried like a real provider
 * ({@link Delivery}) until its outcome is known or its retries are spent (status 0), and logged.
 * A flow stops at the first callback of its own (not a duplicate) that is not answered 200.</li>
 * </ol>
 * Prints progress every 5 s, then throughput, latency per endpoint, errors by code, retries, and a
 * {@code RESULT key=value ...} line; exit 0, 2 on bad options, 1 when the log could not be written.
 */
public final class LoadGen {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Closed-loop estimate of flows per second per worker, to size the pre-signed plan for a duration (too few: the run ends early, reported). */
    private static final int CLOSED_LOOP_FLOWS_PER_SECOND_PER_WORKER = 15;
    /** Open loop: flows planned beyond rate x duration. */
    private static final double OPEN_LOOP_PLAN_MARGIN = 1.05;
    private static final int FLOWS_MIN = 500;
    /** Every player holds at least this many of the largest stake after setup. */
    private static final long FUNDING_STAKES_MIN = 100;
    /** ... and at least this multiple of the stakes the plan gives it. */
    private static final long FUNDING_FACTOR = 2;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private LoadGen() {
    }

    public static void main(String[] args) throws Exception {
        LoadGenOptions o = Args.parseOrExit("LoadGen", args, LoadGenOptions::parse);
        System.exit(run(o));
    }

    static int run(LoadGenOptions o) throws Exception {
        Instant startedAt = Instant.now();
        long t = System.nanoTime();
        List<FlowPlan.Flow> flows = FlowPlan.generate(o, flowCount(o));
        System.out.printf(Locale.ROOT, "plan: %d flows, %d callbacks, run id %s, seed %d: %s (%.1f s, untimed)%n", flows.size(),
                flows.stream().mapToInt(FlowPlan.Flow::calls).sum(), o.runId, o.seed, kinds(flows), (System.nanoTime() - t) / 1e9);
        List<String> players = players(o);
        // Opened first, so that a log that cannot be written fails the run before setup and signing.
        CallbackLog log;
        try {
            log = CallbackLog.open(o.log, CallbackLog.header(o, players, startedAt), o.currency);
        } catch (IOException e) {
            System.err.println("LoadGen: ERROR: cannot write the log " + o.log + ": " + e);
            return 1;
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
        if (!o.skipSetup) {
            setup(o, client, players, flows);
        }
        openSessions(o, client, players, flows);
        t = System.nanoTime();
        int signed = presign(o, flows);
        System.out.printf(Locale.ROOT, "presigned %d callback bodies in %.1f s (%d threads; untimed)%n", signed,
                (System.nanoTime() - t) / 1e9, Parallel.cores());

        LoadStats stats = new LoadStats();
        Timed timed = timedPhase(o, client, flows, stats, log);
        // Running out of an estimated plan cut the duration short; running out of --count is the end asked for.
        boolean exhausted = o.count == 0 && timed.pacer().exhausted();
        LoadStats.Report report = stats.report(timed.nanos() / 1e9);
        LoadStats.print(report, o);
        if (exhausted) {
            System.out.printf(Locale.ROOT, "  WARNING: the %d planned flows ran out before the duration ended (raise --count)%n",
                    flows.size());
        }
        if (o.ingresses.size() > 1) {
            System.out.println("  requests per ingress (setup and retries included): " + o.ingresses.shares());
        }
        int exit = 0;
        try {
            log.close();
        } catch (IOException e) {
            System.err.println("LoadGen: ERROR: the log " + o.log + " could not be written: " + e);
            exit = 1;
        }
        if (o.log != null) {
            System.out.printf(Locale.ROOT, "  log: %d lines (+ header) in %s%s%n", log.lines(), o.log,
                    log.waits() == 0 ? "" : String.format(Locale.ROOT, " (workers waited for the log writer %d times)", log.waits()));
        }
        System.out.println(LoadStats.resultLine(report, o, exhausted, log.lines()));
        if (o.out != null) {
            Path parent = o.out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(o.out, JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(LoadStats.json(report, o, exhausted, log.lines())) + "\n");
            System.out.println("summary written to " + o.out);
        }
        return exit;
    }

    /** --count, or enough flows for the duration at a generous estimate. */
    static int flowCount(LoadGenOptions o) {
        if (o.count > 0) {
            return o.count;
        }
        double n = o.openLoop() ? o.ratePerSecond * o.durationSeconds * OPEN_LOOP_PLAN_MARGIN
                : (double) o.concurrency * CLOSED_LOOP_FLOWS_PER_SECOND_PER_WORKER * o.durationSeconds;
        return (int) Math.min(LoadGenOptions.FLOWS_LIMIT, Math.max(FLOWS_MIN, Math.ceil(n)));
    }

    /** Every player the run may use: prefix1..N, and the hot player when there are hot flows. */
    static List<String> players(LoadGenOptions o) {
        List<String> players = new ArrayList<>();
        for (int i = 1; i <= o.players; i++) {
            players.add(o.playerPrefix + i);
        }
        if (o.hotPlayerPercent > 0) {
            players.add(FlowPlan.hotPlayer(o));
        }
        return players;
    }

    private static String kinds(List<FlowPlan.Flow> flows) {
        Map<String, Integer> kinds = new TreeMap<>();
        int rolledBack = 0;
        int discardAfter = 0;
        for (FlowPlan.Flow f : flows) {
            kinds.merge(f.kind(), 1, Integer::sum);
            rolledBack += f.rolledBack() ? 1 : 0;
            discardAfter += f.discardAfterSettlement() ? 1 : 0;
        }
        return kinds + ", rolled back " + rolledBack + ", discarded after settlement " + discardAfter;
    }

    // ------------------------------------------------------------------ setup and pre-signing

    /** --limit-percent's day wager limit, in --stake-max units: a limited player's busier days meet it. */
    static final long LIMIT_STAKES_PER_DAY = 4;

    private static void setup(LoadGenOptions o, HttpClient client, List<String> players, List<FlowPlan.Flow> flows) throws Exception {
        Map<String, Long> stakes = new HashMap<>();
        for (FlowPlan.Flow f : flows) {
            stakes.merge(f.playerId(), f.stake(), Long::sum);
        }
        String token = Tokens.operatorToken(Tokens.readPrivateKey(o.keysDir.resolve("operator-private.pem")), o.operatorId);
        long floor = o.stakeMax * FUNDING_STAKES_MIN;
        long t = System.nanoTime();
        PlayerSetup.Summary s = PlayerSetup.ensure(client, o.ingresses::next, token, o.currency, players,
                p -> Math.max(floor, FUNDING_FACTOR * stakes.getOrDefault(p, 0L)), "lg-fund-" + o.runId + "-");
        System.out.printf(Locale.ROOT, "setup: %d players (%d created, %d topped up to at least %dx their planned stakes) in %.1f s"
                + " (untimed)%n", s.players(), s.created(), s.funded(), FUNDING_FACTOR, (System.nanoTime() - t) / 1e9);
        if (o.limitPercent > 0) {
            t = System.nanoTime();
            List<String> limited = players.subList(0, (int) Math.ceil(o.players * o.limitPercent / 100));
            long limit = LIMIT_STAKES_PER_DAY * o.stakeMax;
            PlayerSetup.limits(client, o.ingresses::next, token, limited, "{\"wager\":{\"day\":" + limit + "}}");
            System.out.printf(Locale.ROOT, "setup: a day wager limit of %d on %d players in %.1f s (untimed)%n", limit, limited.size(),
                    (System.nanoTime() - t) / 1e9);
        }
        if (o.bonusPercent > 0) {
            t = System.nanoTime();
            BonusSetup.Summary b = BonusSetup.grantAndBind(client, o.ingresses::next, token, o, flows);
            System.out.printf(Locale.ROOT, "setup: %d grants through the provider's bonus API; makes with a bonus %s, %d left cash"
                    + " (no bonus left for them) in %.1f s (untimed)%n", b.grants(), b.byType(), b.leftCash(), (System.nanoTime() - t) / 1e9);
        }
    }

    /**
     * Opens a session for every player (also with the setup skipped: sessions are per run) and names it in
     * every make of the plan, before anything is signed (issue 15: a make without one is 1007).
     */
    private static void openSessions(LoadGenOptions o, HttpClient client, List<String> players, List<FlowPlan.Flow> flows) throws Exception {
        String token = Tokens.operatorToken(Tokens.readPrivateKey(o.keysDir.resolve("operator-private.pem")), o.operatorId);
        long t = System.nanoTime();
        List<String> all = new ArrayList<>(players);
        flows.forEach(f -> all.add(f.playerId())); // the hot player too
        Map<String, String> sessions = PlayerSessions.open(client, o.ingresses::next, token, all);
        for (FlowPlan.Flow f : flows) {
            for (FlowPlan.Step s : f.steps()) {
                for (FlowPlan.Call c : s.calls()) {
                    if (FlowPlan.MAKE.equals(c.endpoint) && c.payload != null) {
                        Payloads.withSession(c.payload, sessions.get(c.playerId));
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "setup: %d sessions opened in %.1f s (untimed)%n", sessions.size(), (System.nanoTime() - t) / 1e9);
    }

    /** Signs every call that is not a duplicate, in parallel; returns how many. */
    private static int presign(LoadGenOptions o, List<FlowPlan.Flow> flows) throws Exception {
        PrivateKey key = Tokens.readPrivateKey(o.keysDir.resolve("provider-private.pem"));
        List<FlowPlan.Call> calls = new ArrayList<>();
        for (FlowPlan.Flow f : flows) {
            for (FlowPlan.Step s : f.steps()) {
                for (FlowPlan.Call c : s.calls()) {
                    if (!c.duplicate()) {
                        calls.add(c);
                    }
                }
            }
        }
        long iat = Instant.now().getEpochSecond();
        Parallel.forEach(calls.size(), Parallel.cores(), i -> {
            FlowPlan.Call c = calls.get(i);
            c.body = Tokens.callbackBody(key, o.operatorId, iat, o.runId + "-" + c.seq, c.payload);
            c.payload = null;
        });
        // Then the re-signed duplicates, from their originals' bodies: a new jti and iat, the payload re-serialised.
        Resign resign = resign(o, key);
        List<FlowPlan.Call> copies = new ArrayList<>();
        flows.forEach(f -> f.steps().forEach(s -> s.calls().stream().filter(FlowPlan.Call::resignedCopy).forEach(copies::add)));
        Parallel.forEach(copies.size(), Parallel.cores(), i -> {
            FlowPlan.Call c = copies.get(i);
            c.body = resign.body(c.endpoint, c.original.body(), c.seq, "copy", iat + 1);
        });
        return calls.size() + copies.size();
    }

    private static Resign resign(LoadGenOptions o, PrivateKey key) {
        return new Resign(key, o.operatorId, o.runId, o.resignKeepNumbers);
    }

    // ------------------------------------------------------------------ timed phase

    /** The timed phase's pacer (did the plan run out?) and its wall time, ns: from the start to the last flow's end. */
    record Timed(Pacer pacer, long nanos) {
    }

    /** Runs the flows. */
    private static Timed timedPhase(LoadGenOptions o, HttpClient client, List<FlowPlan.Flow> flows, LoadStats stats,
            CallbackLog log) throws InterruptedException {
        Duration timeout = Duration.ofMillis(o.requestTimeoutMs);
        ConcurrentLinkedQueue<Transport> transports = new ConcurrentLinkedQueue<>();
        ThreadLocal<Transport> transport = ThreadLocal.withInitial(() -> {
            Transport tr = Transport.create(o.httpClient, client, o.ingresses, timeout);
            transports.add(tr);
            return tr;
        });
        AtomicInteger sideThreads = new AtomicInteger();
        ExecutorService side = Executors.newCachedThreadPool(r -> {
            Thread th = new Thread(r, "side-" + sideThreads.incrementAndGet());
            th.setDaemon(true);
            return th;
        });
        Delivery delivery;
        try {
            delivery = new Delivery(o.retriesMax, o.retryBackoffMsMax, stats, o.resignPercent > 0
                    ? resign(o, Tokens.readPrivateKey(o.keysDir.resolve("provider-private.pem"))) : null);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the provider key to re-sign retries", e);
        }
        System.out.printf(Locale.ROOT, "loadgen %s: concurrency %d, %s, http client %s, request timeout %d ms, retries <= %d"
                + " (back-off %d..%d ms: rides over >= %.1f s of outage), %s%n",
                o.openLoop() ? String.format(Locale.ROOT, "open loop at %.1f flows/s", o.ratePerSecond) : "closed loop",
                o.concurrency, o.timed() ? "duration " + o.durationSeconds + " s" : "count " + o.count, o.httpClient,
                o.requestTimeoutMs, o.retriesMax, Delivery.BACKOFF_MS_MIN, o.retryBackoffMsMax,
                Delivery.backoffBudgetMinMs(o.retriesMax, o.retryBackoffMsMax) / 1000.0,
                o.ingresses.size() == 1 ? "ingress " + o.url : o.ingresses.size() + " ingresses in turn (" + o.ingresses + ")");

        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long end = o.timed() ? t0 + TimeUnit.SECONDS.toNanos(o.durationSeconds) : Long.MAX_VALUE;
        Pacer pacer = new Pacer(t0, end, o.ratePerSecond, flows.size());
        long[] last = { 0, t0 };
        ScheduledExecutorService progress = Progress.every(t0, now -> {
            long done = stats.answered.sum() + stats.unknown.sum();
            double rate = (done - last[0]) / ((now - last[1]) / 1e9);
            last[0] = done;
            last[1] = now;
            System.out.printf(Locale.ROOT, "progress t=%4.0f s  flows %7d  sent %8d  answered %8d  rate %7.0f/s  errors %6d"
                    + "  retries %6d  unknown %4d%n", (now - t0) / 1e9, stats.flowsStarted.sum(), stats.sent.sum(),
                    stats.answered.sum(), rate, stats.errors(), stats.retries.sum(), stats.unknown.sum());
        });

        pacer.runWorkers(o.concurrency, "flow",
                w -> slot -> runFlow(flows.get(slot.index), slot.intended, stats, delivery, transport, side, log));
        long nanos = System.nanoTime() - t0;
        progress.shutdownNow();
        side.shutdown();
        side.awaitTermination(1, TimeUnit.SECONDS);
        transports.forEach(Transport::close);
        return new Timed(pacer, nanos);
    }

    /** Sends a flow's steps in order; stops after a step in which a call of its own was not answered 200. */
    private static void runFlow(FlowPlan.Flow flow, long intended, LoadStats stats, Delivery delivery,
            ThreadLocal<Transport> transport, ExecutorService side, CallbackLog log) {
        stats.flowsStarted.increment();
        long start = intended;
        for (FlowPlan.Step step : flow.steps()) {
            List<Delivery.Outcome> outcomes = sendStep(step, start, stats, delivery, transport, side, log);
            for (Delivery.Outcome out : outcomes) {
                if (!out.call().duplicate() && !out.ok()) {
                    stats.flowsStopped.increment();
                    return;
                }
            }
            start = System.nanoTime();
        }
        stats.flowsCompleted.increment();
    }

    /** The step's first call on this thread, the others at the same moment on side threads. */
    private static List<Delivery.Outcome> sendStep(FlowPlan.Step step, long start, LoadStats stats, Delivery delivery,
            ThreadLocal<Transport> transport, ExecutorService side, CallbackLog log) {
        List<FlowPlan.Call> calls = step.calls();
        List<Future<Delivery.Outcome>> others = new ArrayList<>();
        for (int i = 1; i < calls.size(); i++) {
            FlowPlan.Call c = calls.get(i);
            others.add(side.submit(() -> send(c, start, stats, delivery, transport.get(), log)));
        }
        List<Delivery.Outcome> outcomes = new ArrayList<>(calls.size());
        outcomes.add(send(calls.get(0), start, stats, delivery, transport.get(), log));
        for (Future<Delivery.Outcome> f : others) {
            try {
                outcomes.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a step's calls were in flight", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a side call failed", e.getCause());
            }
        }
        return outcomes;
    }

    private static Delivery.Outcome send(FlowPlan.Call call, long start, LoadStats stats, Delivery delivery, Transport transport,
            CallbackLog log) {
        Delivery.Outcome out = delivery.deliver(transport, call);
        stats.record(out, System.nanoTime() - start);
        log.add(out);
        return out;
    }
}
