package com.sportswallet.ingress.provider.rest;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import com.sportswallet.contracts.Metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * {@value Metrics#CALLBACK_REQUESTS} (issue 17): every provider callback timed from the moment the
 * ingress has it to its answer, tagged with its endpoint (one value per endpoint, "other" for a path
 * that is none) and its outcome: {@code 200}, {@code 400-<code>} (PROTOCOL's code), or the status
 * (401, 404, 413, 429, 500, 503). A histogram with fixed buckets ({@link #BUCKETS}), so p99 per
 * endpoint is computable in Prometheus; at most 10 endpoints x ~20 outcomes x 12 buckets series.
 */
@Singleton
public class CallbackMetrics {
    static final String PATH_PREFIX = "sportsbook/";
    static final String START_PROPERTY = "wallet.callback.startNanos";
    /** Set by the refusal mapper: the PROTOCOL code of a 400. */
    static final String CODE_PROPERTY = "wallet.callback.code";
    static final Set<String> ENDPOINTS = Set.of("bet/make", "bet/win", "bet/lost", "bet/refund", "bet/rollback", "bet/discard", "bet/commit",
            "bet/settlement", "balance", "ping");
    /** The histogram's upper bounds: the callbacks' budget is 900 ms by default, its hard ceiling 5 s. */
    static final Duration[] BUCKETS = { Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofMillis(1000),
            Duration.ofMillis(2000), Duration.ofMillis(5000) };

    @Inject
    MeterRegistry registry;

    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    /** The endpoint label of a callback path: itself when it is one of {@link #ENDPOINTS}, else "other" (bounded cardinality). */
    static String endpointTag(String endpoint) {
        return ENDPOINTS.contains(endpoint) ? endpoint : "other";
    }

    @ServerRequestFilter(preMatching = true)
    public void started(ContainerRequestContext request) {
        if (request.getUriInfo().getPath().startsWith("/" + PATH_PREFIX)) {
            request.setProperty(START_PROPERTY, System.nanoTime());
        }
    }

    @ServerResponseFilter
    public void answered(ContainerRequestContext request, ContainerResponseContext response) {
        Object start = request.getProperty(START_PROPERTY);
        if (start == null) {
            return;
        }
        CallbackMdc.clear(); // the callback is answered: its lines are written
        String endpoint = endpointTag(request.getUriInfo().getPath().substring(PATH_PREFIX.length() + 1));
        int status = response.getStatus();
        Object code = request.getProperty(CODE_PROPERTY);
        String outcome = status == 400 && code != null ? "400-" + code : Integer.toString(status);
        timers.computeIfAbsent(endpoint + " " + outcome, k -> Timer.builder(Metrics.CALLBACK_REQUESTS)
                .description("provider callbacks, from the body read to the answer")
                .tags("endpoint", endpoint, "outcome", outcome)
                .serviceLevelObjectives(BUCKETS)
                .register(registry))
                .record(System.nanoTime() - (long) start, TimeUnit.NANOSECONDS);
    }
}
