package com.sportswallet.worker;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.sportswallet.contracts.SupervisedLoop;
import com.sportswallet.contracts.Topics;
import com.sportswallet.contracts.bonus.ProviderBonusApi;
import com.sportswallet.money.BonusRevoke;
import com.sportswallet.money.CreditBatch;
import com.sportswallet.money.CreditRedrive;
import com.sportswallet.outbox.KafkaSettings;
import com.sportswallet.outbox.RelayService;
import com.sportswallet.worker.bonus.BonusSweeper;
import com.sportswallet.worker.bonus.GrantSettings;
import com.sportswallet.worker.settlement.CreditRedriver;
import com.sportswallet.worker.settlement.SettlementConsumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Starts the settlement consumers (plain {@link SettlementConsumer}s, each under a
 * {@link SupervisedLoop}: an exception that escapes one closes it and starts a fresh one after a
 * backoff of WORKER_BACKOFF_MS_MIN doubling to WORKER_BACKOFF_MS_MAX, logged, counted in
 * {@code worker_consumer_restarts_total} and shown by the readiness check "settlement consumer
 * loops"), the credit re-drive ({@link CreditRedriver}, its own thread) and the bonus sweeps
 * ({@link BonusSweeper}, its own thread: revokes left REVOKING, expired bonuses), and binds their metrics
 * ({@code worker_dlq_records_total}: records sent to settlement.commands.dlq, each with its
 * wallet.alert).
 */
@ApplicationScoped
public class SettlementWorkerService {
    @Inject
    DataSource dataSource;
    @Inject
    MeterRegistry registry;
    @Inject
    RelayService relay;
    /** Tests only: crash points handed to the consumers (none in the service). */
    @Inject
    Instance<SettlementConsumer.CrashPoints> crashPoints;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    /** Appended to this process's Kafka client ids (KAFKA_CLIENT_ID_SUFFIX: scripts/up gives replica i "-i"). */
    @ConfigProperty(name = "wallet.kafka.client-id-suffix")
    Optional<String> clientIdSuffix;
    @ConfigProperty(name = "wallet.worker.consumers", defaultValue = "1")
    int consumerCount;
    @ConfigProperty(name = "wallet.worker.batch-size-max", defaultValue = "500")
    int batchSizeMax;
    @ConfigProperty(name = "wallet.worker.transaction-ms-target", defaultValue = "200")
    long transactionMsTarget;
    @ConfigProperty(name = "wallet.worker.poll-timeout-ms", defaultValue = "500")
    long pollTimeoutMs;
    @ConfigProperty(name = "wallet.worker.backoff-ms-min", defaultValue = "100")
    long backoffMsMin;
    @ConfigProperty(name = "wallet.worker.backoff-ms-max", defaultValue = "10000")
    long backoffMsMax;
    @ConfigProperty(name = "wallet.worker.dlq-send-timeout-ms", defaultValue = "10000")
    long dlqSendTimeoutMs;
    @ConfigProperty(name = "wallet.worker.session-timeout-ms", defaultValue = "10000")
    int sessionTimeoutMs;
    @ConfigProperty(name = "wallet.worker.credit-redrive-after-ms", defaultValue = "30000")
    long redriveAfterMs;
    @ConfigProperty(name = "wallet.worker.credit-redrive-batch-max", defaultValue = "500")
    int redriveBatchMax;
    @ConfigProperty(name = "wallet.worker.credit-redrive-interval-ms", defaultValue = "5000")
    long redriveIntervalMs;
    @ConfigProperty(name = "wallet.worker.bonus-revoking-after-ms")
    long bonusRevokingAfterMs;
    @ConfigProperty(name = "wallet.worker.bonus-sweep-batch-max")
    int bonusSweepBatchMax;
    @ConfigProperty(name = "wallet.worker.bonus-sweep-interval-ms")
    long bonusSweepIntervalMs;
    /** The provider's bonus API, as the granting consumer calls it (PROVIDER_BONUS_API_*: one set of settings). */
    @Inject
    GrantSettings grantSettings;

    private final List<SupervisedLoop<SettlementConsumer>> consumers = new ArrayList<>();
    /** The longest wait for a consumer loop to end at shutdown. */
    static final long CONSUMER_CLOSE_WAIT_MS = 10_000;
    private KafkaProducer<String, String> dlqProducer;
    private KafkaClientBindings clientMetrics;
    private CreditRedriver redriver;
    private BonusSweeper bonusSweeper;

    void onStart(@Observes StartupEvent event) {
        // Validated before anything starts: a bad bound fails the start with its name.
        CreditRedriver.Config redriveConfig = new CreditRedriver.Config(redriveAfterMs, redriveBatchMax, redriveIntervalMs);
        BonusSweeper.Config sweepConfig = new BonusSweeper.Config(bonusRevokingAfterMs, bonusSweepBatchMax, bonusSweepIntervalMs);
        ProviderBonusApi provider = new ProviderBonusApi(new ProviderBonusApi.Config(URI.create(grantSettings.providerUrl()),
                grantSettings.providerCid(), grantSettings.providerSecret(), grantSettings.providerTimeoutMs(),
                grantSettings.providerAttemptsMax(), grantSettings.providerBackoffMsMax()));
        String suffix = clientIdSuffix.orElse("");
        dlqProducer = new KafkaProducer<>(KafkaSettings.relayProducer(bootstrapServers, "settlement-worker-dlq" + suffix, dlqSendTimeoutMs,
                "WORKER_DLQ_SEND_TIMEOUT_MS"));
        SettlementConsumer.Config config = new SettlementConsumer.Config(batchSizeMax, transactionMsTarget, pollTimeoutMs,
                backoffMsMin, backoffMsMax, dlqSendTimeoutMs, Topics.SETTLEMENT_COMMANDS, SettlementConsumer.GROUP_ID);
        clientMetrics = new KafkaClientBindings(registry);
        clientMetrics.bind("dlq-producer", dlqProducer);
        SettlementConsumer.CrashPoints crash = crashPoints.isResolvable() ? crashPoints.get() : null;
        for (int i = 0; i < consumerCount; i++) {
            Properties kafka = new Properties();
            kafka.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            kafka.put(ConsumerConfig.CLIENT_ID_CONFIG, "settlement-worker" + suffix + "-" + i);
            kafka.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
            SettlementConsumer.Listener listener = metricsListener("settlement-consumer-" + i);
            consumers.add(new SupervisedLoop<>(new SupervisedLoop.Config("settlement-consumer-" + i, backoffMsMin, backoffMsMax,
                    CONSUMER_CLOSE_WAIT_MS), () -> new SettlementConsumer(dataSource, kafka, dlqProducer, config, listener, crash)).start());
        }
        // Lag as the consumers see it (records behind their fetch position, max over the partitions they own). With
        // no partition owned here it is NaN, never 0: nothing assigned is not "nothing behind". The group's lag
        // from its committed offsets, whoever owns what, is the ingress's consumer_group_lag_records.
        Gauge.builder("settlement.consumer.lag.max", consumers, SettlementWorkerService::lagMax)
                .description("records behind, max over the partitions this worker's consumers own; NaN when they own none")
                .register(registry);
        Gauge.builder("settlement.consumer.partitions.assigned", consumers, list -> list.stream().map(SupervisedLoop::current)
                .filter(c -> c != null).mapToInt(c -> Math.max(0, c.ownedPartitions())).sum())
                .description("partitions of settlement.commands this worker's consumers own").register(registry);
        FunctionCounter.builder("worker.consumer.restarts", consumers, list -> list.stream().mapToLong(SupervisedLoop::restarts).sum())
                .description("Settlement consumer loops restarted after an unexpected exception").register(registry);
        redriver = new CreditRedriver(dataSource, redriveConfig, redriveListener()).start();
        bonusSweeper = new BonusSweeper(dataSource, provider, sweepConfig, Clock.systemUTC(), sweepListener()).start();
    }

    /** worker_bonus_swept_total{status}: bonuses the sweeps revoked, put back to ACTIVE, or expired. */
    private BonusSweeper.Listener sweepListener() {
        Counter failures = registry.counter("worker.bonus.sweep.failures");
        return new BonusSweeper.Listener() {
            @Override
            public void swept(List<BonusRevoke.Changed> changed) {
                relay.wakeUp(); // their wallet.bonus.revoked / expired rows are committed
                changed.forEach(b -> registry.counter("worker.bonus.swept", "status", b.status()).increment());
            }

            @Override
            public void failed(Exception cause) {
                failures.increment();
            }
        };
    }

    /** worker_credit_redriven_total: credits applied from the database because their command did not apply them in time. */
    private CreditRedriver.Listener redriveListener() {
        Counter redriven = registry.counter("worker.credit.redriven");
        Counter failures = registry.counter("worker.credit.redrive.failures");
        return new CreditRedriver.Listener() {
            @Override
            public void redriven(List<CreditRedrive.Redriven> credits) {
                relay.wakeUp(); // their wallet.credit.applied rows are committed
                redriven.increment(credits.size());
            }

            @Override
            public void failed(Exception cause) {
                failures.increment();
            }
        };
    }

    /** The max of the consumers' lag over those that own a partition; NaN when none does. */
    private static double lagMax(List<SupervisedLoop<SettlementConsumer>> loops) {
        return loops.stream().map(SupervisedLoop::current).filter(c -> c != null && c.ownedPartitions() > 0)
                .mapToDouble(SettlementConsumer::lagMax).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
    }

    /** One consumer's listener: the shared counters (Micrometer returns the same meter for a name), its own client metrics. */
    private SettlementConsumer.Listener metricsListener(String slot) {
        Counter applied = registry.counter("settlement.credits.applied");
        Counter skipped = registry.counter("settlement.credits.skipped");
        Counter retries = registry.counter("settlement.retries");
        Counter deadLettered = registry.counter("worker.dlq.records");
        DistributionSummary batchSize = DistributionSummary.builder("settlement.batch.size").publishPercentiles(0.5, 0.99).register(registry);
        Timer commit = Timer.builder("settlement.batch.transaction").publishPercentiles(0.5, 0.99).register(registry);
        Timer decidedToApplied = Timer.builder("settlement.credit.decided_to_applied").publishPercentiles(0.5, 0.99).register(registry);
        return new SettlementConsumer.Listener() {
            @Override
            public void clientCreated(org.apache.kafka.clients.consumer.Consumer<?, ?> client) {
                clientMetrics.bind(slot, client);
            }

            @Override
            public void batchCommitted(int commands, CreditBatch.Result result, long transactionNanos) {
                if (!result.applied().isEmpty()) {
                    relay.wakeUp(); // the batch's wallet.credit.applied rows are committed
                }
                applied.increment(result.applied().size());
                skipped.increment(result.skipped());
                batchSize.record(commands);
                commit.record(transactionNanos, TimeUnit.NANOSECONDS);
                OffsetDateTime now = OffsetDateTime.now();
                for (CreditBatch.Applied a : result.applied()) {
                    decidedToApplied.record(Duration.between(a.decidedAt(), now));
                }
            }

            @Override
            public void retrying(Exception cause, long backoffMs) {
                retries.increment();
            }

            @Override
            public void deadLettered(int count) {
                relay.wakeUp(); // their wallet.alert rows are committed
                deadLettered.increment(count);
            }
        };
    }

    /** True while every consumer thread runs (liveness: a consumer thread that died never comes back). */
    public boolean running() {
        return !consumers.isEmpty() && consumers.stream().allMatch(SupervisedLoop::running);
    }

    /**
     * True while every consumer loop is supervised (running, or failed and waiting for its restart):
     * liveness. A loop between two runs mends itself; restarting the process would not help.
     */
    public boolean supervised() {
        return !consumers.isEmpty() && consumers.stream().allMatch(l -> l.state() != SupervisedLoop.State.STOPPED);
    }

    /** The supervised consumer loops, for the health checks. */
    public List<SupervisedLoop<SettlementConsumer>> consumerLoops() {
        return List.copyOf(consumers);
    }

    /** Per consumer, the partitions it owns, or -1 while it is not a member of the group (readiness). */
    public List<Integer> ownedPartitions() {
        return consumers.stream().map(loop -> {
            SettlementConsumer current = loop.current();
            return current == null ? -1 : current.ownedPartitions();
        }).toList();
    }

    /** True while the credit re-drive's rounds are scheduled (liveness). */
    public boolean redriveAlive() {
        return redriver != null && redriver.alive();
    }

    /** True while the bonus sweep's rounds are scheduled (liveness). */
    public boolean bonusSweepAlive() {
        return bonusSweeper != null && bonusSweeper.alive();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (bonusSweeper != null) {
            bonusSweeper.close();
        }
        if (redriver != null) {
            redriver.close();
        }
        consumers.forEach(SupervisedLoop::close);
        if (clientMetrics != null) {
            clientMetrics.close();
        }
        if (dlqProducer != null) {
            dlqProducer.close(Duration.ofSeconds(5));
        }
    }
}
