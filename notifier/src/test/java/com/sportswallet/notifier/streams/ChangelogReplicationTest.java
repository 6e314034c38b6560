package com.sportswallet.notifier.streams;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.StoreBuilder;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.TopicSettings;

/**
 * The notifier's own topics, Kafka Streams' changelogs, are replicated like the pipeline's: every store
 * of the topology is logged with the configured {@code min.insync.replicas}, and the start refuses a
 * Kafka Streams {@code replication.factor} other than TOPIC_REPLICATION_FACTOR. No broker needed.
 */
class ChangelogReplicationTest {
    private static final TopicSettings THREE = TopicSettings.of(TopicSettings.PARTITIONS_DEFAULT,
            TopicSettings.DERIVED_RETENTION_MS_DEFAULT, 3, OptionalInt.empty());

    @Test
    void everyStoreChangelogCarriesMinInsyncReplicas() {
        Set<String> logged = new HashSet<>();
        for (StoreBuilder<?> store : TopologyProducer.stores(THREE)) {
            assertTrue(store.loggingEnabled(), store.name() + " is changelogged");
            assertEquals("2", store.logConfig().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), store.name() + " min.insync.replicas");
            logged.add(store.name());
        }
        Set<String> inTopology = new HashSet<>();
        TopologyDescription description = TopologyProducer.build(new NotifierSettings(100_000, java.time.Instant.EPOCH, 100),
                TopologyProducer.TopicNames.DEFAULT, THREE).describe();
        description.subtopologies().forEach(sub -> sub.nodes().forEach(node -> {
            if (node instanceof TopologyDescription.Processor p) {
                inTopology.addAll(p.stores());
            }
        }));
        assertEquals(inTopology, logged, "every store of the topology, and only those");
        StoreBuilder<?> oneBroker = TopologyProducer.stores(TopicSettings.defaults()).get(0);
        assertEquals("1", oneBroker.logConfig().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
    }

    @Test
    void startRefusesAStreamsReplicationFactorOtherThanTheTopics() {
        assertDoesNotThrow(() -> TopicsAtStartup.checkStreamsReplication(THREE, Optional.of("3")));
        assertDoesNotThrow(() -> TopicsAtStartup.checkStreamsReplication(TopicSettings.defaults(), Optional.of(" 1")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TopicsAtStartup.checkStreamsReplication(THREE, Optional.of("1")));
        String m = e.getMessage();
        assertTrue(m.contains(TopicSettings.REPLICATION_FACTOR_ENV) && m.contains(TopicsAtStartup.STREAMS_REPLICATION_KEY), m);
        assertThrows(IllegalArgumentException.class, () -> TopicsAtStartup.checkStreamsReplication(THREE, Optional.empty()));
    }
}
