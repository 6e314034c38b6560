package com.sportswallet.ingress.health;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.KafkaException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.Wellness;

/**
 * The broker, as a wellness check ({@code /q/health/well}, and in {@code /q/health}), deliberately
 * not a readiness check: callbacks never wait for Kafka (the outbox buffers their facts, DESIGN.md:
 * "Kafka being down changes nothing for callers"), and a readiness that failed with the broker
 * would take every ingress out of the load balancer at once, turning a Kafka outage into a
 * callback outage, the one thing the outbox exists to prevent. What a broker outage costs is
 * latency of the facts, and that shows here and in the outbox's backlog metrics.
 * An Admin {@code describeCluster}, bounded by {@link #CALL_TIMEOUT}, its answer kept for
 * {@link #CACHE_FOR} so a probe stays cheap (a down broker costs at most one bounded call every
 * few seconds, whatever the probe rate).
 */
@Wellness
@Singleton
public class BrokerHealth implements HealthCheck {
    static final String NAME = "kafka broker";
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    static final Duration CACHE_FOR = Duration.ofSeconds(5);

    private final String bootstrapServers;
    private final String clientId;
    private final Duration callTimeout;
    private final Duration cacheFor;
    private Admin admin;
    private HealthCheckResponse last;
    private long lastAtNanos;

    @Inject
    public BrokerHealth(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "wallet.kafka.client-id-suffix") Optional<String> clientIdSuffix) {
        this(bootstrapServers, "ingress-readiness" + clientIdSuffix.orElse(""), CALL_TIMEOUT, CACHE_FOR);
    }

    BrokerHealth(String bootstrapServers, Duration callTimeout, Duration cacheFor) {
        this(bootstrapServers, "ingress-readiness", callTimeout, cacheFor);
    }

    private BrokerHealth(String bootstrapServers, String clientId, Duration callTimeout, Duration cacheFor) {
        this.bootstrapServers = bootstrapServers;
        this.clientId = clientId;
        this.callTimeout = callTimeout;
        this.cacheFor = cacheFor;
    }

    @Override
    public synchronized HealthCheckResponse call() {
        if (last == null || System.nanoTime() - lastAtNanos >= cacheFor.toNanos()) {
            last = probe();
            lastAtNanos = System.nanoTime();
        }
        return last;
    }

    private HealthCheckResponse probe() {
        int timeoutMs = (int) callTimeout.toMillis();
        try {
            if (admin == null) {
                admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                        AdminClientConfig.CLIENT_ID_CONFIG, clientId,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs));
            }
            DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs));
            int nodes = cluster.nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size();
            return HealthCheckResponse.named(NAME).up().withData("nodes", nodes).build();
        } catch (ExecutionException e) {
            return down(e.getCause() == null ? e.toString() : e.getCause().toString());
        } catch (TimeoutException e) {
            return down("no answer within " + timeoutMs + " ms");
        } catch (KafkaException e) {
            return down(e.toString()); // e.g. no resolvable bootstrap address
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down("interrupted");
        }
    }

    private HealthCheckResponse down(String reason) {
        return HealthCheckResponse.named(NAME).down().withData("reason", reason).build();
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
            admin = null;
        }
    }
}
