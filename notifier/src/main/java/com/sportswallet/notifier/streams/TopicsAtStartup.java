package com.sportswallet.notifier.streams;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.apache.kafka.streams.StreamsConfig;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.sportswallet.contracts.TopicBootstrap;
import com.sportswallet.contracts.TopicSettings;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Creates the pipeline's topics when absent, so Kafka Streams (and readiness) never wait for them forever.
 * Runs before Kafka Streams starts, so settings that cannot work ({@link TopicSettings}) stop the start
 * with a message naming them instead of an error from deep inside Kafka Streams.
 */
@ApplicationScoped
public class TopicsAtStartup {
    /** Kafka Streams' own key for its internal topics' replicas, as Quarkus passes it through. */
    static final String STREAMS_REPLICATION_KEY = "kafka-streams." + StreamsConfig.REPLICATION_FACTOR_CONFIG;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private Thread thread;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        TopicSettings topics = TopicSettings.from(key -> ConfigProvider.getConfig().getOptionalValue(key, String.class));
        checkStreamsReplication(topics, ConfigProvider.getConfig().getOptionalValue(STREAMS_REPLICATION_KEY, String.class));
        thread = TopicBootstrap.startInBackground(bootstrapServers, topics);
    }

    /**
     * The changelogs Kafka Streams creates get {@code replication.factor} from its own setting, which
     * application.properties takes from TOPIC_REPLICATION_FACTOR; one set apart (say through
     * KAFKA_STREAMS_REPLICATION_FACTOR) would leave the notifier's state less replicated than its
     * topics, or unplaceable, so the start refuses it.
     */
    static void checkStreamsReplication(TopicSettings topics, Optional<String> streamsReplication) {
        String expected = Short.toString(topics.replicationFactor());
        String actual = streamsReplication.map(String::trim).orElse("(unset)");
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException(STREAMS_REPLICATION_KEY + " is " + actual + " but " + TopicSettings.REPLICATION_FACTOR_ENV
                    + " is " + expected + ": the notifier's changelog topics must be replicated like the pipeline's topics;"
                    + " set only " + TopicSettings.REPLICATION_FACTOR_ENV);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
