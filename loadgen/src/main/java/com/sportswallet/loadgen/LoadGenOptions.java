package com.sportswallet.loadgen;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.money.Amounts;

/** LoadGen's command-line options; every bound is a named limit with its unit. */
final class LoadGenOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The settlement outcomes {@code --mix} weighs, in this order. */
    static final String[] OUTCOMES = { "win", "lost", "refund", "discard", "open" };

    static final int CONCURRENCY_LIMIT = 1024;
    static final int PLAYERS_LIMIT = 1_000_000;
    /** Flows pre-signed at most (about 2.5 callbacks per flow, a make body about 2 KB, the others under 1 KB). */
    static final int FLOWS_LIMIT = 100_000;
    static final int DURATION_SECONDS_LIMIT = 86_400;
    static final double RATE_PER_SECOND_LIMIT = 100_000;
    static final int RETRIES_LIMIT = 100;
    static final long RETRY_BACKOFF_MS_LIMIT = 60_000;
    static final long REQUEST_TIMEOUT_MS_MIN = 100;
    static final long REQUEST_TIMEOUT_MS_LIMIT = 120_000;
    static final int MIX_WEIGHT_LIMIT = 1_000_000;

    /** Where callbacks and operator calls go: one ingress, or several in turn (round-robin, retries too). */
    IngressUrls ingresses = IngressUrls.parse("--url", "http://127.0.0.1:8080");
    /** The first of {@link #ingresses} (the log header's {@code url}). */
    String url = ingresses.first();
    Path keysDir = Path.of(".local/keys");
    String operatorId = "demo-operator";
    String currency = "EUR";
    int players = 200;
    String playerPrefix = "lg-";
    int concurrency = 16;
    /** Flows started per second; 0: closed loop. */
    double ratePerSecond = 0;
    int durationSeconds = 20;
    boolean durationGiven;
    /** Flows to run; 0: as many as the duration allows (estimated, pre-signed). */
    int count = 0;
    /** Weights of {@link #OUTCOMES}. */
    final Map<String, Integer> mix = parseMix("win=30,lost=40,refund=5,discard=5,open=20");
    double rollbackPercent = 5;
    double duplicatePercent = 2;
    double hotPlayerPercent = 5;
    double discardRacePercent = 1;
    double discardAfterSettlementPercent = 2;
    /** % of duplicates sent as a re-signed copy, and % of the other callbacks whose retries are re-signed. */
    double resignPercent = 50;
    /** % of makes placed with a bonus granted for them at setup (freebets and comboboosts; issue 14). */
    double bonusPercent = 0;
    /**
     * % of the players (the first ones, prefix1..) given a day wager limit of {@link LoadGen#LIMIT_STAKES_PER_DAY} x
     * --stake-max at setup (issue 15): their makes past it are refused with 4001 and their flows stop there.
     */
    double limitPercent = 0;
    boolean resignKeepNumbers;
    long stakeMin = 100;
    long stakeMax = 10_000;
    int retriesMax = 30;
    long retryBackoffMsMax = 3000;
    long requestTimeoutMs = 5000;
    Path log;
    Path out;
    long seed = 1;
    /** Part of every transaction id: a new one per run, so runs never collide. */
    String runId = Long.toString(System.currentTimeMillis(), 36);
    boolean skipSetup;
    String httpClient = "jdk";

    static final String USAGE = String.join("\n",
            "usage: scripts/loadgen [options]   (com.sportswallet.loadgen.LoadGen)",
            "  --url URL                   ingress base URL (http://127.0.0.1:8080)",
            "  --ingress URL[,URL...]      several ingresses, as behind a provider's load balancer: each request (a retry,",
            "                              an operator call) goes to the next one in turn; one URL is the same as --url",
            "  --keys-dir DIR              provider-private.pem and operator-private.pem, PKCS#8 (.local/keys)",
            "  --operator-id ID            the provider tokens' iss and the operator JWT's issuer (demo-operator)",
            "  --currency CCY              the players' wallet currency (EUR)",
            "  --players N                 players <prefix>1..<prefix>N, 1.." + PLAYERS_LIMIT + " (200)",
            "  --player-prefix P           player id prefix; the hot player is <prefix>hot (lg-)",
            "  --concurrency N             worker threads, each running one flow at a time, 1.." + CONCURRENCY_LIMIT + " (16)",
            "  --rate-per-second R         0: closed loop; > 0: open loop, R flows started per second (at most "
                    + (long) RATE_PER_SECOND_LIMIT + "),",
            "                              latency of a flow's first callback from its intended start (0)",
            "  --duration-seconds S        stop starting flows after S seconds, 1.." + DURATION_SECONDS_LIMIT
                    + " (20; unlimited when only --count is given)",
            "  --count N                   run at most N flows, 1.." + FLOWS_LIMIT + " (0: as many as the duration allows)",
            "  --mix K=W,...               weights of each flow's settlement after its make: win, lost, refund, discard,",
            "                              open (no settlement); missing ones weigh 0 (win=30,lost=40,refund=5,discard=5,open=20)",
            "  --rollback-percent P        % of won/lost/refunded flows that roll the settlement back, 0..100 (5);",
            "                              a quarter of those send a second rollback of the same settlement",
            "  --duplicate-percent P       % of callbacks re-sent with the identical body, right after or at the same",
            "                              time from another thread, 0..100 (2)",
            "  --hot-player-percent P      % of flows that use the one hot player, 0..100 (5)",
            "  --discard-race-percent P    % of flows that are a make and its discard, sent at the same time or the",
            "                              discard first, 0..100 (1)",
            "  --discard-after-settlement-percent P  % of won/lost/refunded flows that send the make's discard after the",
            "                              settlement (it changes nothing), and for half of those a rollback of the settlement",
            "                              and the same discard again (now it discards), 0..100 (2)",
            "  --resign-percent P          % of duplicates sent as a re-signed copy (new jti and iat, the payload re-serialised:",
            "                              members reversed, informational integers as decimals), and % of the other callbacks",
            "                              whose retries are re-signed so, 0..100 (50)",
            "  --limit-percent P           % of the players (the first ones) given a day wager limit of a few --stake-max at",
            "                              setup: their makes past it are refused with 4001, their flows stop there (0)",
            "  --bonus-percent P           % of makes placed with a bonus: setup grants each player the freebets and comboboosts",
            "                              its flows use (operator grants through the provider, at most 3 per type and player;",
            "                              the rest stay cash makes), 0..100 (0)",
            "  --resign-keep-numbers       re-signed copies keep every number's text (only the token and the member order change)",
            "  --stake-min N, --stake-max N  stake range, minor units, 1..10^12 (100, 10000)",
            "  --retries-max N             resends of a timed-out, unanswered or 5xx callback, 0.." + RETRIES_LIMIT + " (30)",
            "  --retry-backoff-ms-max MS   back-off cap between resends, ms, doubling from "
                    + Delivery.BACKOFF_MS_MIN + ", 1.." + RETRY_BACKOFF_MS_LIMIT + " (3000)",
            "  --request-timeout-ms MS     one attempt's timeout, ms, " + REQUEST_TIMEOUT_MS_MIN + ".." + REQUEST_TIMEOUT_MS_LIMIT
                    + " (5000)",
            "  --log FILE                  JSON Lines log of every callback's final outcome (docs/LOADGEN.md) (none)",
            "  --out FILE                  also write the summary as JSON to FILE (none)",
            "  --seed N                    seed of the flow plan (1)",
            "  --run-id ID                 part of every transaction id, [A-Za-z0-9]+ (the current time, base 36)",
            "  --skip-setup                assume the players exist and are funded",
            "  --http-client jdk|raw       java.net.http.HttpClient (jdk), or MakeBench's minimal HTTP/1.1 client (jdk)");

    boolean openLoop() {
        return ratePerSecond > 0;
    }

    static LoadGenOptions parse(String[] args) {
        LoadGenOptions o = new LoadGenOptions();
        Args.parse(args, USAGE, Set.of("--skip-setup", "--resign-keep-numbers"), (name, value) -> o.apply(name, value));
        if (o.stakeMin > o.stakeMax) {
            throw new IllegalArgumentException("--stake-min must be <= --stake-max");
        }
        if (o.mix.values().stream().mapToLong(Integer::longValue).sum() == 0) {
            throw new IllegalArgumentException("--mix needs at least one weight > 0");
        }
        return o;
    }

    private void apply(String name, String value) {
        switch (name) {
            case "--skip-setup" -> skipSetup = true;
            case "--resign-keep-numbers" -> resignKeepNumbers = true;
            case "--url", "--ingress" -> {
                ingresses = IngressUrls.parse(name, value);
                if (name.equals("--url") && ingresses.size() > 1) {
                    throw new IllegalArgumentException("--url takes one URL; several go to --ingress: " + value);
                }
                url = ingresses.first();
            }
            case "--keys-dir" -> keysDir = Path.of(value);
            case "--operator-id" -> operatorId = value;
            case "--currency" -> currency = value;
            case "--players" -> players = (int) Args.longInRange(name, value, 1, PLAYERS_LIMIT);
            case "--player-prefix" -> playerPrefix = value;
            case "--concurrency" -> concurrency = (int) Args.longInRange(name, value, 1, CONCURRENCY_LIMIT);
            case "--rate-per-second" -> ratePerSecond = Args.doubleInRange(name, value, 0, RATE_PER_SECOND_LIMIT);
            case "--duration-seconds" -> {
                durationSeconds = (int) Args.longInRange(name, value, 1, DURATION_SECONDS_LIMIT);
                durationGiven = true;
            }
            case "--count" -> count = (int) Args.longInRange(name, value, 0, FLOWS_LIMIT);
            case "--mix" -> {
                mix.clear();
                mix.putAll(parseMix(value));
            }
            case "--rollback-percent" -> rollbackPercent = Args.doubleInRange(name, value, 0, 100);
            case "--bonus-percent" -> bonusPercent = Args.doubleInRange(name, value, 0, 100);
            case "--limit-percent" -> limitPercent = Args.doubleInRange(name, value, 0, 100);
            case "--duplicate-percent" -> duplicatePercent = Args.doubleInRange(name, value, 0, 100);
            case "--hot-player-percent" -> hotPlayerPercent = Args.doubleInRange(name, value, 0, 100);
            case "--discard-race-percent" -> discardRacePercent = Args.doubleInRange(name, value, 0, 100);
            case "--discard-after-settlement-percent" -> discardAfterSettlementPercent = Args.doubleInRange(name, value, 0, 100);
            case "--resign-percent" -> resignPercent = Args.doubleInRange(name, value, 0, 100);
            case "--stake-min" -> stakeMin = Args.longInRange(name, value, 1, Amounts.MAX);
            case "--stake-max" -> stakeMax = Args.longInRange(name, value, 1, Amounts.MAX);
            case "--retries-max" -> retriesMax = (int) Args.longInRange(name, value, 0, RETRIES_LIMIT);
            case "--retry-backoff-ms-max" -> retryBackoffMsMax = Args.longInRange(name, value, 1, RETRY_BACKOFF_MS_LIMIT);
            case "--request-timeout-ms" -> requestTimeoutMs = Args.longInRange(name, value, REQUEST_TIMEOUT_MS_MIN,
                    REQUEST_TIMEOUT_MS_LIMIT);
            case "--log" -> log = Path.of(value);
            case "--out" -> out = Path.of(value);
            case "--seed" -> seed = Long.parseLong(value);
            case "--run-id" -> {
                if (!value.matches("[A-Za-z0-9]+")) {
                    throw new IllegalArgumentException(name + " must be letters and digits: " + value);
                }
                runId = value;
            }
            case "--http-client" -> {
                if (!value.equals("jdk") && !value.equals("raw")) {
                    throw new IllegalArgumentException(name + " must be jdk or raw");
                }
                httpClient = value;
            }
            default -> throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
        }
    }

    /** {@code win=30,lost=40,...}: a weight (0..MIX_WEIGHT_LIMIT) for each named outcome, 0 for the others. */
    static Map<String, Integer> parseMix(String text) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (String outcome : OUTCOMES) {
            weights.put(outcome, 0);
        }
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2 || !weights.containsKey(kv[0].trim())) {
                throw new IllegalArgumentException("--mix takes K=W,... with K in win, lost, refund, discard, open: " + text);
            }
            weights.put(kv[0].trim(), (int) Args.longInRange("--mix " + kv[0].trim(), kv[1].trim(), 0, MIX_WEIGHT_LIMIT));
        }
        return weights;
    }

    /** Whether the run stops at a time (else only at --count). */
    boolean timed() {
        return durationGiven || count == 0;
    }

    /** The options as JSON, for the log's header and the summary. */
    ObjectNode json() {
        ObjectNode n = JSON.createObjectNode()
                .put("url", url)
                .put("ingress", ingresses.toString())
                .put("operator_id", operatorId)
                .put("currency", currency)
                .put("players", players)
                .put("player_prefix", playerPrefix)
                .put("concurrency", concurrency)
                .put("rate_per_second", ratePerSecond)
                .put("duration_seconds", timed() ? durationSeconds : 0)
                .put("count", count);
        ObjectNode m = n.putObject("mix");
        mix.forEach(m::put);
        return n.put("rollback_percent", rollbackPercent)
                .put("duplicate_percent", duplicatePercent)
                .put("hot_player_percent", hotPlayerPercent)
                .put("discard_race_percent", discardRacePercent)
                .put("discard_after_settlement_percent", discardAfterSettlementPercent)
                .put("resign_percent", resignPercent)
                .put("bonus_percent", bonusPercent)
                .put("limit_percent", limitPercent)
                .put("resign_keep_numbers", resignKeepNumbers)
                .put("stake_min", stakeMin)
                .put("stake_max", stakeMax)
                .put("retries_max", retriesMax)
                .put("retry_backoff_ms_max", retryBackoffMsMax)
                .put("request_timeout_ms", requestTimeoutMs)
                .put("seed", seed)
                .put("run_id", runId)
                .put("skip_setup", skipSetup)
                .put("http_client", httpClient);
    }
}
