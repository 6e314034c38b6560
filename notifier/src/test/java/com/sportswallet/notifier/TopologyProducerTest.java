package com.sportswallet.notifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Properties;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.Topics;
import com.sportswallet.notifier.streams.TopologyProducer;

class TopologyProducerTest {

    @Test
    void countsWalletEventsPerPlayer() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "notifier-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(new TopologyProducer().buildTopology(), props)) {
            TestInputTopic<String, String> in = driver.createInputTopic(Topics.WALLET_EVENTS, new StringSerializer(), new StringSerializer());
            in.pipeInput("p1", "{}");
            in.pipeInput("p2", "{}");
            in.pipeInput("p1", "{}");
            KeyValueStore<String, Long> store = driver.getKeyValueStore(TopologyProducer.EVENTS_PER_PLAYER_STORE);
            assertEquals(2L, store.get("p1"));
            assertEquals(1L, store.get("p2"));
            assertNull(store.get("p3"));
        }
    }
}
