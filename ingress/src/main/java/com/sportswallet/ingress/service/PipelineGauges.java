package com.sportswallet.ingress.service;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.sportswallet.contracts.Metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;

/**
 * The pipeline's backlog as gauges for Prometheus and its alert rules (issue 17): outbox rows and the
 * oldest's age, PENDING credits and the oldest's age, and the alerts logged by reason, read from the
 * database every {@value #PERIOD_MS} ms on the reads pool (two statements; a scrape never waits on the
 * database); and every consumer group's lag from its committed offsets, read from Kafka as often. The
 * figures are the database's and the broker's, the same from every ingress replica: aggregate them with
 * max(), not sum().
 */
@Singleton
public class PipelineGauges {
    private static final Logger LOG = Logger.getLogger(PipelineGauges.class);
    static final long PERIOD_MS = 5_000;

    @Inject
    OperationsReads reads;
    @Inject
    MeterRegistry registry;
    @Inject
    KafkaFigures kafka;

    private volatile OperationsReads.Backlog backlog = new OperationsReads.Backlog(0, null, 0, 0, null);
    private final Map<String, Long> alerts = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;
    private MultiGauge groupLag;
    private Counter kafkaFailures;

    void start(@Observes StartupEvent start) {
        Gauge.builder(Metrics.OUTBOX_BACKLOG_ROWS, this, g -> g.backlog.outboxRows()).description("outbox rows not yet published").register(registry);
        Gauge.builder(Metrics.OUTBOX_BACKLOG_OLDEST_AGE, this, g -> seconds(g.backlog.outboxOldestAgeMs())).baseUnit("seconds")
                .description("age of the oldest outbox row (0: none)").register(registry);
        Gauge.builder(Metrics.CREDITS_PENDING, this, g -> g.backlog.pendingCredits()).description("credits decided, not yet applied").register(registry);
        Gauge.builder(Metrics.CREDITS_PENDING_OLDEST_AGE, this, g -> seconds(g.backlog.pendingOldestAgeMs())).baseUnit("seconds")
                .description("age of the oldest PENDING credit (0: none)").register(registry);
        for (String reason : Metrics.ALERT_REASONS) {
            FunctionCounter.builder(Metrics.ALERTS, alerts, m -> m.getOrDefault(reason, 0L)).tag("reason", reason)
                    .description("wallet.alert events logged").register(registry);
        }
        groupLag = MultiGauge.builder(Metrics.CONSUMER_GROUP_LAG).description(
                "records between a consumer group's committed offsets and the ends of the partitions it committed on, whoever owns them")
                .register(registry);
        kafkaFailures = registry.counter(Metrics.PIPELINE_KAFKA_FAILURES);
        // Two threads: a broker that does not answer (2 s per call) never delays the database's figures.
        timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "pipeline-gauges");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::read, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::readKafka, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    void read() {
        try {
            backlog = reads.backlog();
            alerts.putAll(reads.alertCounts());
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("pipeline gauges not refreshed this period: %s", e.toString());
        }
    }

    /**
     * The lag of every consumer group per topic, from the figures the pipeline page shows (cached, so the page
     * and this sampler cost the broker one round per period). When Kafka does not answer, the last figures
     * stay and the failure is counted: a lag that vanished would silence its alert exactly when it matters.
     */
    void readKafka() {
        try {
            KafkaFigures.Figures figures = kafka.figures();
            if (figures.error() != null) {
                kafkaFailures.increment();
                return;
            }
            Map<List<String>, Long> sums = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
            for (KafkaFigures.Lag lag : figures.lags()) {
                sums.merge(List.of(lag.group(), lag.topic()), lag.lag(), Long::sum);
            }
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            sums.forEach((key, lag) -> rows.add(MultiGauge.Row.of(Tags.of("group", key.get(0), "topic", key.get(1)), lag)));
            groupLag.register(rows, true);
        } catch (RuntimeException e) {
            kafkaFailures.increment();
            LOG.debugf("consumer group lag not refreshed this period: %s", e.toString());
        }
    }

    private static double seconds(Long ms) {
        return ms == null ? 0 : ms / 1000.0;
    }
}
