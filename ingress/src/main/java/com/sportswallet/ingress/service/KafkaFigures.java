package com.sportswallet.ingress.service;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.sportswallet.contracts.Topics;

import io.quarkus.runtime.StartupEvent;

/**
 * The Kafka side of the pipeline page (issue 17): consumer lag per group and partition, and the
 * dead-letter topics' record counts with their latest reasons (header {@code dlq.reason}). Read with
 * one Admin client and one consumer (assign and seek, no group), each call bounded by
 * {@link #CALL_TIMEOUT}, and kept for {@code OPERATOR_KAFKA_FIGURES_CACHE_MS} (at least 1 s), so however
 * many pages refresh, the broker sees at most one round of these calls per period.
 */
@Singleton
public class KafkaFigures {
    private static final Logger LOG = Logger.getLogger(KafkaFigures.class);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    static final long CACHE_MS_MIN = 1_000;
    static final long CACHE_MS_MAX = 60_000;
    /** Groups listed at most (the wallet has a handful: worker, notifier, granting consumer, replays). */
    static final int GROUPS_MAX = 100;
    /** Latest reasons shown per dead-letter topic. */
    static final int REASONS_PER_DLQ_MAX = 5;
    static final int REASON_CHARS_MAX = 300;
    static final List<String> DLQ_TOPICS = List.of(Topics.SETTLEMENT_COMMANDS_DLQ, Topics.BONUS_GRANTS_DLQ, Topics.CRM_WEBHOOK_DLQ);

    /** One partition of one group: its committed offset, the partition's end, and the lag between them. */
    public record Lag(String group, String topic, int partition, long committed, long end, long lag) {
    }

    /** A dead-letter topic: its records (end - start, over every partition) and the newest reasons. */
    public record DeadLetters(String topic, long records, List<String> latestReasons) {
    }

    /** What the page shows; {@code error} says why a part is missing (the broker did not answer in time). */
    public record Figures(long takenAtMs, List<Lag> lags, List<DeadLetters> deadLetters, String error) {
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "wallet.kafka.client-id-suffix")
    Optional<String> clientIdSuffix;
    @ConfigProperty(name = "wallet.operator.kafka-figures-cache-ms")
    long cacheMs;

    private Admin admin;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Figures last;
    private long lastAtNanos;
    private boolean failing;

    void check(@Observes StartupEvent start) {
        if (cacheMs < CACHE_MS_MIN || cacheMs > CACHE_MS_MAX) {
            throw new IllegalStateException("OPERATOR_KAFKA_FIGURES_CACHE_MS must be in " + CACHE_MS_MIN + ".." + CACHE_MS_MAX + ", is " + cacheMs);
        }
    }

    /** The figures, at most {@code OPERATOR_KAFKA_FIGURES_CACHE_MS} old. */
    public synchronized Figures figures() {
        if (last == null || System.nanoTime() - lastAtNanos >= TimeUnit.MILLISECONDS.toNanos(cacheMs)) {
            last = read();
            lastAtNanos = System.nanoTime();
        }
        return last;
    }

    private Figures read() {
        long now = System.currentTimeMillis();
        try {
            Figures figures = new Figures(now, lags(), deadLetters(), null);
            if (failing) {
                LOG.info("pipeline figures from Kafka available again");
                failing = false;
            }
            return figures;
        } catch (Exception e) {
            // Read every few seconds by PipelineGauges: one warning per outage, not one per period.
            if (!failing) {
                LOG.warnf("pipeline figures from Kafka unavailable (counted in pipeline_kafka_failures_total until they are back): %s",
                        e.toString());
                failing = true;
            }
            return new Figures(now, List.of(), List.of(), "Kafka did not answer within " + CALL_TIMEOUT.toMillis() + " ms: " + e.getMessage());
        }
    }

    private Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(AdminClientConfig.CLIENT_ID_CONFIG, "ingress-pipeline" + clientIdSuffix.orElse(""));
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
            admin = Admin.create(p);
        }
        return admin;
    }

    @SuppressWarnings("deprecation") // listConsumerGroups: kafka-clients 4.0's way (listGroups needs a newer broker API everywhere)
    private List<Lag> lags() throws Exception {
        long timeoutMs = CALL_TIMEOUT.toMillis();
        List<String> groups = new ArrayList<>();
        for (ConsumerGroupListing g : admin().listConsumerGroups().all().get(timeoutMs, TimeUnit.MILLISECONDS)) {
            if (groups.size() < GROUPS_MAX) {
                groups.add(g.groupId());
            }
        }
        groups.sort(null);
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new TreeMap<>();
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
            committed.put(group, offsets);
            offsets.keySet().forEach(tp -> ends.put(tp, OffsetSpec.latest()));
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = ends.isEmpty() ? Map.of()
                : admin().listOffsets(ends).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        List<Lag> lags = new ArrayList<>();
        committed.forEach((group, offsets) -> offsets.entrySet().stream()
                .filter(e -> e.getValue() != null && end.containsKey(e.getKey()))
                .sorted((a, b) -> a.getKey().topic().equals(b.getKey().topic()) ? Integer.compare(a.getKey().partition(), b.getKey().partition())
                        : a.getKey().topic().compareTo(b.getKey().topic()))
                .forEach(e -> {
                    long c = e.getValue().offset();
                    long last = end.get(e.getKey()).offset();
                    lags.add(new Lag(group, e.getKey().topic(), e.getKey().partition(), c, last, Math.max(0, last - c)));
                }));
        return lags;
    }

    private List<DeadLetters> deadLetters() throws Exception {
        long timeoutMs = CALL_TIMEOUT.toMillis();
        java.util.Set<String> topics = admin().listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
        List<String> present = DLQ_TOPICS.stream().filter(topics::contains).toList();
        Map<String, org.apache.kafka.clients.admin.TopicDescription> described = present.isEmpty() ? Map.of()
                : admin().describeTopics(present).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.values().forEach(d -> d.partitions().forEach(p -> {
            earliest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.earliest());
            latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
        }));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = earliest.isEmpty() ? Map.of()
                : admin().listOffsets(earliest).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = latest.isEmpty() ? Map.of()
                : admin().listOffsets(latest).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        List<DeadLetters> out = new ArrayList<>();
        for (String topic : DLQ_TOPICS) {
            long records = 0;
            Map<TopicPartition, Long> tails = new HashMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : end.entrySet()) {
                if (e.getKey().topic().equals(topic)) {
                    long first = start.get(e.getKey()).offset();
                    long n = e.getValue().offset() - first;
                    records += n;
                    if (n > 0) {
                        tails.put(e.getKey(), Math.max(first, e.getValue().offset() - REASONS_PER_DLQ_MAX));
                    }
                }
            }
            out.add(new DeadLetters(topic, records, tails.isEmpty() ? List.of() : reasons(tails, end)));
        }
        return out;
    }

    /** The {@code dlq.reason} of the last few records of each partition given, newest first, at most {@link #REASONS_PER_DLQ_MAX}. */
    private List<String> reasons(Map<TopicPartition, Long> from, Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end) {
        if (consumer == null) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ingress-pipeline-dlq" + clientIdSuffix.orElse(""));
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
            p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
            p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        consumer.assign(from.keySet());
        from.forEach(consumer::seek);
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && !caughtUp(from, end)) {
            consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        }
        consumer.assign(List.of());
        read.sort((a, b) -> Long.compare(b.timestamp(), a.timestamp()));
        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : read) {
            if (reasons.size() == REASONS_PER_DLQ_MAX) {
                break;
            }
            Header h = r.headers().lastHeader("dlq.reason");
            String reason = h == null ? "(no dlq.reason header)" : new String(h.value(), StandardCharsets.UTF_8);
            reasons.add(reason.length() <= REASON_CHARS_MAX ? reason : reason.substring(0, REASON_CHARS_MAX) + "…");
        }
        return reasons;
    }

    private boolean caughtUp(Map<TopicPartition, Long> from, Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end) {
        for (TopicPartition tp : from.keySet()) {
            if (consumer.position(tp, CALL_TIMEOUT) < end.get(tp).offset()) {
                return false;
            }
        }
        return true;
    }

    @PreDestroy
    synchronized void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(1));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
