package com.sportswallet.contracts;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How the pipeline creates its topics, the one place every service reads it from: partitions, the
 * derived feeds' retention, and replication. On the single broker of scripts/up and the tests a topic
 * can only have one replica; on a cluster, three replicas with {@code min.insync.replicas} 2 let one
 * broker die without losing a record the producers were told was written (every producer of the
 * pipeline sends with acks=all, which is what makes {@code min.insync.replicas} count). Replication is
 * never hard-coded: a topic created with 1 replica on a cluster would silently lose the record and the
 * replay that DESIGN.md promises with its only broker.
 *
 * <p>The services map their environment variables to the {@code wallet.topics.*} keys in their
 * application.properties and call {@link #from}; a value that cannot work stops the start with a
 * message naming the variable. {@link #minInsyncReplicas} defaults to the replication factor minus one,
 * at least 1: 1 on one broker, 2 with 3 replicas (one broker may be lost while writes go on; a second
 * loss stops writes instead of leaving a record on a single disk).
 *
 * @param partitions         partitions of each topic created ({@value #PARTITIONS_ENV})
 * @param derivedRetentionMs retention of the derived feeds, crm.events and bonus.events ({@value #DERIVED_RETENTION_ENV})
 * @param replicationFactor  replicas of each topic created ({@value #REPLICATION_FACTOR_ENV})
 * @param minInsyncReplicas  the topics' {@code min.insync.replicas} ({@value #MIN_INSYNC_REPLICAS_ENV})
 */
public record TopicSettings(int partitions, long derivedRetentionMs, short replicationFactor, short minInsyncReplicas) {
    public static final String PARTITIONS_ENV = "TOPIC_PARTITIONS";
    public static final String DERIVED_RETENTION_ENV = "DERIVED_RETENTION_MS";
    public static final String REPLICATION_FACTOR_ENV = "TOPIC_REPLICATION_FACTOR";
    public static final String MIN_INSYNC_REPLICAS_ENV = "TOPIC_MIN_INSYNC_REPLICAS";

    /** The configuration keys the services' application.properties map the variables above to. */
    public static final String PARTITIONS_KEY = "wallet.topics.partitions";
    public static final String DERIVED_RETENTION_KEY = "wallet.topics.derived-retention-ms";
    public static final String REPLICATION_FACTOR_KEY = "wallet.topics.replication-factor";
    public static final String MIN_INSYNC_REPLICAS_KEY = "wallet.topics.min-insync-replicas";

    public static final int PARTITIONS_DEFAULT = 12;
    public static final int PARTITIONS_MIN = 1;
    /** More partitions than this is a typo, not a plan: each costs the brokers files and memory. */
    public static final int PARTITIONS_MAX = 10_000;
    public static final long DERIVED_RETENTION_MS_DEFAULT = Duration.ofDays(7).toMillis();
    /** One broker: scripts/up, docker-compose.yml and the tests. */
    public static final int REPLICATION_FACTOR_DEFAULT = 1;
    public static final int REPLICATION_FACTOR_MIN = 1;
    /** Kafka takes a replication factor as a short. */
    public static final int REPLICATION_FACTOR_MAX = Short.MAX_VALUE;

    /** Validates; the messages name the environment variables, since that is what a user sets. */
    public TopicSettings {
        if (partitions < PARTITIONS_MIN || partitions > PARTITIONS_MAX) {
            throw new IllegalArgumentException(PARTITIONS_ENV + " must be " + PARTITIONS_MIN + ".." + PARTITIONS_MAX + ": " + partitions);
        }
        if (replicationFactor < REPLICATION_FACTOR_MIN) {
            throw new IllegalArgumentException(REPLICATION_FACTOR_ENV + " must be at least " + REPLICATION_FACTOR_MIN
                    + " (1 on a single broker, 3 on a cluster): " + replicationFactor);
        }
        checkMinInsync(replicationFactor, minInsyncReplicas);
    }

    /**
     * Validated settings; {@code minInsyncReplicas} empty takes {@link #minInsyncReplicasDefault}.
     *
     * @throws IllegalArgumentException naming the variable whose value cannot work
     */
    public static TopicSettings of(int partitions, long derivedRetentionMs, int replicationFactor, OptionalInt minInsyncReplicas) {
        if (replicationFactor < REPLICATION_FACTOR_MIN || replicationFactor > REPLICATION_FACTOR_MAX) {
            throw new IllegalArgumentException(REPLICATION_FACTOR_ENV + " must be " + REPLICATION_FACTOR_MIN + ".." + REPLICATION_FACTOR_MAX
                    + " (1 on a single broker, 3 on a cluster): " + replicationFactor);
        }
        int minInsync = minInsyncReplicas.orElse(minInsyncReplicasDefault(replicationFactor));
        // Checked before the cast: a value beyond a short must not wrap into a valid one.
        checkMinInsync(replicationFactor, minInsync);
        return new TopicSettings(partitions, derivedRetentionMs, (short) replicationFactor, (short) minInsync);
    }

    /** The defaults: one broker, one replica, min.insync.replicas 1, 12 partitions, derived feeds kept 7 days. */
    public static TopicSettings defaults() {
        return of(PARTITIONS_DEFAULT, DERIVED_RETENTION_MS_DEFAULT, REPLICATION_FACTOR_DEFAULT, OptionalInt.empty());
    }

    /** Replication factor minus one, at least 1: a cluster of 3 keeps writing with one broker lost, never with two. */
    public static int minInsyncReplicasDefault(int replicationFactor) {
        return Math.max(1, replicationFactor - 1);
    }

    /**
     * Reads the {@code wallet.topics.*} keys ({@link #PARTITIONS_KEY} ...) through {@code config} (a
     * service passes its MicroProfile Config); an absent or blank key takes its default.
     *
     * @throws IllegalArgumentException naming the variable whose value is not a number or cannot work
     */
    public static TopicSettings from(Function<String, Optional<String>> config) {
        long partitions = number(config, PARTITIONS_KEY, PARTITIONS_ENV).orElse((long) PARTITIONS_DEFAULT);
        long retention = number(config, DERIVED_RETENTION_KEY, DERIVED_RETENTION_ENV).orElse(DERIVED_RETENTION_MS_DEFAULT);
        long replication = number(config, REPLICATION_FACTOR_KEY, REPLICATION_FACTOR_ENV).orElse((long) REPLICATION_FACTOR_DEFAULT);
        Optional<Long> minInsync = number(config, MIN_INSYNC_REPLICAS_KEY, MIN_INSYNC_REPLICAS_ENV);
        return of(intOf(partitions, PARTITIONS_ENV), retention, intOf(replication, REPLICATION_FACTOR_ENV),
                minInsync.map(m -> OptionalInt.of(intOf(m, MIN_INSYNC_REPLICAS_ENV))).orElse(OptionalInt.empty()));
    }

    /** The same settings with another partition count (tests and tools that keep topics small). */
    public TopicSettings withPartitions(int count) {
        return new TopicSettings(count, derivedRetentionMs, replicationFactor, minInsyncReplicas);
    }

    /** The topic configs replication brings to every topic the pipeline creates: {@code min.insync.replicas}. */
    public Map<String, String> replicationConfigs() {
        return Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Short.toString(minInsyncReplicas));
    }

    /** A topic to create with these settings' replication: {@code configs} plus {@link #replicationConfigs()}. */
    public NewTopic newTopic(String name, int partitionCount, Map<String, String> configs) {
        Map<String, String> all = new HashMap<>(configs);
        all.putAll(replicationConfigs());
        return new NewTopic(name, partitionCount, replicationFactor).configs(all);
    }

    private static void checkMinInsync(int replicationFactor, int minInsyncReplicas) {
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException(MIN_INSYNC_REPLICAS_ENV + " must be 1.." + REPLICATION_FACTOR_ENV + " (" + replicationFactor
                    + "): " + minInsyncReplicas + "; a topic whose min.insync.replicas exceeds its replicas refuses every acks=all write."
                    + " Unset, it is " + REPLICATION_FACTOR_ENV + " - 1, at least 1");
        }
    }

    private static Optional<Long> number(Function<String, Optional<String>> config, String key, String env) {
        Optional<String> raw = config.apply(key).map(String::trim).filter(s -> !s.isEmpty());
        try {
            return raw.map(Long::parseLong);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(env + " (" + key + ") is not a whole number: '" + raw.get() + "'");
        }
    }

    private static int intOf(long value, String env) {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(env + " is out of range: " + value);
        }
        return (int) value;
    }
}
