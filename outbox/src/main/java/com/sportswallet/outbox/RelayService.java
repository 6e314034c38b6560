package com.sportswallet.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.sportswallet.contracts.TopicBootstrap;
import com.sportswallet.contracts.TopicSettings;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs the {@link OutboxRelay} inside a Quarkus service (the ingress and the settlement-worker),
 * creates the pipeline's topics when absent (as {@link TopicSettings} says: partitions, retention,
 * replication; settings that cannot work stop the start), and loads what each topic accepts ({@link TopicLimits},
 * which this process's outbox writers check every event against). None of it waits for Kafka: a
 * broker that is down at start only delays publishing.
 *
 * <p>Metrics: {@code outbox_published_total}, {@code outbox_relay_failures_total} (rounds that failed
 * as a whole), {@code outbox_row_failures_total} (failed sends of single rows, each an attempt),
 * {@code outbox_parked_total} (keys parked), and the gauges {@code outbox_parked_rows} and
 * {@code outbox_parked_keys}: what waits for an operator's release now (the database's figures,
 * whichever relay parked them).
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
    /** Appended to this process's Kafka client ids (KAFKA_CLIENT_ID_SUFFIX: scripts/up gives replica i "-i"). */
    @ConfigProperty(name = "wallet.kafka.client-id-suffix")
    Optional<String> clientIdSuffix;
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
    @ConfigProperty(name = "wallet.outbox.send-attempts-max", defaultValue = "10")
    int sendAttemptsMax;
    @ConfigProperty(name = "wallet.outbox.message-bytes-max", defaultValue = "1048576")
    int messageBytesMax;
    @ConfigProperty(name = "wallet.outbox.bulk-rows-per-second-max", defaultValue = "1000")
    int bulkRowsPerSecondMax;

    private KafkaProducer<String, String> producer;
    private KafkaClientMetrics kafkaMetrics;
    private Admin admin;
    private volatile OutboxRelay relay;
    private Thread topicBootstrap;
    private Thread limitsLoader;
    private volatile long[] parkedCounts = { 0, 0 };
    private volatile long parkedCountsAtNanos;

    /** Each Admin call of the relay (describe a topic, recreate the pipeline's) waits at most this long. */
    static final Duration ADMIN_CALL_TIMEOUT = Duration.ofSeconds(5);
    /** The parked gauges read the database at most once per this interval (both from one query). */
    static final long PARKED_GAUGE_REFRESH_MS = 1000;
    static final long LIMITS_LOAD_RETRY_MS = 2000;

    /** This process's client id for one of its Kafka clients: the application's name, {@code role}, the instance's suffix. */
    String clientId(String role) {
        return applicationName + role + clientIdSuffix.orElse("");
    }

    void onStart(@Observes StartupEvent event) {
        // Validated first: a bad bound fails the start with its name.
        OutboxRelay.Config config = new OutboxRelay.Config(batchSizeMax, pollIntervalMs, sendTimeoutMs, backoffMsMax, lingerMs, sendAttemptsMax,
                bulkRowsPerSecondMax);
        TopicSettings topics = TopicSettings.from(key -> ConfigProvider.getConfig().getOptionalValue(key, String.class));
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, clientId("-outbox-admin"),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_CALL_TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_CALL_TIMEOUT.toMillis()));
        TopicLimits limits = new TopicLimits(admin, ADMIN_CALL_TIMEOUT, messageBytesMax, topics);
        Outbox.useLimits(limits);
        topicBootstrap = TopicBootstrap.startInBackground(bootstrapServers, topics);
        limitsLoader = limits.loadInBackground(LIMITS_LOAD_RETRY_MS);
        Gauge.builder("outbox.parked.rows", this, s -> s.parkedCounts()[1])
                .description("Outbox rows of parked keys, waiting for an operator's release").register(registry);
        Gauge.builder("outbox.parked.keys", this, s -> s.parkedCounts()[0])
                .description("Parked outbox keys").register(registry);
        if (!enabled) {
            LOG.info("outbox relay disabled (wallet.outbox.enabled=false)");
            return;
        }
        producer = new KafkaProducer<>(KafkaSettings.outboxProducer(bootstrapServers, clientId("-outbox"), sendTimeoutMs,
                "OUTBOX_SEND_TIMEOUT_MS", messageBytesMax));
        // The producer's own metrics (kafka_producer_*: sends, errors, batch sizes, request latency), for the dashboard.
        kafkaMetrics = new KafkaClientMetrics(producer);
        kafkaMetrics.bindTo(registry);
        Counter published = registry.counter("outbox.published");
        Counter failures = registry.counter("outbox.relay.failures");
        Counter rowFailures = registry.counter("outbox.row.failures");
        Counter parked = registry.counter("outbox.parked");
        relay = new OutboxRelay(dataSource, producer, config,
                new OutboxRelay.Listener() {
                    @Override
                    public void published(int count) {
                        published.increment(count);
                    }

                    @Override
                    public void failed(Exception cause) {
                        failures.increment();
                    }

                    @Override
                    public void rowFailed(long outboxId, String key, int attempts, String error) {
                        rowFailures.increment();
                    }

                    @Override
                    public void parked(String key, long outboxId, String error) {
                        parked.increment();
                        parkedCountsAtNanos = 0; // the gauges read again at the next scrape
                    }
                }, limits);
        relay.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (topicBootstrap != null) {
            topicBootstrap.interrupt();
        }
        if (limitsLoader != null) {
            limitsLoader.interrupt();
        }
        if (relay != null) {
            relay.close();
        }
        if (kafkaMetrics != null) {
            kafkaMetrics.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Parked keys and rows ({@link OutboxParking#counts}), read at most every {@link #PARKED_GAUGE_REFRESH_MS};
     * the last known figures when the database does not answer.
     */
    long[] parkedCounts() {
        long now = System.nanoTime();
        if (parkedCountsAtNanos != 0 && now - parkedCountsAtNanos < PARKED_GAUGE_REFRESH_MS * 1_000_000L) {
            return parkedCounts;
        }
        try (Connection c = dataSource.getConnection()) {
            parkedCounts = OutboxParking.counts(c);
            parkedCountsAtNanos = now;
        } catch (SQLException e) {
            LOG.debugf("parked outbox counts not read: %s", e.toString());
        }
        return parkedCounts;
    }

    /** A release committed: the gauges read again at the next scrape, and the relay runs a round now. */
    public void released() {
        parkedCountsAtNanos = 0;
        wakeUp();
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
