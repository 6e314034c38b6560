package com.sportswallet.ingress.service;

import java.sql.SQLException;
import java.util.Map;
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

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * The pipeline's backlog as gauges for Prometheus and its alert rules (issue 17): outbox rows and the
 * oldest's age, PENDING credits and the oldest's age, and the alerts logged by reason, read from the
 * database every {@value #PERIOD_MS} ms on the reads pool (two statements; a scrape never waits on the
 * database). The figures are the database's, the same from every ingress replica: aggregate them with
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

    private volatile OperationsReads.Backlog backlog = new OperationsReads.Backlog(0, null, 0, 0, null);
    private final Map<String, Long> alerts = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

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
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pipeline-gauges");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::read, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
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

    private static double seconds(Long ms) {
        return ms == null ? 0 : ms / 1000.0;
    }
}
