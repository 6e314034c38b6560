package com.sportswallet.notifier.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.sportswallet.contracts.TopicBootstrap;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** Creates the pipeline's topics when absent, so Kafka Streams (and readiness) never wait for them forever. */
@ApplicationScoped
public class TopicsAtStartup {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "wallet.topics.partitions")
    int partitions;
    @ConfigProperty(name = "wallet.topics.derived-retention-ms")
    long derivedRetentionMs;

    private Thread thread;

    void onStart(@Observes StartupEvent event) {
        thread = TopicBootstrap.startInBackground(bootstrapServers, partitions, derivedRetentionMs);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
