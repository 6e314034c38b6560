package com.sportswallet.notifier.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.TopicSettings;
import com.sportswallet.testkit.TestInfra;

/**
 * The delivered-marks topic the webhook creates when it is absent is the one Topics.ensure would create: the configured
 * partitions (it was created with 1, while Topics.ensure made 12: whichever ran first decided), compacted, kept forever.
 */
class DeliveredMarksTopicTest {
    @Test
    void theMarksTopicIsCreatedWithTheConfiguredPartitionsCompacted() throws Exception {
        String bootstrap = TestInfra.get().bootstrapServers();
        String topic = "marks-test-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap), new StringSerializer(),
                new StringSerializer()); Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            DeliveredMarks marks = new DeliveredMarks(bootstrap, topic, TopicSettings.defaults().withPartitions(5), producer,
                    Duration.ofSeconds(10));
            marks.load(Duration.ofSeconds(30));
            assertEquals(5, admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size());
            var config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic))).all()
                    .get(30, TimeUnit.SECONDS).values().iterator().next();
            assertEquals("compact", config.get("cleanup.policy").value());
            assertEquals("-1", config.get("retention.ms").value());
            marks.load(Duration.ofSeconds(30)); // an existing topic is read, not created again
        }
    }
}
