package com.sportswallet.reconcile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic once, bounded: a plain consumer without a group (assign + seek, nothing committed,
 * no consumer group touched), up to the end offsets captured when the read starts. Records
 * produced later are not read, so a read never waits for a producer that keeps writing.
 */
final class TopicReader {
    /** A read that makes no progress this long fails (the broker went away). */
    static final Duration STALL_MAX = Duration.ofSeconds(60);
    /** The longest a single poll waits for records: bounds how late a stalled read notices it. */
    static final long POLL_TIMEOUT_MS = 500;
    /** Bounds the metadata, end-offset and position calls, each of which may wait for the broker. */
    private static final int API_TIMEOUT_MS = 30_000;
    private static final int POLL_RECORDS_MAX = 5000;

    @FunctionalInterface
    interface RecordHandler {
        void record(ConsumerRecord<String, String> record);
    }

    /** A handler that may give up the read (a check whose state cannot go on). */
    @FunctionalInterface
    interface BytesHandler {
        void record(ConsumerRecord<byte[], byte[]> record) throws ReconcileException;
    }

    /**
     * Where a read went, per partition: {@code from}, the first offset it read (the log start when
     * asked for an earlier one), and {@code end}, the end offset captured when it started, which is
     * the next offset a later read starts from.
     */
    record Span(Map<Integer, Long> from, Map<Integer, Long> end, long records) {
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
        return read(bootstrapServers, topic, StringDeserializer.class, Map.of(), () -> {
        }, handler::record).records();
    }

    /**
     * Hands every record of {@code topic} from {@code from} (per partition; a partition it does not
     * name, or names below its log start, from the log start) up to the end offsets of now to
     * {@code handler}, key and value as the bytes on the broker, partition by partition in offset
     * order. {@code endCaptured} runs once the end offsets are known and before the first record:
     * whatever it loads knows at least every record the read will see.
     *
     * @throws ReconcileException when {@code from} names an offset beyond a partition's end (a
     *                            position in another topic, or in one that was recreated), or a
     *                            partition the topic does not have
     */
    static Span readBytes(String bootstrapServers, String topic, Map<Integer, Long> from, Step endCaptured, BytesHandler handler)
            throws ReconcileException {
        return read(bootstrapServers, topic, ByteArrayDeserializer.class, from, endCaptured, handler::record);
    }

    /** Work done between capturing the end offsets and reading the first record. */
    @FunctionalInterface
    interface Step {
        void run() throws ReconcileException;
    }

    @FunctionalInterface
    private interface Handler<V> {
        void record(ConsumerRecord<V, V> record) throws ReconcileException;
    }

    private static <V> Span read(String bootstrapServers, String topic, Class<? extends Deserializer<V>> deserializer,
            Map<Integer, Long> from, Step endCaptured, Handler<V> handler) throws ReconcileException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "reconcile-" + topic);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // A seek below the log start must read from the start, never jump to the end and skip records unseen.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, POLL_RECORDS_MAX);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, API_TIMEOUT_MS);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, deserializer.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, deserializer.getName());
        try (KafkaConsumer<V, V> consumer = new KafkaConsumer<>(p)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofMillis(API_TIMEOUT_MS));
            if (infos == null || infos.isEmpty()) {
                if (!from.isEmpty()) {
                    throw new ReconcileException("topic " + topic + " does not exist, but a read from offsets " + new TreeMap<>(from)
                            + " was asked");
                }
                endCaptured.run();
                return new Span(Map.of(), Map.of(), 0);
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            for (Integer asked : from.keySet()) {
                if (infos.stream().noneMatch(i -> i.partition() == asked)) {
                    throw new ReconcileException("topic " + topic + " has no partition " + asked + " to read from offset "
                            + from.get(asked));
                }
            }
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
            consumer.assign(partitions);
            Map<Integer, Long> first = new TreeMap<>();
            Map<Integer, Long> ends = new TreeMap<>();
            for (TopicPartition tp : partitions) {
                long at = Math.max(start.get(tp), from.getOrDefault(tp.partition(), 0L));
                if (at > end.get(tp)) {
                    throw new ReconcileException("topic " + topic + " partition " + tp.partition() + " ends at offset " + end.get(tp)
                            + ", but a read from offset " + at + " was asked (a position in another topic, or in one since recreated)");
                }
                consumer.seek(tp, at);
                first.put(tp.partition(), at);
                ends.put(tp.partition(), end.get(tp));
            }
            endCaptured.run();
            // Partitions already read up to their end offset (or empty) are done.
            Map<TopicPartition, Long> remaining = new HashMap<>();
            for (TopicPartition tp : partitions) {
                if (consumer.position(tp) < end.get(tp)) {
                    remaining.put(tp, end.get(tp));
                } else {
                    consumer.pause(List.of(tp));
                }
            }
            long count = 0;
            long lastProgress = System.nanoTime();
            while (!remaining.isEmpty()) {
                int before = remaining.size();
                long read = 0;
                for (ConsumerRecord<V, V> r : consumer.poll(Duration.ofMillis(POLL_TIMEOUT_MS))) {
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
            return new Span(first, ends, count);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new ReconcileException("could not read " + topic + " from " + bootstrapServers + ": " + e, e);
        }
    }
}
