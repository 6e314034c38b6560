package com.sportswallet.notifier.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.junit.jupiter.api.Test;

import com.sportswallet.notifier.streams.BoundedRocksDbMemory;

/**
 * The runner behind the replay tests and TopologyThroughput uses the notifier's own Kafka Streams settings
 * (application.properties), not a copy of them: the throughput figure is production's configuration's.
 */
class StreamsRunnerConfigTest {

    @Test
    void productionSettingsAreApplicationPropertiesAtTheirDefaults() {
        Map<String, String> prod = StreamsRunner.notifierStreamsConfig(true);
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, prod.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("200", prod.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)); // ${NOTIFIER_COMMIT_INTERVAL_MS:200}
        assertEquals("131072", prod.get(StreamsConfig.producerPrefix("batch.size")));
        assertEquals("1", prod.get(StreamsConfig.REPLICATION_FACTOR_CONFIG)); // through ${wallet.topics.replication-factor}
        assertEquals(BoundedRocksDbMemory.class.getName(), prod.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
        assertFalse(prod.containsKey(StreamsConfig.STATE_DIR_CONFIG), "the runner's own");
        assertEquals("100", StreamsRunner.notifierStreamsConfig(false).get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG), "%test's");
    }

    /** Kafka Streams loads the setter while it parses its config, before any store loaded RocksDB's native library. */
    @Test
    void theRocksDbSetterLoadsInAPlainKafkaStreamsConfig() {
        Map<String, Object> props = new HashMap<>(StreamsRunner.notifierStreamsConfig(true));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "config-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        StreamsConfig config = new StreamsConfig(props);
        assertInstanceOf(BoundedRocksDbMemory.class,
                config.getConfiguredInstance(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, RocksDBConfigSetter.class));
    }
}
