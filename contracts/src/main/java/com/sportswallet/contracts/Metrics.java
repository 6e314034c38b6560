package com.sportswallet.contracts;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The metrics an SRE watches (issue 17), in one place: the Micrometer names the services register, and
 * the Prometheus names the dashboard (deploy/grafana), the alert rules (deploy/prometheus) and the console
 * may use. Units are in the names (Prometheus adds {@code _seconds} to timers, {@code _total} to
 * counters). Tests check both ways: every Prometheus name used by the dashboard and the rules is listed
 * here ({@code MetricsContractTest}), and each service's live {@code /q/metrics} exposes what is listed
 * for it (each service's own test).
 */
public final class Metrics {
    // ---- ingress ----
    /** Every provider callback: a timer with a histogram, tags {@code endpoint} (one value per endpoint) and {@code outcome}. */
    public static final String CALLBACK_REQUESTS = "callback.requests";
    /** Callbacks refused with a PROTOCOL code: tags {@code endpoint}, {@code code}. */
    public static final String CALLBACK_REFUSED = "callback.refused";
    /** Outbox rows not yet published, and the age of the oldest (seconds), read every few seconds. */
    public static final String OUTBOX_BACKLOG_ROWS = "outbox.backlog.rows";
    public static final String OUTBOX_BACKLOG_OLDEST_AGE = "outbox.backlog.oldest.age";
    /** PENDING credits, and the age of the oldest (seconds), read every few seconds. */
    public static final String CREDITS_PENDING = "credits.pending";
    public static final String CREDITS_PENDING_OLDEST_AGE = "credits.pending.oldest.age";
    /**
     * A consumer group's lag per topic (tags {@code group}, {@code topic}): the records between its committed offsets
     * and the partitions' ends, summed over the partitions it committed on, read from the broker every few seconds by
     * the ingress. It does not depend on which member owns what: a group with no member keeps its lag.
     */
    public static final String CONSUMER_GROUP_LAG = "consumer.group.lag.records";
    /** Rounds in which the ingress could not read the consumer groups' figures from Kafka. */
    public static final String PIPELINE_KAFKA_FAILURES = "pipeline.kafka.failures";
    /** wallet.alert events logged (the alert table), tag {@code reason}: a counter read from the table. */
    public static final String ALERTS = "wallet.alerts";

    /** Every outcome of a callback other than 200 and {@code 400-<code>} (the codes of PROTOCOL's table). */
    public static final List<String> CALLBACK_STATUS_OUTCOMES = List.of("401", "404", "413", "429", "500", "503");
    /** The reasons a wallet.alert has (RollbackService, SystemAlert). */
    public static final List<String> ALERT_REASONS = List.of("negative_balance", "absorbed_shortfall", "bonus_rebind_failed", "outbox_parked",
            "command_dead_lettered");

    /** Prometheus names each service exposes and the dashboard, the rules or the console may use. */
    public static final Map<String, List<String>> EXPOSED = Map.of(
            "ingress", List.of("callback_requests_seconds_bucket", "callback_requests_seconds_count", "callback_requests_seconds_sum",
                    "callback_refused_total", "outbox_backlog_rows", "outbox_backlog_oldest_age_seconds", "credits_pending",
                    "credits_pending_oldest_age_seconds", "wallet_alerts_total", "outbox_published_total",
                    "outbox_parked_keys", "agroal_active_count", "agroal_awaiting_count", "kafka_producer_record_send_total",
                    "consumer_group_lag_records", "pipeline_kafka_failures_total"),
            "settlement-worker", List.of("settlement_credits_applied_total", "worker_credit_redriven_total", "worker_dlq_records_total",
                    "bonus_grants_dlq_records_total", "settlement_consumer_lag_max", "settlement_consumer_partitions_assigned",
                    "settlement_credit_decided_to_applied_seconds_count", "settlement_credit_decided_to_applied_seconds_sum",
                    "kafka_consumer_fetch_manager_records_consumed_total", "kafka_consumer_coordinator_rebalance_total"),
            "notifier", List.of("notifier_dedupe_duplicates_total", "kafka_stream_thread_process_total"));

    private Metrics() {
    }

    /**
     * The names listed for {@code service} that a Prometheus text scrape of it does not expose (a name exposes a
     * sample line: the name followed by its labels or its value). What each service's test asserts is empty.
     */
    public static List<String> notExposed(String service, String scrape) {
        return EXPOSED.get(service).stream().filter(name -> !scrape.contains("\n" + name + "{") && !scrape.contains("\n" + name + " ")).toList();
    }

    /** Every Prometheus name listed, whichever service exposes it. */
    public static Set<String> allExposed() {
        Set<String> all = new TreeSet<>();
        EXPOSED.values().forEach(all::addAll);
        return all;
    }
}
