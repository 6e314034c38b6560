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
import java.util.function.IntFunction;

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

    /**
     * One thread's transport to every URL of {@code ingresses}: with one URL a plain one, with several
     * a {@link Spread} that sends each request (a retry too) to the next URL in the shared turn.
     */
    static Transport create(String kind, HttpClient client, IngressUrls ingresses, Duration timeout) {
        if (ingresses.size() == 1) {
            return new Counted(create(kind, client, ingresses.first(), timeout), ingresses);
        }
        return new Spread(ingresses, i -> create(kind, client, ingresses.get(i), timeout));
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

    /** One URL: every request to its transport, counted in {@code ingresses}' shares. */
    final class Counted implements Transport {
        private final Transport transport;
        private final IngressUrls ingresses;

        Counted(Transport transport, IngressUrls ingresses) {
            this.transport = transport;
            this.ingresses = ingresses;
        }

        @Override
        public Reply post(String path, byte[] body) {
            ingresses.nextIndex();
            return transport.post(path, body);
        }

        @Override
        public void close() {
            transport.close();
        }
    }

    /**
     * Several URLs, as a provider's load balancer spreads them: each request goes to the URL whose turn
     * it is ({@link IngressUrls#nextIndex()}, shared by every thread), through this thread's transport to
     * that URL (made at its first use: the raw client keeps one socket per URL).
     */
    final class Spread implements Transport {
        private final IngressUrls ingresses;
        private final IntFunction<Transport> factory;
        private final Transport[] byUrl;

        Spread(IngressUrls ingresses, IntFunction<Transport> factory) {
            this.ingresses = ingresses;
            this.factory = factory;
            this.byUrl = new Transport[ingresses.size()];
        }

        @Override
        public Reply post(String path, byte[] body) {
            int i = ingresses.nextIndex();
            if (byUrl[i] == null) {
                byUrl[i] = factory.apply(i);
            }
            return byUrl[i].post(path, body);
        }

        @Override
        public void close() {
            for (Transport t : byUrl) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }
}
