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
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The pipeline's topics. Every topic is keyed by player id. The record topics
 * ({@link #SETTLEMENT_COMMANDS}, {@link #WALLET_EVENTS}) are kept forever so that any consumer group
 * can replay them from offset 0; the derived feeds are rebuilt by a notifier reset, so their
 * retention is a setting. How many partitions and replicas each gets is {@link TopicSettings}.
 */
public final class Topics {
    public static final String SETTLEMENT_COMMANDS = "settlement.commands";
    public static final String SETTLEMENT_COMMANDS_DLQ = "settlement.commands.dlq";
    public static final String WALLET_EVENTS = "wallet.events";
    public static final String CRM_EVENTS = "crm.events";
    public static final String BONUS_EVENTS = "bonus.events";
    public static final String CRM_WEBHOOK_DLQ = "crm.webhook.dlq";
    /**
     * One record per (grant request_id, player) to grant (issue 14), keyed by player: a record
     * topic, kept forever like the commands; the granting consumer's input.
     */
    public static final String BONUS_GRANTS = "bonus.grants";
    public static final String BONUS_GRANTS_DLQ = "bonus.grants.dlq";
    /**
     * The CRM webhook's own state: per player (key), the highest (sourceoffset, sourceindex) of
     * {@code crm.events} it delivered. Compacted, kept forever, never touched by a notifier rebuild.
     */
    public static final String CRM_WEBHOOK_DELIVERED = "crm.webhook.delivered";
    /** Topics whose latest record per key is what counts (cleanup.policy=compact). */
    public static final Set<String> COMPACTED = Set.of(CRM_WEBHOOK_DELIVERED);

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
                BONUS_GRANTS, RETAIN_FOREVER,
                BONUS_GRANTS_DLQ, RETAIN_FOREVER,
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
     * The creation request of every topic the pipeline owns, in name order: {@code settings}'
     * partitions, replication factor and {@code min.insync.replicas}, each topic's retention (and
     * compaction). A plain list, built without a cluster, so what the services would create can be
     * checked on its own.
     */
    public static List<NewTopic> newTopics(TopicSettings settings) {
        return retentionMsByTopic(settings.derivedRetentionMs()).entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> settings.newTopic(e.getKey(), settings.partitions(), configs(e.getKey(), e.getValue())))
                .toList();
    }

    /**
     * Creates the pipeline's topics that do not exist yet ({@link #newTopics}); existing ones are left
     * exactly as they are.
     *
     * @return the names created by this call
     * @throws TooFewBrokersException when the cluster has fewer brokers than the replication factor (see {@link #create})
     */
    public static List<String> ensure(Admin admin, TopicSettings settings, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<NewTopic> missing = newTopics(settings).stream().filter(t -> !existing.contains(t.name())).toList();
        return create(admin, missing, timeout);
    }

    /**
     * Creates {@code topics}, each on its own (a topic another service created meanwhile is the goal
     * reached, not an error). First asks the cluster how many brokers it has: a replication factor it
     * cannot place fails here, naming {@value TopicSettings#REPLICATION_FACTOR_ENV}, instead of the
     * broker's bare InvalidReplicationFactorException (and never by quietly creating fewer replicas).
     * Nothing is asked when there is nothing to create.
     *
     * @return the names created by this call
     * @throws TooFewBrokersException when the cluster has fewer brokers than a topic's replication factor
     */
    public static List<String> create(Admin admin, List<NewTopic> topics, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (topics.isEmpty()) {
            return List.of();
        }
        // A topic without a replication factor (-1) takes the broker's default: one broker is enough to ask for it.
        int replication = topics.stream().mapToInt(t -> Math.max(1, t.replicationFactor())).max().orElse(1);
        int brokers = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
        if (brokers < replication) {
            throw tooFewBrokers(replication, brokers, topics.stream().map(NewTopic::name).toList(), null);
        }
        List<String> created = new ArrayList<>();
        for (NewTopic topic : topics) {
            try {
                admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                created.add(topic.name());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof InvalidReplicationFactorException) {
                    // A broker left between the count and the create.
                    throw tooFewBrokers(replication, brokers, List.of(topic.name()), e.getCause());
                }
                // Another service created it between our list and our create: that is the goal reached.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return created;
    }

    private static TooFewBrokersException tooFewBrokers(int replication, int brokers, List<String> topics, Throwable cause) {
        TooFewBrokersException e = new TooFewBrokersException(TopicSettings.REPLICATION_FACTOR_ENV + " is " + replication
                + " but the Kafka cluster has " + brokers + " broker(s) available: topics " + topics + " cannot be created with "
                + replication + " replicas. Start more brokers, or set " + TopicSettings.REPLICATION_FACTOR_ENV + " (and "
                + TopicSettings.MIN_INSYNC_REPLICAS_ENV + ") to what this cluster can hold: 1 on a single broker");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** The cluster cannot place the replicas {@link TopicSettings#replicationFactor()} asks for; the message says what to change. */
    public static final class TooFewBrokersException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        TooFewBrokersException(String message) {
            super(message);
        }
    }
}
