package com.sportswallet.notifier.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.notifier.streams.WalletEventsFixture.Ev;
import com.sportswallet.testkit.KafkaTools;

/** Real producers and consumers against the test broker (no mocks). */
public final class KafkaTestClients {
    private KafkaTestClients() {
    }

    /**
     * How long a test's records may take to be acknowledged: the producer's own delivery.timeout.ms, so a
     * test never gives up on a record the client is still retrying. A busy 2-core CI box once held a
     * batch to a fresh topic past a 30 s wait (stop 31) while the producer would have gone on to 120 s.
     */
    public static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(120);

    public static void produce(String bootstrap, String topic, List<Ev> events) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis()),
                new StringSerializer(), new StringSerializer())) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (Ev e : events) {
                ProducerRecord<String, String> r = new ProducerRecord<>(topic, e.player(), e.json());
                r.headers().add(CloudEventJson.CONTENT_TYPE_HEADER, CloudEventJson.CONTENT_TYPE.getBytes());
                acks.add(p.send(r));
            }
            p.flush();
            for (var f : acks) {
                // Done after flush(): a failed record throws its own cause here; the bound is only a backstop.
                f.get(DELIVERY_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Reads {@code topic} from the beginning (read_committed, no group) until {@code done} holds
     * for the matching events read so far, or {@code timeout} passes; returns the matching events.
     */
    public static List<JsonNode> readUntil(String bootstrap, String topic, Predicate<JsonNode> match, Predicate<List<JsonNode>> done,
            Duration timeout) throws Exception {
        Map<String, Object> conf = new HashMap<>();
        conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        conf.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        conf.put(ConsumerConfig.CLIENT_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        List<JsonNode> found = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(conf, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    JsonNode e = CloudEventJson.mapper().readTree(r.value());
                    if (match.test(e)) {
                        found.add(e);
                    }
                }
                if (done.test(found)) {
                    return found;
                }
            }
        }
        return found;
    }

    /** The group's live members (0 when the group does not exist). */
    public static int liveMembers(Admin admin, String group) throws Exception {
        try {
            return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS).members().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    /** The group's committed offsets, by partition. */
    public static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> offsets = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .forEach((tp, om) -> offsets.put(tp, om.offset()));
        return offsets;
    }

    /** The application's changelog and repartition topics, sorted. */
    public static List<String> internalTopics(Admin admin, String applicationId) throws Exception {
        return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(applicationId + "-") && (t.endsWith("-changelog") || t.endsWith("-repartition")))
                .sorted().toList();
    }

    /**
     * What {@code scripts/replay notifier --to-earliest} does once the application is stopped: Kafka's
     * StreamsResetter (input offsets to the earliest, internal topics deleted), then the local state
     * {@code stateDir/applicationId}, which the resetter leaves, deleted. The state stays when the tool fails.
     */
    public static KafkaTools.Result rebuildFromEarliest(String bootstrap, String applicationId, String inputTopic, Path stateDir)
            throws IOException {
        KafkaTools.Result reset = KafkaTools.streamsReset(bootstrap, applicationId, inputTopic);
        if (reset.ok()) {
            deleteRecursively(stateDir.resolve(applicationId));
        }
        return reset;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
