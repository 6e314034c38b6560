package com.sportswallet.notifier.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/**
 * A query for a player hosted by another notifier instance is forwarded with the caller's own
 * Authorization header (the other instance requires the operator's token too), to a real HTTP server
 * standing in for that instance and answering as it would.
 */
class InteractiveQueriesForwardTest {

    @Test
    void forwardsTheCallersTokenToTheInstanceHostingThePlayer() throws IOException {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        other.createContext("/players/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            seen.add(exchange.getRequestURI().getRawPath() + " " + auth);
            boolean ok = "Bearer the-callers-token".equals(auth);
            byte[] body = (ok ? "{\"player_id\":\"p 1\",\"bets\":1}" : "{\"error\":\"unauthorized\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        other.start();
        try {
            HostInfo host = new HostInfo("127.0.0.1", other.getAddress().getPort());
            InteractiveQueries queries = new InteractiveQueries();

            InteractiveQueries.Result answer = queries.remote(host, "p 1", "Bearer the-callers-token");
            assertEquals("{\"player_id\":\"p 1\",\"bets\":1}", assertInstanceOf(InteractiveQueries.Remote.class, answer).json());
            assertEquals("/players/p%201/activity Bearer the-callers-token", seen.get(0));

            // Without the caller's token the other instance refuses: never answered as found.
            assertInstanceOf(InteractiveQueries.NotReady.class, queries.remote(host, "p 1", null));
            assertEquals("/players/p%201/activity null", seen.get(1));
        } finally {
            other.stop(0);
        }
    }
}
