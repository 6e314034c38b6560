package com.sportswallet.worker.bonus;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.sportswallet.contracts.SupervisedLoop;
import com.sportswallet.contracts.Topics;
import com.sportswallet.contracts.bonus.ProviderBonusApi;
import com.sportswallet.outbox.KafkaSettings;
import com.sportswallet.outbox.RelayService;
import com.sportswallet.worker.KafkaClientBindings;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Starts the granting consumer (issue 14) under its own {@link SupervisedLoop} and its re-drive,
 * both on the {@code grants} datasource (their own pool: a grant's chunks never take the settlement
 * consumers' connections) and with their own Kafka clients. Metrics: {@code bonus_grants_bonuses_total}
 * (bonuses recorded), {@code bonus_grants_rejected_total} (players the provider refused),
 * {@code bonus_grants_provider_failures_total} (calls left CALLING), {@code bonus_grants_dlq_records_total},
 * {@code bonus_grants_consumer_restarts_total}.
 */
@ApplicationScoped
public class GrantWorkerService {
    /** The longest wait for the consumer loop to end at shutdown. */
    static final long CLOSE_WAIT_MS = 10_000;

    @Inject
    @io.quarkus.agroal.DataSource("grants")
    AgroalDataSource dataSource;
    @Inject
    GrantSettings settings;
    @Inject
    MeterRegistry registry;
    @Inject
    RelayService relay;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "wallet.kafka.client-id-suffix")
    Optional<String> clientIdSuffix;
    @ConfigProperty(name = "wallet.worker.session-timeout-ms")
    int sessionTimeoutMs;

    private SupervisedLoop<GrantConsumer> loop;
    private GrantRedriver redriver;
    private KafkaProducer<String, String> dlqProducer;
    private KafkaClientBindings clientMetrics;

    void onStart(@Observes StartupEvent event) {
        if (!settings.enabled()) {
            return;
        }
        ProviderBonusApi api = new ProviderBonusApi(new ProviderBonusApi.Config(URI.create(settings.providerUrl()), settings.providerCid(),
                settings.providerSecret(), settings.providerTimeoutMs(), settings.providerAttemptsMax(), settings.providerBackoffMsMax()));
        Granter granter = new Granter(dataSource, api, settings.chunkPlayersMax(), granterListener(), null);
        GrantConsumer.Config config = new GrantConsumer.Config(settings.pollRecordsMax(), settings.pollTimeoutMs(), settings.backoffMsMin(),
                settings.backoffMsMax(), settings.dlqSendTimeoutMs(), Topics.BONUS_GRANTS, GrantConsumer.GROUP_ID);
        GrantRedriver.Config redriveConfig = new GrantRedriver.Config(settings.redriveAfterMs(), settings.pendingRedriveAfterMs(),
                settings.redriveIntervalMs(), settings.redriveChunksMax(), settings.redrivePlayersMax());
        String suffix = clientIdSuffix.orElse("");
        dlqProducer = new KafkaProducer<>(KafkaSettings.relayProducer(bootstrapServers, "bonus-granter-dlq" + suffix,
                settings.dlqSendTimeoutMs(), "BONUS_GRANT_DLQ_SEND_TIMEOUT_MS"));
        Properties kafka = new Properties();
        kafka.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        kafka.put(ConsumerConfig.CLIENT_ID_CONFIG, "bonus-granter" + suffix);
        kafka.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
        Counter dlq = registry.counter("bonus.grants.dlq.records");
        clientMetrics = new KafkaClientBindings(registry);
        clientMetrics.bind("bonus-granter-dlq-producer", dlqProducer);
        GrantConsumer.Listener listener = new GrantConsumer.Listener() {
            @Override
            public void clientCreated(org.apache.kafka.clients.consumer.Consumer<?, ?> client) {
                clientMetrics.bind("bonus-grant-consumer", client);
            }

            @Override
            public void deadLettered(int count) {
                dlq.increment(count);
            }
        };
        loop = new SupervisedLoop<>(new SupervisedLoop.Config("bonus-grant-consumer", settings.backoffMsMin(), settings.backoffMsMax(),
                CLOSE_WAIT_MS), () -> new GrantConsumer(dataSource, granter, kafka, dlqProducer, config, listener)).start();
        FunctionCounter.builder("bonus.grants.consumer.restarts", loop, SupervisedLoop::restarts)
                .description("Granting consumer loops restarted after an unexpected exception").register(registry);
        Counter redriveFailures = registry.counter("bonus.grants.redrive.failures");
        redriver = new GrantRedriver(dataSource, granter, redriveConfig, new GrantRedriver.Listener() {
            @Override
            public void failed(Exception cause) {
                redriveFailures.increment();
            }
        }).start();
    }

    private Granter.Listener granterListener() {
        Counter bonuses = registry.counter("bonus.grants.bonuses");
        Counter rejected = registry.counter("bonus.grants.rejected");
        Counter failures = registry.counter("bonus.grants.provider.failures");
        return new Granter.Listener() {
            @Override
            public void granted(String chunkId, int n) {
                relay.wakeUp(); // the chunk's wallet.bonus.granted rows are committed
                bonuses.increment(n);
            }

            @Override
            public void rejected(String chunkId, int players, String reason) {
                rejected.increment(players);
            }

            @Override
            public void providerFailed(String chunkId, String reason) {
                failures.increment();
            }
        };
    }

    /** The supervised loop, or null when grants are off here (health). */
    public SupervisedLoop<GrantConsumer> loop() {
        return loop;
    }

    /** True when grants are off here, or while the re-drive's rounds are scheduled (liveness). */
    public boolean redriveAlive() {
        return !settings.enabled() || (redriver != null && redriver.alive());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (redriver != null) {
            redriver.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (clientMetrics != null) {
            clientMetrics.close();
        }
        if (dlqProducer != null) {
            dlqProducer.close(Duration.ofSeconds(5));
        }
    }
}
