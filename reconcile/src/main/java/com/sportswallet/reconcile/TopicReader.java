package com.sportswallet.reconcile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic once, bounded: a plain consumer without a group (assign + seekToBeginning,
 * nothing committed, no consumer group touched), up to the end offsets captured when the read
 * starts. Records produced later are not read.
 */
final class TopicReader {
    /** A read that makes no progress this long fails (the broker went away). */
    static final Duration STALL_MAX = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(500);

    @FunctionalInterface
    interface RecordHandler {
        void record(ConsumerRecord<String, String> record);
    }

    private TopicReader() {
    }

    /**
     * Hands every record of {@code topic} (offset 0, or the log start, up to the end offsets of
     * now) to {@code handler}, partition by partition in offset order.
     *
     * @return the number of records read (0 for a topic that does not exist)
     */
    static long readAll(String bootstrapServers, String topic, RecordHandler handler) throws ReconcileException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "reconcile-" + topic);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                return 0;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // Partitions already read up to their end offset (or empty) are done.
            Map<TopicPartition, Long> remaining = new HashMap<>();
            for (TopicPartition tp : partitions) {
                if (consumer.position(tp) < end.get(tp)) {
                    remaining.put(tp, end.get(tp));
                }
            }
            long count = 0;
            long lastProgress = System.nanoTime();
            while (!remaining.isEmpty()) {
                int before = remaining.size();
                long read = 0;
                for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    Long stop = remaining.get(tp);
                    if (stop == null || r.offset() >= stop) {
                        continue;
                    }
                    handler.record(r);
                    count++;
                    read++;
                }
                for (TopicPartition tp : new ArrayList<>(remaining.keySet())) {
                    if (consumer.position(tp) >= remaining.get(tp)) {
                        remaining.remove(tp);
                        consumer.pause(List.of(tp));
                    }
                }
                if (read > 0 || remaining.size() < before) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL_MAX.toNanos()) {
                    throw new ReconcileException("reading " + topic + " made no progress for " + STALL_MAX.toSeconds() + " s; still to read: "
                            + remaining);
                }
            }
            return count;
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new ReconcileException("could not read " + topic + " from " + bootstrapServers + ": " + e, e);
        }
    }
}
