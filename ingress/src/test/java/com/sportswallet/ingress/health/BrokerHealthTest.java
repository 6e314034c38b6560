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

/** The broker check against a port nothing listens on: DOWN (its call bounded), and cached in between. */
class BrokerHealthTest {

    @Test
    void downWhenNoBrokerAnswersWithinTheBoundAndCachedMeanwhile() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        BrokerHealth check = new BrokerHealth("127.0.0.1:" + closedPort, Duration.ofMillis(1500), Duration.ofSeconds(30));
        try {
            HealthCheckResponse first = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, first.getStatus());
            assertEquals("kafka broker", first.getName());
            assertTrue(first.getData().orElseThrow().containsKey("reason"));
            assertSame(first, check.call(), "a probe within the cache period reuses the answer");
        } finally {
            check.close();
        }
    }

    @Test
    void downForAnUnresolvableBootstrapAddress() {
        BrokerHealth check = new BrokerHealth("no-such-host.invalid:9092", Duration.ofMillis(500), Duration.ZERO);
        try {
            assertEquals(HealthCheckResponse.Status.DOWN, check.call().getStatus());
        } finally {
            check.close();
        }
    }
}
