package com.sportswallet.contracts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The pipeline's topics. Every topic is keyed by player id. The record topics
 * ({@link #SETTLEMENT_COMMANDS}, {@link #WALLET_EVENTS}) are kept forever so that any consumer group
 * can replay them from offset 0; the derived feeds are rebuilt by a notifier reset, so their
 * retention is a setting.
 */
public final class Topics {
    public static final String SETTLEMENT_COMMANDS = "settlement.commands";
    public static final String SETTLEMENT_COMMANDS_DLQ = "settlement.commands.dlq";
    public static final String WALLET_EVENTS = "wallet.events";
    public static final String CRM_EVENTS = "crm.events";
    public static final String BONUS_EVENTS = "bonus.events";
    public static final String CRM_WEBHOOK_DLQ = "crm.webhook.dlq";
    /**
     * The CRM webhook's own state: per player (key), the highest (sourceoffset, sourceindex) of
     * {@code crm.events} it delivered. Compacted, kept forever, never touched by a notifier rebuild.
     */
    public static final String CRM_WEBHOOK_DELIVERED = "crm.webhook.delivered";
    /** Topics whose latest record per key is what counts (cleanup.policy=compact). */
    public static final Set<String> COMPACTED = Set.of(CRM_WEBHOOK_DELIVERED);

    public static final int PARTITIONS_DEFAULT = 12;
    public static final long DERIVED_RETENTION_MS_DEFAULT = Duration.ofDays(7).toMillis();
    private static final String RETAIN_FOREVER = "-1";

    private Topics() {
    }

    /** Name and retention of every topic the pipeline owns. */
    public static Map<String, String> retentionMsByTopic(long derivedRetentionMs) {
        String derived = Long.toString(derivedRetentionMs);
        return Map.of(
                SETTLEMENT_COMMANDS, RETAIN_FOREVER,
                WALLET_EVENTS, RETAIN_FOREVER,
                SETTLEMENT_COMMANDS_DLQ, RETAIN_FOREVER,
                CRM_WEBHOOK_DLQ, RETAIN_FOREVER,
                CRM_WEBHOOK_DELIVERED, RETAIN_FOREVER,
                CRM_EVENTS, derived,
                BONUS_EVENTS, derived);
    }

    /** A topic's configs at creation: its retention, and compaction for {@link #COMPACTED} topics. */
    public static Map<String, String> configs(String name, String retentionMs) {
        return COMPACTED.contains(name)
                ? Map.of(TopicConfig.RETENTION_MS_CONFIG, retentionMs, TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
                : Map.of(TopicConfig.RETENTION_MS_CONFIG, retentionMs);
    }

    /**
     * Creates the topics that do not exist yet (existing ones are left exactly as they are).
     *
     * @return the names created by this call
     */
    public static List<String> ensure(Admin admin, int partitions, long derivedRetentionMs, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (partitions < 1 || partitions > 10_000) {
            throw new IllegalArgumentException("partitions out of range: " + partitions);
        }
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<NewTopic> missing = new ArrayList<>();
        retentionMsByTopic(derivedRetentionMs).forEach((name, retentionMs) -> {
            if (!existing.contains(name)) {
                missing.add(new NewTopic(name, partitions, (short) 1).configs(configs(name, retentionMs)));
            }
        });
        List<String> created = new ArrayList<>();
        for (NewTopic topic : missing) {
            try {
                admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                created.add(topic.name());
            } catch (ExecutionException e) {
                // Another service created it between our list and our create: that is the goal reached.
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw e;
                }
            }
        }
        return created;
    }
}
