package com.sportswallet.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.TopicSettings;
import com.sportswallet.contracts.Topics;
import com.sportswallet.testkit.TestInfra;

/**
 * Replication on the tests' single broker: with the defaults every pipeline topic is created with one
 * replica and {@code min.insync.replicas} 1 set on the topic itself; a replication factor of 3 fails
 * topic creation with a message naming TOPIC_REPLICATION_FACTOR, creating nothing. Copies of the
 * pipeline's requests under a fresh prefix are created, so what other tests of this JVM created
 * before does not decide the outcome.
 */
class TopicReplicationTest {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers()));
    }

    @AfterAll
    static void close() {
        admin.close();
    }

    /** The pipeline's creation requests as {@code settings} build them, renamed under {@code prefix}. */
    static List<NewTopic> pipelineCopies(TopicSettings settings, String prefix) {
        return Topics.newTopics(settings).stream()
                .map(t -> new NewTopic(prefix + t.name(), t.numPartitions(), t.replicationFactor()).configs(t.configs()))
                .toList();
    }

    @Test
    void defaultsCreateOneReplicaWithMinInsyncOne() throws Exception {
        TopicSettings defaults = TopicSettings.from(key -> Optional.empty()).withPartitions(1);
        String prefix = "repl-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        List<NewTopic> wanted = pipelineCopies(defaults, prefix);
        List<String> created = Topics.create(admin, wanted, CALL_TIMEOUT);
        assertEquals(wanted.stream().map(NewTopic::name).toList(), created);
        assertReplication(admin, created, 1, "1");

        // The services' own path, under the real names: whoever of this JVM created them first, it went through here.
        Topics.ensure(admin, TopicSettings.defaults().withPartitions(3), CALL_TIMEOUT);
        assertReplication(admin, Topics.newTopics(defaults).stream().map(NewTopic::name).toList(), 1, "1");
    }

    @Test
    void replicationThreeOnOneBrokerFailsNamingTheSettingAndCreatesNothing() throws Exception {
        TopicSettings three = TopicSettings
                .from(key -> key.equals(TopicSettings.REPLICATION_FACTOR_KEY) ? Optional.of("3") : Optional.empty())
                .withPartitions(1);
        String prefix = "repl3-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        List<NewTopic> wanted = pipelineCopies(three, prefix);
        Topics.TooFewBrokersException e = assertThrows(Topics.TooFewBrokersException.class,
                () -> Topics.create(admin, wanted, CALL_TIMEOUT));
        assertTrue(e.getMessage().startsWith(TopicSettings.REPLICATION_FACTOR_ENV + " is 3 but the Kafka cluster has 1 broker(s)"),
                e.getMessage());
        assertTrue(e.getMessage().contains(TopicSettings.MIN_INSYNC_REPLICAS_ENV), e.getMessage());
        Set<String> existing = admin.listTopics().names().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(existing.stream().noneMatch(n -> n.startsWith(prefix)), "nothing created: " + existing);
    }

    /** Each topic has {@code replicas} replicas on every partition, and {@code min.insync.replicas} {@code minInsync} set on the topic. */
    static void assertReplication(Admin admin, List<String> topics, int replicas, String minInsync) throws Exception {
        Map<String, TopicDescription> described = describeOnceKnown(admin, topics);
        for (TopicDescription d : described.values()) {
            d.partitions().forEach(p -> assertEquals(replicas, p.replicas().size(), d.name() + "-" + p.partition() + " replicas"));
        }
        assertEquals(Set.copyOf(topics), described.keySet());
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        for (Map.Entry<ConfigResource, Config> c : configs.entrySet()) {
            ConfigEntry entry = c.getValue().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
            assertEquals(minInsync, entry.value(), c.getKey().name() + " min.insync.replicas");
            // Set on the topic at creation, not the broker's default that happens to agree.
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, entry.source(), c.getKey().name() + " min.insync.replicas source");
        }
    }

    /**
     * The topics' descriptions, asked again while the broker answered with the metadata it had before
     * the creation (createTopics returns once the controller committed it, a broker may learn it a
     * moment later). Bounded by {@link #CALL_TIMEOUT}.
     */
    static Map<String, TopicDescription> describeOnceKnown(Admin admin, List<String> topics) throws Exception {
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
