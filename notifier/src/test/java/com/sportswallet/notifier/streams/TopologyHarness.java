package com.sportswallet.notifier.streams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;

/** The notifier topology in a TopologyTestDriver (exactly_once_v2 as in production), with readable outputs. */
final class TopologyHarness implements AutoCloseable {
    final TopologyTestDriver driver;
    final TestInputTopic<String, String> in;
    final TestOutputTopic<String, String> crm;
    final TestOutputTopic<String, String> bonus;
    /** Record timestamps: each pipe() advances it by 1 ms unless a timestamp is given. */
    private Instant clock = WalletEventsFixture.BASE.minusSeconds(60);

    TopologyHarness(NotifierSettings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "notifier-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        try {
            props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory(java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "notifier-ttd")), "driver-").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        driver = new TopologyTestDriver(TopologyProducer.build(settings), props);
        in = driver.createInputTopic(Topics.WALLET_EVENTS, new StringSerializer(), new StringSerializer());
        crm = driver.createOutputTopic(Topics.CRM_EVENTS, new StringDeserializer(), new StringDeserializer());
        bonus = driver.createOutputTopic(Topics.BONUS_EVENTS, new StringDeserializer(), new StringDeserializer());
    }

    TopologyHarness() {
        this(NotifierSettings.defaults());
    }

    void pipe(WalletEventsFixture.Ev e) {
        clock = clock.plusMillis(1);
        in.pipeInput(e.player(), e.json(), clock);
    }

    void pipe(WalletEventsFixture.Ev e, Instant recordTime) {
        clock = recordTime;
        in.pipeInput(e.player(), e.json(), recordTime);
    }

    void pipeAll(List<WalletEventsFixture.Ev> events) {
        events.forEach(this::pipe);
    }

    List<TestRecord<String, String>> crmRecords() {
        return crm.readRecordsToList();
    }

    List<JsonNode> crmEvents() {
        return parse(crm.readValuesToList());
    }

    List<JsonNode> bonusEvents() {
        return parse(bonus.readValuesToList());
    }

    PlayerState player(String id) {
        return driver.<String, PlayerState>getKeyValueStore(StoreNames.PLAYERS).get(id);
    }

    BetState bet(String id) {
        return driver.<String, BetState>getKeyValueStore(StoreNames.BETS).get(id);
    }

    /** The events without their sourceoffset and sourceindex (which name where the fact sat in this run's input). */
    static List<JsonNode> withoutSource(List<JsonNode> events) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : events) {
            com.fasterxml.jackson.databind.node.ObjectNode copy = e.deepCopy();
            copy.remove(List.of("sourceoffset", "sourceindex"));
            out.add(copy);
        }
        return out;
    }

    static List<JsonNode> parse(List<String> values) {
        List<JsonNode> out = new ArrayList<>();
        for (String v : values) {
            try {
                out.add(CloudEventJson.mapper().readTree(v));
            } catch (java.io.IOException e) {
                throw new AssertionError("output is not JSON: " + v, e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        driver.close();
    }
}
