package com.sportswallet.notifier.streams;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads the players' aggregates through Kafka Streams interactive queries. With one instance (the
 * default) every partition's store is local. With several instances (each with
 * {@code quarkus.kafka-streams.application-server} set to its own host:port), a key hosted
 * elsewhere is fetched from the instance that hosts it, once (bounded by {@link #REMOTE_TIMEOUT}),
 * with the caller's own Authorization header: that instance checks the operator's token again.
 */
@ApplicationScoped
public class InteractiveQueries {
    static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(2);

    /** The answer of a query: found (local state or a remote instance's JSON), not found, or not ready yet. */
    public sealed interface Result {
    }

    public record Local(PlayerState state) implements Result {
    }

    public record Remote(String json) implements Result {
    }

    public record NotFound() implements Result {
    }

    public record NotReady(String reason) implements Result {
    }

    @Inject
    KafkaStreams streams;

    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    Optional<String> applicationServer;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REMOTE_TIMEOUT).build();

    /**
     * @param authorization the caller's Authorization header (already verified here), forwarded as is
     *                      when another instance hosts the player
     */
    public Result activity(String playerId, String authorization) {
        PlayerState local;
        try {
            ReadOnlyKeyValueStore<String, PlayerState> store = streams.store(
                    StoreQueryParameters.fromNameAndType(StoreNames.PLAYERS, QueryableStoreTypes.keyValueStore()));
            local = store.get(playerId);
        } catch (InvalidStateStoreException e) {
            return new NotReady("the players store is not queryable yet (" + streams.state() + ")");
        }
        if (local != null) {
            return new Local(local);
        }
        if (applicationServer.isEmpty()) {
            return new NotFound();
        }
        KeyQueryMetadata md = streams.queryMetadataForKey(StoreNames.PLAYERS, playerId, Serdes.String().serializer());
        if (md == null || KeyQueryMetadata.NOT_AVAILABLE.equals(md)) {
            return new NotReady("no instance hosts this player's partition right now");
        }
        HostInfo host = md.activeHost();
        if (host == null || applicationServer.get().equals(host.host() + ":" + host.port())) {
            return new NotFound();
        }
        return remote(host, playerId, authorization);
    }

    Result remote(HostInfo host, String playerId, String authorization) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + "/players/"
                + java.net.URLEncoder.encode(playerId, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20") + "/activity");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REMOTE_TIMEOUT).header("X-Notifier-Forwarded", "1");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> r = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
            return switch (r.statusCode()) {
                case 200 -> new Remote(r.body());
                case 404 -> new NotFound();
                default -> new NotReady("instance " + host + " answered " + r.statusCode());
            };
        } catch (java.io.IOException e) {
            return new NotReady("instance " + host + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new NotReady("interrupted");
        }
    }
}
