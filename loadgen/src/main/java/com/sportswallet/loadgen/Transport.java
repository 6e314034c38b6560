package com.sportswallet.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Sends one HTTP/1.1 POST at a time and returns what came back; never retries, never throws. One
 * instance per thread (the raw client keeps its socket; the JDK one shares the HttpClient's pool).
 */
interface Transport extends AutoCloseable {
    ObjectMapper JSON = new ObjectMapper();
    /** A failure that got no HTTP answer: the request timed out. */
    String TIMEOUT = "timeout";
    /** A failure that got no HTTP answer: connection refused or reset, a broken answer. */
    String IO_ERROR = "io_error";

    /** POSTs {@code body} (JSON) to {@code path} (e.g. {@code /sportsbook/bet/make}) under the base URL. */
    Reply post(String path, byte[] body);

    @Override
    default void close() {
    }

    /** An HTTP answer (status, body), or a failure: status 0, body null, {@code failure} TIMEOUT or IO_ERROR. */
    record Reply(int status, byte[] body, String failure) {
        static Reply failed(String failure) {
            return new Reply(0, null, failure);
        }

        boolean answered() {
            return status > 0;
        }

        /** The protocol error code of a refusal body {@code {"code":N,...}}, or null when it has none. */
        Integer protocolCode() {
            if (body == null || body.length == 0) {
                return null;
            }
            try {
                JsonNode code = JSON.readTree(body).get("code");
                return code != null && code.canConvertToInt() ? code.intValue() : null;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    /** {@code kind} "jdk" (java.net.http over {@code client}) or "raw" ({@link RawTransport}). */
    static Transport create(String kind, HttpClient client, String baseUrl, Duration timeout) {
        return switch (kind) {
            case "jdk" -> new JdkTransport(client, baseUrl, timeout);
            case "raw" -> new RawTransport(URI.create(baseUrl), timeout);
            default -> throw new IllegalArgumentException("http client must be jdk or raw: " + kind);
        };
    }

    /** java.net.http.HttpClient, HTTP/1.1, synchronous send; the client (and its connection pool) is shared. */
    final class JdkTransport implements Transport {
        private final HttpClient client;
        private final String baseUrl;
        private final Duration timeout;
        private final Map<String, URI> uris = new HashMap<>();

        JdkTransport(HttpClient client, String baseUrl, Duration timeout) {
            this.client = client;
            this.baseUrl = baseUrl;
            this.timeout = timeout;
        }

        @Override
        public Reply post(String path, byte[] body) {
            HttpRequest request = HttpRequest.newBuilder(uris.computeIfAbsent(path, p -> URI.create(baseUrl + p)))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            try {
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                return new Reply(response.statusCode(), response.body(), null);
            } catch (HttpTimeoutException e) {
                return Reply.failed(TIMEOUT);
            } catch (IOException e) {
                return Reply.failed(IO_ERROR);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Reply.failed(IO_ERROR);
            }
        }
    }
}
