package com.sportswallet.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import com.sportswallet.contracts.TopicSettings;
import com.sportswallet.contracts.Topics;
import com.sportswallet.testkit.KafkaCluster;

/**
 * Opt-in ({@code -Dkafka.cluster3=true}; it starts four Kafka JVMs, about 1.5 GB and a few minutes on
 * a 2-core machine, so the default build skips it): what TOPIC_REPLICATION_FACTOR=3 buys on a real
 * cluster of three brokers. The pipeline's topics are created with 3 replicas and
 * {@code min.insync.replicas} 2; the relay's own producer (acks=all) writes; with one broker killed
 * (SIGKILL) writes go on; with a second one killed a write is refused with NotEnoughReplicas rather
 * than acknowledged by a single disk. Every wait is bounded.
 */
@EnabledIfSystemProperty(named = "kafka.cluster3", matches = "true")
class ReplicationClusterTest {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** The relay producer's delivery timeout here: a leader's failover (fencing after the session timeout, then election) fits in it. */
    static final long SEND_TIMEOUT_MS = 30_000;
    /** The longest wait for one send's answer (the delivery timeout plus slack). */
    static final Duration SEND_WAIT = Duration.ofSeconds(45);
    /** After the second kill, how long the test keeps probing for the broker's NotEnoughReplicas (fencing takes a session timeout). */
    static final Duration REFUSAL_WAIT = Duration.ofSeconds(90);
    /** One probe's bounds: the broker answers a write it refuses at once; one that waits for a dead follower times out. */
    static final int PROBE_REQUEST_TIMEOUT_MS = 5_000;
    static final int PROBE_DELIVERY_TIMEOUT_MS = 10_000;
    static final String KEY = "player-cluster3";

    @Test
    void threeReplicasSurviveOneBrokerAndRefuseWritesWithOneLeft() throws Exception {
        long started = System.nanoTime();
        try (KafkaCluster cluster = KafkaCluster.start(3);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis()))) {
            log(started, "cluster of 3 brokers ready at " + cluster.bootstrapServers() + " (" + cluster.dir() + ")");
            // As a service reads TOPIC_REPLICATION_FACTOR=3 (min.insync.replicas left to its default).
            TopicSettings settings = TopicSettings.from(key -> switch (key) {
                case TopicSettings.REPLICATION_FACTOR_KEY -> Optional.of("3");
                case TopicSettings.PARTITIONS_KEY -> Optional.of("3");
                default -> Optional.empty();
            });
            List<String> created = Topics.ensure(admin, settings, CALL_TIMEOUT);
            List<String> pipeline = Topics.newTopics(settings).stream().map(NewTopic::name).toList();
            assertEquals(pipeline, created, "every pipeline topic created");
            TopicReplicationTest.assertReplication(admin, pipeline, 3, "2");
            log(started, "created " + created + ": 3 replicas, min.insync.replicas 2");

            Properties relay = KafkaSettings.relayProducer(cluster.bootstrapServers(), "cluster3-relay", SEND_TIMEOUT_MS,
                    "the test's send timeout");
            assertEquals("all", relay.get(ProducerConfig.ACKS_CONFIG), "the relay producer waits for every in-sync replica");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(relay)) {
                RecordMetadata first = send(producer, "written by 3");
                TopicPartition tp = new TopicPartition(first.topic(), first.partition());
                int leader = leaderOf(admin, tp);
                log(started, "write acknowledged at " + tp + "@" + first.offset() + ", leader broker " + leader);

                cluster.kill(leader);
                log(started, "killed broker " + leader + " (the partition's leader) with SIGKILL");
                RecordMetadata second = send(producer, "written by 2");
                int newLeader = leaderOf(admin, tp);
                assertTrue(newLeader != leader, "a surviving broker leads " + tp);
                log(started, "write acknowledged at " + tp + "@" + second.offset() + " with 2 brokers, leader now " + newLeader);

                int victim = cluster.liveBrokerIds().stream().filter(id -> id != newLeader).findFirst().orElseThrow();
                cluster.kill(victim);
                log(started, "killed broker " + victim + " with SIGKILL; broker " + newLeader + " is the last one");
                NotEnoughReplicasException refused = awaitRefusal(cluster.bootstrapServers(), tp);
                log(started, "write refused: " + refused.getMessage());

                // The relay's own producer gets no acknowledgement either: the outbox row would stay and be re-sent later.
                ExecutionException relayFailure = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), KEY, "never acknowledged"))
                                .get(SEND_WAIT.toMillis(), TimeUnit.MILLISECONDS));
                log(started, "relay producer's send failed as it must: " + relayFailure.getCause());
            }
        }
        log(started, "done");
    }

    private static RecordMetadata send(KafkaProducer<String, String> producer, String value) throws Exception {
        return producer.send(new ProducerRecord<>(Topics.WALLET_EVENTS, KEY, value)).get(SEND_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static int leaderOf(Admin admin, TopicPartition tp) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(tp.topic())).allTopicNames().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(tp.topic());
        assertNotNull(d.partitions().get(tp.partition()).leader(), tp + " has a leader");
        return d.partitions().get(tp.partition()).leader().id();
    }

    /**
     * Writes with acks=all and no retries until the broker refuses one with NotEnoughReplicas. Until
     * the controller fences the dead broker it is still in the in-sync set and a write waits for it
     * (a timeout, tried again); a write acknowledged with one broker left fails the test.
     */
    private static NotEnoughReplicasException awaitRefusal(String bootstrap, TopicPartition tp) throws InterruptedException {
        Map<String, Object> conf = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, PROBE_REQUEST_TIMEOUT_MS,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, PROBE_DELIVERY_TIMEOUT_MS,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, PROBE_DELIVERY_TIMEOUT_MS,
                ProducerConfig.LINGER_MS_CONFIG, 0);
        long deadline = System.nanoTime() + REFUSAL_WAIT.toNanos();
        Throwable last = null;
        try (KafkaProducer<String, String> probe = new KafkaProducer<>(conf, new StringSerializer(), new StringSerializer())) {
            while (System.nanoTime() < deadline) {
                try {
                    RecordMetadata m = probe.send(new ProducerRecord<>(tp.topic(), tp.partition(), KEY, "one disk only"))
                            .get(PROBE_DELIVERY_TIMEOUT_MS * 2L, TimeUnit.MILLISECONDS);
                    fail("a write was acknowledged with one broker left: " + tp + "@" + m.offset());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof NotEnoughReplicasException refused) {
                        return refused;
                    }
                    last = e.getCause();
                } catch (java.util.concurrent.TimeoutException e) {
                    last = e;
                }
                Thread.sleep(500);
            }
        }
        throw new AssertionError("no NotEnoughReplicas within " + REFUSAL_WAIT + "; last error: " + last, last);
    }

    private static void log(long startedNanos, String what) {
        System.out.printf("[cluster3 %5.1f s] %s%n", (System.nanoTime() - startedNanos) / 1e9, what);
    }
}
