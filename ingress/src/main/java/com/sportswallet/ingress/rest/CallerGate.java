package com.sportswallet.ingress.rest;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.sportswallet.contracts.CloudEventJson;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpServerRequest;

/**
 * Callers the operator did not allow are refused before any work (issue 12, finding 8b), both off
 * by default:
 * <ul>
 * <li>{@code PROVIDER_ALLOWED_CIDRS}: the provider callbacks ({@code /sportsbook/...}) answer only
 * clients whose address is in one of these CIDR blocks (IPv4 or IPv6, comma-separated), as many
 * provider integrations require; others get 403 with a JSON body. The address is the TCP peer's
 * (behind a proxy, set Quarkus's {@code quarkus.http.proxy.*} so it is the forwarded client's).</li>
 * <li>{@code CLIENT_RATE_LIMIT_PER_SECOND} with {@code CLIENT_RATE_LIMIT_BURST}: each client address
 * gets a token bucket (Bucket4j) on the provider callbacks and the operator API; a client over it
 * gets 429 with {@code Retry-After} (seconds) and a JSON body. At most {@code CLIENT_RATE_LIMIT_CLIENTS_MAX}
 * clients are tracked (the least recently seen are forgotten, so an attacker cycling addresses costs
 * bounded memory).</li>
 * </ul>
 * Health, metrics and OpenAPI ({@code /q/...}) are never limited.
 */
@ApplicationScoped
public class CallerGate {
    public static final String REFUSED_METRIC = "caller.refused";

    @ConfigProperty(name = "wallet.provider.allowed-cidrs")
    Optional<List<String>> allowedCidrs;
    @ConfigProperty(name = "wallet.client-rate-limit.per-second")
    long ratePerSecond;
    @ConfigProperty(name = "wallet.client-rate-limit.burst")
    long burst;
    @ConfigProperty(name = "wallet.client-rate-limit.clients-max")
    long clientsMax;
    @Inject
    MeterRegistry meters;

    private volatile List<IpSubnetFilterRule> allowed = List.of();
    private volatile Cache<String, Bucket> buckets;

    void start(@Observes StartupEvent event) {
        configure();
    }

    /** Reads and checks the settings (a bad CIDR or bound fails the start). */
    void configure() {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String cidr : allowedCidrs.orElse(List.of())) {
            rules.add(rule(cidr.strip()));
        }
        allowed = List.copyOf(rules);
        if (ratePerSecond < 0 || (ratePerSecond > 0 && (burst < 1 || clientsMax < 1))) {
            throw new IllegalStateException("CLIENT_RATE_LIMIT_PER_SECOND must be >= 0 (0: off); when on, CLIENT_RATE_LIMIT_BURST and"
                    + " CLIENT_RATE_LIMIT_CLIENTS_MAX must be >= 1: " + ratePerSecond + ", " + burst + ", " + clientsMax);
        }
        buckets = ratePerSecond == 0 ? null : Caffeine.newBuilder().maximumSize(clientsMax).expireAfterAccess(Duration.ofMinutes(10)).build();
    }

    static IpSubnetFilterRule rule(String cidr) {
        int slash = cidr.indexOf('/');
        try {
            if (slash < 0 || !NetUtil.isValidIpV4Address(cidr.substring(0, slash)) && !NetUtil.isValidIpV6Address(cidr.substring(0, slash))) {
                throw new IllegalArgumentException("not an address literal with a prefix length"); // never a name to resolve
            }
            return new IpSubnetFilterRule(cidr.substring(0, slash), Integer.parseInt(cidr.substring(slash + 1)), IpFilterRuleType.ACCEPT);
        } catch (RuntimeException e) {
            throw new IllegalStateException("PROVIDER_ALLOWED_CIDRS: not a CIDR block (address/prefix): " + cidr, e);
        }
    }

    /** True when {@code address} may call the provider endpoints. */
    boolean allows(InetSocketAddress address) {
        List<IpSubnetFilterRule> rules = allowed;
        if (rules.isEmpty()) {
            return true;
        }
        for (IpSubnetFilterRule r : rules) {
            if (r.matches(address)) {
                return true;
            }
        }
        return false;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> gate(HttpServerRequest request) {
        String path = request.path();
        boolean provider = path.startsWith("/sportsbook/");
        if (!provider && !path.startsWith("/operator/")) {
            return Optional.empty();
        }
        if (provider && request.remoteAddress() != null
                && !allows(new InetSocketAddress(request.remoteAddress().hostAddress(), request.remoteAddress().port()))) {
            meters.counter(REFUSED_METRIC, "reason", "address").increment();
            return Optional.of(refusal(403, "forbidden", "this address may not call the provider endpoints", null));
        }
        Cache<String, Bucket> clients = buckets;
        if (clients != null && request.remoteAddress() != null) {
            Bucket bucket = clients.get(request.remoteAddress().hostAddress(), k -> Bucket.builder()
                    .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(ratePerSecond, Duration.ofSeconds(1)).build()).build());
            ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                meters.counter(REFUSED_METRIC, "reason", "rate").increment();
                long retryAfterSeconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
                return Optional.of(refusal(429, "too_many_requests", "rate limit of " + ratePerSecond + "/s (burst " + burst
                        + ") exceeded for this client", retryAfterSeconds));
            }
        }
        return Optional.empty();
    }

    private static Response refusal(int status, String error, String message, Long retryAfterSeconds) {
        Response.ResponseBuilder b = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(CloudEventJson.mapper().createObjectNode().put("error", error).put("message", message).toString());
        if (retryAfterSeconds != null) {
            b.header("Retry-After", retryAfterSeconds);
        }
        return b.build();
    }
}
