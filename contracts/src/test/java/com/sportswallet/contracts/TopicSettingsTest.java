package com.sportswallet.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * What the services create, checked without a cluster: the creation requests {@link Topics#newTopics}
 * builds carry the configured replication on every pipeline topic, and settings that cannot work are
 * refused with a message naming the variable a user sets.
 */
class TopicSettingsTest {
    /** Every topic the pipeline owns: the record, the dead letters, the derived feeds and the webhook's state. */
    private static final Set<String> PIPELINE = Set.of(Topics.SETTLEMENT_COMMANDS, Topics.WALLET_EVENTS, Topics.SETTLEMENT_COMMANDS_DLQ,
            Topics.CRM_WEBHOOK_DLQ, Topics.CRM_WEBHOOK_DELIVERED, Topics.CRM_EVENTS, Topics.BONUS_EVENTS, Topics.BONUS_GRANTS,
            Topics.BONUS_GRANTS_DLQ);

    private static Function<String, Optional<String>> config(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return k -> Optional.ofNullable(m.get(k));
    }

    @Test
    void replicationThreeGivesEveryPipelineTopicThreeReplicasAndMinInsyncTwo() {
        TopicSettings s = TopicSettings.from(config(TopicSettings.REPLICATION_FACTOR_KEY, "3"));
        List<NewTopic> topics = Topics.newTopics(s);
        assertEquals(PIPELINE, topics.stream().map(NewTopic::name).collect(Collectors.toSet()), "every pipeline topic, no other");
        for (NewTopic t : topics) {
            assertEquals(3, t.replicationFactor(), t.name() + " replication factor");
            assertEquals("2", t.configs().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), t.name() + " min.insync.replicas");
            assertEquals(TopicSettings.PARTITIONS_DEFAULT, t.numPartitions(), t.name() + " partitions");
        }
        // Replication adds to a topic's own configs, never replaces them.
        NewTopic delivered = topics.stream().filter(t -> t.name().equals(Topics.CRM_WEBHOOK_DELIVERED)).findFirst().orElseThrow();
        assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, delivered.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG));
        assertEquals("-1", delivered.configs().get(TopicConfig.RETENTION_MS_CONFIG));
        NewTopic crm = topics.stream().filter(t -> t.name().equals(Topics.CRM_EVENTS)).findFirst().orElseThrow();
        assertEquals(Long.toString(TopicSettings.DERIVED_RETENTION_MS_DEFAULT), crm.configs().get(TopicConfig.RETENTION_MS_CONFIG));
        // A grant's record is the only copy of what an operator asked for until the worker has recorded it: never aged out.
        for (String name : List.of(Topics.BONUS_GRANTS, Topics.BONUS_GRANTS_DLQ)) {
            NewTopic grants = topics.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
            assertEquals("-1", grants.configs().get(TopicConfig.RETENTION_MS_CONFIG), name + " retention");
        }
    }

    @Test
    void defaultsAreOneReplicaAndMinInsyncOne() {
        for (TopicSettings s : List.of(TopicSettings.defaults(), TopicSettings.from(config()),
                TopicSettings.from(config(TopicSettings.REPLICATION_FACTOR_KEY, "1", TopicSettings.MIN_INSYNC_REPLICAS_KEY, " ")))) {
            assertEquals(1, s.replicationFactor());
            assertEquals(1, s.minInsyncReplicas());
            for (NewTopic t : Topics.newTopics(s)) {
                assertEquals(1, t.replicationFactor(), t.name());
                assertEquals("1", t.configs().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), t.name());
            }
        }
    }

    @Test
    void minInsyncIsReplicationMinusOneAtLeastOneUnlessSet() {
        assertEquals(1, TopicSettings.minInsyncReplicasDefault(1));
        assertEquals(1, TopicSettings.minInsyncReplicasDefault(2));
        assertEquals(2, TopicSettings.minInsyncReplicasDefault(3));
        assertEquals(4, TopicSettings.minInsyncReplicasDefault(5));
        TopicSettings set = TopicSettings.from(config(TopicSettings.REPLICATION_FACTOR_KEY, "3", TopicSettings.MIN_INSYNC_REPLICAS_KEY, "3",
                TopicSettings.PARTITIONS_KEY, "6", TopicSettings.DERIVED_RETENTION_KEY, "1000"));
        assertEquals(new TopicSettings(6, 1000, (short) 3, (short) 3), set);
    }

    @Test
    void settingsThatCannotWorkAreRefusedNamingTheVariable() {
        assertRefused(TopicSettings.REPLICATION_FACTOR_ENV, TopicSettings.REPLICATION_FACTOR_KEY, "0");
        assertRefused(TopicSettings.REPLICATION_FACTOR_ENV, TopicSettings.REPLICATION_FACTOR_KEY, "-1");
        assertRefused(TopicSettings.REPLICATION_FACTOR_ENV, TopicSettings.REPLICATION_FACTOR_KEY, "40000");
        assertRefused(TopicSettings.REPLICATION_FACTOR_ENV, TopicSettings.REPLICATION_FACTOR_KEY, "three");
        assertRefused(TopicSettings.MIN_INSYNC_REPLICAS_ENV, TopicSettings.MIN_INSYNC_REPLICAS_KEY, "0");
        assertRefused(TopicSettings.MIN_INSYNC_REPLICAS_ENV, TopicSettings.MIN_INSYNC_REPLICAS_KEY, "2");
        // A value beyond a short must not wrap into an accepted one (65537 would be 1 as a short).
        assertRefused(TopicSettings.MIN_INSYNC_REPLICAS_ENV, TopicSettings.MIN_INSYNC_REPLICAS_KEY, "65537");
        assertRefused(TopicSettings.PARTITIONS_ENV, TopicSettings.PARTITIONS_KEY, "0");
        assertRefused(TopicSettings.PARTITIONS_ENV, TopicSettings.PARTITIONS_KEY, "10001");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopicSettings.from(config(
                TopicSettings.REPLICATION_FACTOR_KEY, "3", TopicSettings.MIN_INSYNC_REPLICAS_KEY, "4")));
        String m = e.getMessage();
        assertTrue(m.contains(TopicSettings.MIN_INSYNC_REPLICAS_ENV) && m.contains(TopicSettings.REPLICATION_FACTOR_ENV)
                && m.contains("(3)") && m.contains("4"), m);
        assertThrows(IllegalArgumentException.class, () -> TopicSettings.of(12, 1, 3, OptionalInt.of(4)));
    }

    private static void assertRefused(String env, String key, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopicSettings.from(config(key, value)),
                key + "=" + value);
        assertTrue(e.getMessage().contains(env), "the message names " + env + ": " + e.getMessage());
    }
}
