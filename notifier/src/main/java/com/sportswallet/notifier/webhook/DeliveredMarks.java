package com.sportswallet.notifier.webhook;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.TopicSettings;
import com.sportswallet.contracts.Topics;
import com.sportswallet.notifier.streams.Outputs;

/**
 * The webhook's memory of what it delivered: per player, the highest (sourceoffset, sourceindex)
 * of a {@code crm.events} record it delivered or dead-lettered. Kept in a compacted topic of its
 * own (key = player, value {@code "<sourceoffset>:<sourceindex>"}), which a notifier rebuild never
 * resets, and mirrored in memory (one entry per player that ever had a crm event).
 */
final class DeliveredMarks {
    private static final Logger LOG = Logger.getLogger(DeliveredMarks.class);
    private static final JsonFactory JSON = CloudEventJson.mapper().getFactory();
    private static final Duration POLL = Duration.ofMillis(200);

    /** Where a crm event's fact sits in wallet.events. Ordered by (offset, index). */
    record Position(long offset, int index) {
        boolean notAfter(Position other) {
            return offset < other.offset || (offset == other.offset && index <= other.index);
        }

        String text() {
            return offset + ":" + index;
        }

        static Position parseMark(String text) {
            int colon = text == null ? -1 : text.indexOf(':');
            if (colon < 1) {
                return null;
            }
            try {
                return new Position(Long.parseLong(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /**
     * What the webhook reads of a crm event: its CloudEvent id, and the position it names (null
     * for an event written before sourceoffset existed). {@code malformed} says why the record is
     * not one JSON object (null when it is): such a record can never be posted as a CloudEvent, and
     * the webhook dead-letters it instead of sending it.
     */
    record Parsed(String id, Position position, String malformed) {
        static Parsed malformed(String why) {
            return new Parsed(null, null, why);
        }
    }

    private final String bootstrapServers;
    private final String topic;
    private final TopicSettings topicSettings;
    private final KafkaProducer<String, String> producer;
    private final Duration sendTimeout;
    private final Map<String, Position> marks = new ConcurrentHashMap<>();

    DeliveredMarks(String bootstrapServers, String topic, TopicSettings topicSettings, KafkaProducer<String, String> producer,
            Duration sendTimeout) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.topicSettings = topicSettings;
        this.producer = producer;
        this.sendTimeout = sendTimeout;
    }

    /** True when the player's mark is at or past {@code p}: it was delivered before. */
    boolean covers(String player, Position p) {
        Position mark = marks.get(player);
        return mark != null && p.notAfter(mark);
    }

    /** Records {@code p} as the player's mark (durably, before the caller commits its offset); false if the send failed. */
    boolean record(String player, Position p) {
        try {
            producer.send(new ProducerRecord<>(topic, player, p.text())).get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
            marks.put(player, p);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.errorf("recording the delivered mark %s of player %s failed (the event is retried): %s", p.text(), player, e);
            return false;
        }
    }

    /** Reads the whole marks topic (creating it, compacted, when absent) and replaces the in-memory marks. */
    void load(Duration timeout) {
        ensureTopic(timeout);
        Map<String, Position> loaded = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic, timeout).forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = c.endOffsets(parts, timeout);
            while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " took longer than " + timeout);
                }
                for (ConsumerRecord<String, String> r : c.poll(POLL)) {
                    Position p = Position.parseMark(r.value());
                    if (r.key() != null && p != null) {
                        loaded.merge(r.key(), p, (a, b) -> b.notAfter(a) ? a : b);
                    }
                }
            }
        }
        marks.clear();
        marks.putAll(loaded);
        LOG.infof("crm webhook: delivered marks of %d players loaded from %s", loaded.size(), topic);
    }

    /**
     * Creates the marks topic when absent: compacted, kept forever, with the partitions and replicas {@link TopicSettings}
     * gives every topic, as {@code Topics.ensure} creates it (whichever of the two runs first, the topic is the same).
     */
    private void ensureTopic(Duration timeout) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            if (admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
                return;
            }
            Topics.create(admin, List.of(topicSettings.newTopic(topic, topicSettings.partitions(), Topics.configs(Topics.CRM_WEBHOOK_DELIVERED, "-1"))), timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException("creating " + topic + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating " + topic + " took longer than " + timeout, e);
        }
    }

    /**
     * Top-level id, sourceoffset (string or number) and sourceindex of a CloudEvent in structured JSON, in one pass
     * that reads the whole value, so that what is not exactly one JSON object is known as such.
     */
    static Parsed parse(String json) {
        if (json == null) {
            return Parsed.malformed("no value");
        }
        String id = null;
        Long offset = null;
        int index = 0;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Parsed.malformed("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> id = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case Outputs.SOURCE_OFFSET -> {
                        if (t == JsonToken.VALUE_NUMBER_INT) {
                            offset = p.getLongValue();
                        } else if (t == JsonToken.VALUE_STRING) {
                            try {
                                offset = Long.parseLong(p.getText());
                            } catch (NumberFormatException e) {
                                offset = null;
                            }
                        }
                    }
                    case Outputs.SOURCE_INDEX -> index = t == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : 0;
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                return Parsed.malformed("more than one JSON value");
            }
        } catch (JsonProcessingException e) {
            return Parsed.malformed("not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            return Parsed.malformed("not JSON (" + e.getMessage() + ")");
        }
        return new Parsed(id, offset == null ? null : new Position(offset, index), null);
    }
}
