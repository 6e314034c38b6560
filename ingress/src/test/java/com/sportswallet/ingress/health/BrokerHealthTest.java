package com.sportswallet.ingress.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The broker check against a port nothing listens on: DOWN within its bound, and cached in between. */
class BrokerReadinessTest {

    @Test
    void downWhenNoBrokerAnswersWithinTheBoundAndCachedMeanwhile() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        BrokerReadiness check = new BrokerReadiness("127.0.0.1:" + closedPort, Duration.ofMillis(1500), Duration.ofSeconds(30));
        try {
            long started = System.nanoTime();
            HealthCheckResponse first = check.call();
            long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertEquals(HealthCheckResponse.Status.DOWN, first.getStatus());
            assertEquals("kafka broker", first.getName());
            assertTrue(tookMs < 5_000, "bounded by the call timeout: " + tookMs + " ms");
            assertTrue(first.getData().orElseThrow().containsKey("reason"));

            started = System.nanoTime();
            assertSame(first, check.call(), "a probe within the cache period reuses the answer");
            assertTrue(System.nanoTime() - started < Duration.ofMillis(100).toNanos());
        } finally {
            check.close();
        }
    }

    @Test
    void downForAnUnresolvableBootstrapAddress() {
        BrokerReadiness check = new BrokerReadiness("no-such-host.invalid:9092", Duration.ofMillis(500), Duration.ZERO);
        try {
            assertEquals(HealthCheckResponse.Status.DOWN, check.call().getStatus());
        } finally {
            check.close();
        }
    }
}
