package com.sportswallet.outbox;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

import com.sportswallet.contracts.TopicSettings;
import com.sportswallet.contracts.Topics;

/**
 * What Kafka accepts per topic, known before a row is written: each topic's {@code max.message.bytes}
 * (read with the Admin API's describeConfigs, cached), capped by the relay producer's
 * {@code max.request.size} ({@code OUTBOX_MESSAGE_BYTES_MAX}), and whether the topic exists.
 *
 * <p>The writer ({@link Outbox#checkSize}) reads only the cache: a request never waits for Kafka; a
 * topic not described yet counts with the broker default {@value #BROKER_DEFAULT_MAX_MESSAGE_BYTES}.
 * The relay describes a topic when a row names one it does not know, and again when a row fails the
 * size check (an operator may have raised the topic's limit), and recreates a missing topic of the
 * pipeline ({@link Topics#ensure}). Without an Admin client (tests, tools) only the cache is used.
 */
public final class TopicLimits {
    private static final Logger LOG = Logger.getLogger(TopicLimits.class);

    /** Kafka's default {@code message.max.bytes} (1 MiB + the record batch overhead). */
    public static final int BROKER_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
    /** The producer's default {@code max.request.size}, and the default of {@code OUTBOX_MESSAGE_BYTES_MAX}. */
    public static final int REQUEST_BYTES_MAX_DEFAULT = 1_048_576;
    /** Bounds of {@code OUTBOX_MESSAGE_BYTES_MAX}. */
    public static final int REQUEST_BYTES_MAX_MIN = 1024;
    public static final int REQUEST_BYTES_MAX_MAX = 100 * 1024 * 1024;

    /** What is known of one topic. */
    public enum State {
        /** Described: it exists, {@link #limitBytes} holds its max.message.bytes. */
        EXISTS,
        /** The broker said it does not exist. */
        MISSING,
        /** Not described (yet), or the broker did not answer: the broker default is assumed. */
        UNKNOWN
    }

    private record Known(State state, int maxMessageBytes) {
    }

    private final Admin admin;
    private final Duration callTimeout;
    private final int requestBytesMax;
    private final TopicSettings topicSettings;
    private final Map<String, Known> topics = new ConcurrentHashMap<>();

    /**
     * @param admin              the client that describes and creates topics; null: cache only
     * @param callTimeout        the longest wait for one Admin call
     * @param requestBytesMax    the relay producer's max.request.size (OUTBOX_MESSAGE_BYTES_MAX)
     * @param topicSettings      how a pipeline topic the relay recreates is made (partitions, retention, replication)
     */
    public TopicLimits(Admin admin, Duration callTimeout, int requestBytesMax, TopicSettings topicSettings) {
        if (requestBytesMax < REQUEST_BYTES_MAX_MIN || requestBytesMax > REQUEST_BYTES_MAX_MAX) {
            throw new IllegalArgumentException("OUTBOX_MESSAGE_BYTES_MAX must be in " + REQUEST_BYTES_MAX_MIN + ".." + REQUEST_BYTES_MAX_MAX
                    + ": " + requestBytesMax);
        }
        this.admin = admin;
        this.callTimeout = callTimeout;
        this.requestBytesMax = requestBytesMax;
        this.topicSettings = topicSettings;
    }

    /** Cache only, Kafka's defaults: what a process that never described a topic assumes. */
    public static TopicLimits defaults() {
        return new TopicLimits(null, Duration.ofSeconds(10), REQUEST_BYTES_MAX_DEFAULT, TopicSettings.defaults());
    }

    public int requestBytesMax() {
        return requestBytesMax;
    }

    /** The largest record (key, value, headers and framing) {@code topic} accepts, from the cache. Never calls Kafka. */
    public int limitBytes(String topic) {
        Known k = topics.get(topic);
        int topicMax = k != null && k.state == State.EXISTS ? k.maxMessageBytes : BROKER_DEFAULT_MAX_MESSAGE_BYTES;
        return Math.min(topicMax, requestBytesMax);
    }

    /** What the cache holds about {@code topic}. Never calls Kafka. */
    public State state(String topic) {
        Known k = topics.get(topic);
        return k == null ? State.UNKNOWN : k.state;
    }

    /** Drops what is known of {@code topic}: the next {@link #describe} asks the broker again. */
    public void forget(String topic) {
        topics.remove(topic);
    }

    /**
     * Asks the broker for the topics' max.message.bytes (one describeConfigs call, bounded by the
     * call timeout) and caches the answers. A topic the broker does not know is {@link State#MISSING};
     * when the broker does not answer, what was cached stays.
     *
     * @return the state of each topic after the call
     */
    public Map<String, State> describe(Collection<String> names) {
        Map<String, State> result = new ConcurrentHashMap<>();
        if (admin == null) {
            names.forEach(n -> result.put(n, state(n)));
            return result;
        }
        List<ConfigResource> resources = names.stream().distinct().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, KafkaFuture<Config>> futures = admin.describeConfigs(resources).values();
        long deadlineNs = System.nanoTime() + callTimeout.toNanos();
        for (Map.Entry<ConfigResource, KafkaFuture<Config>> e : futures.entrySet()) {
            String name = e.getKey().name();
            try {
                Config config = e.getValue().get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
                ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                int max = entry == null || entry.value() == null ? BROKER_DEFAULT_MAX_MESSAGE_BYTES : Integer.parseInt(entry.value());
                topics.put(name, new Known(State.EXISTS, max));
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
                    topics.put(name, new Known(State.MISSING, 0));
                } else {
                    LOG.debugf("describing topic %s failed (kept what was known): %s", name, ex.getCause());
                }
            } catch (java.util.concurrent.TimeoutException ex) {
                LOG.debugf("describing topic %s took longer than %s (kept what was known)", name, callTimeout);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
            result.put(name, state(name));
        }
        return result;
    }

    /** {@link #describe} of one topic. */
    public State describe(String name) {
        return describe(List.of(name)).getOrDefault(name, state(name));
    }

    /** True for the topics the services create ({@link Topics#retentionMsByTopic}), which the relay recreates when missing. */
    public boolean isPipelineTopic(String topic) {
        return Topics.retentionMsByTopic(topicSettings.derivedRetentionMs()).containsKey(topic);
    }

    /**
     * Recreates the pipeline's missing topics ({@link Topics#ensure}, with their partitions,
     * retention and replication) when {@code topic} is one of them, then describes it again.
     *
     * @return the topic's state afterwards; {@link State#MISSING} for a topic that is not the pipeline's
     */
    public State recreateIfPipelineTopic(String topic) {
        if (admin == null || !isPipelineTopic(topic)) {
            return state(topic);
        }
        try {
            List<String> created = Topics.ensure(admin, topicSettings, callTimeout);
            if (!created.isEmpty()) {
                LOG.warnf("outbox relay recreated missing topics %s", created);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return state(topic);
        } catch (Exception e) {
            LOG.warnf("recreating topic %s failed (retried with the row): %s", topic, e.toString());
            return state(topic);
        }
        forget(topic);
        return describe(topic);
    }

    /** Loads the pipeline's topics, retrying until the broker answers; on its own daemon thread (a service never waits for Kafka). */
    public Thread loadInBackground(long retryIntervalMs) {
        Thread t = new Thread(() -> {
            List<String> names = List.copyOf(Topics.retentionMsByTopic(topicSettings.derivedRetentionMs()).keySet());
            while (!Thread.currentThread().isInterrupted()) {
                Map<String, State> states = describe(names);
                if (states.values().stream().noneMatch(s -> s == State.UNKNOWN)) {
                    LOG.debugf("topic limits loaded: %s", topics);
                    return;
                }
                try {
                    Thread.sleep(retryIntervalMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "outbox-topic-limits");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
