package com.sportswallet.loadgen;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Sends one callback until its outcome is known, like a real provider: a timed-out or unanswered
 * attempt (connection refused or reset) or a 5xx is resent after a back-off that doubles from
 * {@link #BACKOFF_MS_MIN} to the cap (each wait drawn in [half, whole] of it), at most
 * {@code retriesMax} times; any other answer (2xx, 4xx) is final. When every attempt failed the
 * outcome stays unknown: status 0. A resend carries the same body, or for a call drawn to re-sign
 * ({@code --resign-percent}) a re-signed copy of it ({@link Resign}: a new token, jti
 * {@code <run id>-<seq>-r<attempt>}, iat now), as a provider that signs each attempt anew.
 */
final class Delivery {
    static final long BACKOFF_MS_MIN = 50;
    static final String PATH_PREFIX = "/sportsbook/";
    /** Doublings of the back-off before it is surely at its cap (50 ms * 2^20 is beyond any cap). */
    private static final int DOUBLINGS_MAX = 20;

    private final int retriesMax;
    private final long backoffMsMax;
    private final LoadStats stats;
    private final Resign resign;

    /**
     * The final outcome of one call: status 0 when unknown; {@code answer} the final body (null when none);
     * {@code resigned}: the last body sent was a re-signed copy.
     */
    record Outcome(FlowPlan.Call call, int status, Integer code, int attempts, double latencyMs, byte[] answer, boolean resigned) {
        Outcome(FlowPlan.Call call, int status, Integer code, int attempts, double latencyMs, byte[] answer) {
            this(call, status, code, attempts, latencyMs, answer, call != null && call.resignedCopy());
        }

        boolean ok() {
            return status == 200;
        }
    }

    /** {@code resign}: re-signs the retries of the calls drawn to (null: every resend carries the same body). */
    Delivery(int retriesMax, long backoffMsMax, LoadStats stats, Resign resign) {
        this.retriesMax = retriesMax;
        this.backoffMsMax = backoffMsMax;
        this.stats = stats;
        this.resign = resign;
    }

    Outcome deliver(Transport transport, FlowPlan.Call call) {
        stats.sent(call);
        String path = PATH_PREFIX + call.endpoint;
        long first = System.nanoTime();
        byte[] body = call.body();
        boolean resigned = call.resignedCopy();
        for (int attempt = 1;; attempt++) {
            Transport.Reply reply = transport.post(path, body);
            boolean known = reply.answered() && reply.status() < 500;
            if (known || attempt > retriesMax) {
                double latencyMs = (System.nanoTime() - first) / 1e6;
                if (!known) {
                    return new Outcome(call, 0, null, attempt, latencyMs, null, resigned);
                }
                Integer code = reply.status() == 200 ? null : reply.protocolCode();
                return new Outcome(call, reply.status(), code, attempt, latencyMs, reply.body(), resigned);
            }
            stats.retry(reply.answered() ? Integer.toString(reply.status()) : reply.failure());
            sleepMillis(backoffMs(attempt, backoffMsMax, ThreadLocalRandom.current().nextDouble()));
            if (resign != null && call.resign && !call.duplicate()) {
                body = resign.body(call.endpoint, body, call.seq, "r" + attempt, Instant.now().getEpochSecond());
                resigned = true;
                stats.resigned.increment();
            }
        }
    }

    /** The wait after failed attempt {@code attempt} (1-based): in [d/2, d], d = min(cap, MIN * 2^(attempt-1)). */
    static long backoffMs(int attempt, long backoffMsMax, double uniform) {
        long d = Math.min(backoffMsMax, BACKOFF_MS_MIN << Math.min(DOUBLINGS_MAX, attempt - 1));
        return d / 2 + (long) (uniform * (d - d / 2));
    }

    /** The least total back-off of {@code retriesMax} resends, ms: how long an outage the retries surely ride over (plus the attempts' own time). */
    static long backoffBudgetMinMs(int retriesMax, long backoffMsMax) {
        long total = 0;
        for (int attempt = 1; attempt <= retriesMax; attempt++) {
            total += backoffMs(attempt, backoffMsMax, 0);
        }
        return total;
    }

    private static void sleepMillis(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
