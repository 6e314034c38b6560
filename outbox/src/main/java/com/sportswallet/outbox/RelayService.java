package com.sportswallet.outbox;

import java.time.Duration;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.sportswallet.contracts.TopicBootstrap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs the {@link OutboxRelay} inside a Quarkus service (the ingress and the settlement-worker),
 * and creates the pipeline's topics when absent. Neither waits for Kafka: a broker that is down
 * at start only delays publishing.
 */
@ApplicationScoped
public class RelayService {
    private static final Logger LOG = Logger.getLogger(RelayService.class);

    @Inject
    DataSource dataSource;
    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "quarkus.application.name")
    String applicationName;
    @ConfigProperty(name = "wallet.outbox.enabled", defaultValue = "true")
    boolean enabled;
    @ConfigProperty(name = "wallet.outbox.batch-size-max", defaultValue = "500")
    int batchSizeMax;
    @ConfigProperty(name = "wallet.outbox.poll-interval-ms", defaultValue = "500")
    long pollIntervalMs;
    @ConfigProperty(name = "wallet.outbox.send-timeout-ms", defaultValue = "10000")
    long sendTimeoutMs;
    @ConfigProperty(name = "wallet.outbox.backoff-ms-max", defaultValue = "5000")
    long backoffMsMax;
    @ConfigProperty(name = "wallet.outbox.linger-ms", defaultValue = "10")
    long lingerMs;
    @ConfigProperty(name = "wallet.topics.partitions", defaultValue = "12")
    int partitions;
    @ConfigProperty(name = "wallet.topics.derived-retention-ms", defaultValue = "604800000")
    long derivedRetentionMs;

    private KafkaProducer<String, String> producer;
    private volatile OutboxRelay relay;
    private Thread topicBootstrap;

    void onStart(@Observes StartupEvent event) {
        topicBootstrap = TopicBootstrap.startInBackground(bootstrapServers, partitions, derivedRetentionMs);
        if (!enabled) {
            LOG.info("outbox relay disabled (wallet.outbox.enabled=false)");
            return;
        }
        producer = new KafkaProducer<>(KafkaSettings.relayProducer(bootstrapServers, applicationName + "-outbox", sendTimeoutMs,
                "OUTBOX_SEND_TIMEOUT_MS"));
        Counter published = registry.counter("outbox.published");
        Counter failures = registry.counter("outbox.relay.failures");
        relay = new OutboxRelay(dataSource, producer,
                new OutboxRelay.Config(batchSizeMax, pollIntervalMs, sendTimeoutMs, backoffMsMax, lingerMs),
                new OutboxRelay.Listener() {
                    @Override
                    public void published(int count) {
                        published.increment(count);
                    }

                    @Override
                    public void failed(Exception cause) {
                        failures.increment();
                    }
                });
        relay.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (topicBootstrap != null) {
            topicBootstrap.interrupt();
        }
        if (relay != null) {
            relay.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Wakes the relay now; call it after a commit that wrote outbox rows (harmless otherwise). */
    public void wakeUp() {
        OutboxRelay r = relay;
        if (r != null) {
            r.wakeUp();
        }
    }

    /** The running relay, or null when disabled. */
    public OutboxRelay relay() {
        return relay;
    }
}
