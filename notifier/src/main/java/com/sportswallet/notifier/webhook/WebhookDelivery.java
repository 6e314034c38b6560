package com.sportswallet.notifier.webhook;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.TopicSettings;

/**
 * Optional delivery of {@code crm.events} to an HTTP endpoint: its own consumer group (default
 * {@code notifier-webhook}, read_committed), one POST per event (the CloudEvent JSON, content type
 * {@code application/cloudevents+json}, header {@code ce-id} = the event id), in partition order. A 2xx is delivered; 408, 429, 5xx,
 * I/O errors and timeouts are retried up to {@code maxAttempts} in all, with exponential backoff
 * ({@code backoffInitial} doubling up to {@code backoffMax}); another 4xx is permanent. An event
 * that cannot be delivered goes to {@code crm.webhook.dlq} (same key and value, headers
 * {@code dlq.reason}, {@code dlq.attempts}, {@code dlq.url}, {@code dlq.source}). So does, with
 * {@code dlq.attempts} 0 and no POST, a record that no attempt could deliver ({@link EventCheck}:
 * not one JSON object, no id, or an id that is no valid header value): it used to end the loop, and
 * its restarts, on the same record forever. Offsets are
 * committed only after each event is delivered or dead-lettered: at-least-once, so the receiver
 * dedupes by the CloudEvent id (stable; also in the {@code ce-id} header).
 *
 * <p><b>Never re-posts what it recorded as delivered.</b> Each {@code crm.events} record carries
 * the {@code wallet.events} offset of its fact ({@code sourceoffset}, {@code sourceindex}), and a
 * player's records rise in that order, in the first run and in every notifier rebuild. After each
 * event is delivered (or dead-lettered) the player's new high-water mark goes to a compacted topic
 * of the webhook's own ({@code crm.webhook.delivered}, key = player), before the offset commit;
 * the marks are loaded whenever partitions are assigned. A record at or below its player's mark
 * (the re-emission of a notifier rebuild, or a group moved back) is skipped. A crash between a
 * POST and its mark re-posts that one event once: that is the at-least-once the receiver drops by
 * id. A record without {@code sourceoffset} (written before it existed) is delivered as before.
 * A plain class (no Quarkus), so tests drive it directly.
 *
 * <p>An unexpected exception ends {@link #run()} (it used to be logged and the thread left dead):
 * {@link WebhookService} runs each delivery under a supervisor that starts a fresh one (a new
 * consumer, from the group's committed offsets) after a backoff and shows it in /q/health.
 */
public final class WebhookDelivery implements Runnable, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebhookDelivery.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration DLQ_SEND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_POLL_INTERVAL_MARGIN = Duration.ofSeconds(60);
    /** Reading the delivered marks at an assignment (one record per player that ever had a crm event). */
    private static final Duration MARKS_LOAD_TIMEOUT = Duration.ofSeconds(60);

    /**
     * @param maxAttempts  attempts per event in all (1 = no retry), 1..20
     * @param batchSizeMax events per poll, 1..500 (max.poll.interval.ms is derived from it and the worst case per event)
     * @param topicSettings the replication the delivered-marks topic is created with, when absent
     */
    public record Settings(String bootstrapServers, String topic, String groupId, URI url, int maxAttempts, Duration backoffInitial,
            Duration backoffMax, Duration requestTimeout, int batchSizeMax, String dlqTopic, String autoOffsetReset,
            String deliveredTopic, String clientIdPrefix, TopicSettings topicSettings) {
        /** The client ids are the group id's ({@code <group>-consumer}, {@code <group>-producer}); one replica, as on the tests' broker. */
        public Settings(String bootstrapServers, String topic, String groupId, URI url, int maxAttempts, Duration backoffInitial,
                Duration backoffMax, Duration requestTimeout, int batchSizeMax, String dlqTopic, String autoOffsetReset,
                String deliveredTopic) {
            this(bootstrapServers, topic, groupId, url, maxAttempts, backoffInitial, backoffMax, requestTimeout, batchSizeMax, dlqTopic,
                    autoOffsetReset, deliveredTopic, groupId, TopicSettings.defaults());
        }

        /** With {@link TopicSettings#defaults()}: one replica, as on the tests' single broker. */
        public Settings(String bootstrapServers, String topic, String groupId, URI url, int maxAttempts, Duration backoffInitial,
                Duration backoffMax, Duration requestTimeout, int batchSizeMax, String dlqTopic, String autoOffsetReset,
                String deliveredTopic, String clientIdPrefix) {
            this(bootstrapServers, topic, groupId, url, maxAttempts, backoffInitial, backoffMax, requestTimeout, batchSizeMax, dlqTopic,
                    autoOffsetReset, deliveredTopic, clientIdPrefix, TopicSettings.defaults());
        }

        public Settings {
            if (maxAttempts < 1 || maxAttempts > 20) {
                throw new IllegalArgumentException("webhook max attempts must be 1..20: " + maxAttempts);
            }
            if (batchSizeMax < 1 || batchSizeMax > 500) {
                throw new IllegalArgumentException("webhook batch size must be 1..500: " + batchSizeMax);
            }
        }

        /** The longest one event can take: every attempt timing out, plus every backoff. */
        Duration worstCasePerEvent() {
            Duration d = requestTimeout.multipliedBy(maxAttempts);
            for (int attempt = 1; attempt < maxAttempts; attempt++) {
                d = d.plus(backoffAfter(attempt));
            }
            return d;
        }

        Duration backoffAfter(int attempt) {
            long ms = backoffInitial.toMillis();
            for (int i = 1; i < attempt && ms < backoffMax.toMillis(); i++) {
                ms *= 2;
            }
            return Duration.ofMillis(Math.min(ms, backoffMax.toMillis()));
        }
    }

    private final Settings settings;
    private final HttpClient http;
    private final KafkaConsumer<String, String> consumer;
    private final KafkaProducer<String, String> producer;
    private final DeliveredMarks marks;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean running = true;
    private Thread thread;

    public WebhookDelivery(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        long maxPollIntervalMs = settings.worstCasePerEvent().multipliedBy(settings.batchSizeMax()).plus(MAX_POLL_INTERVAL_MARGIN).toMillis();
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, settings.groupId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, settings.autoOffsetReset(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.batchSizeMax(),
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, maxPollIntervalMs),
                ConsumerConfig.CLIENT_ID_CONFIG, settings.clientIdPrefix() + "-consumer"),
                new StringDeserializer(), new StringDeserializer());
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DLQ_SEND_TIMEOUT.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) DLQ_SEND_TIMEOUT.toMillis() / 2,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.CLIENT_ID_CONFIG, settings.clientIdPrefix() + "-producer"),
                new StringSerializer(), new StringSerializer());
        this.marks = new DeliveredMarks(settings.bootstrapServers(), settings.deliveredTopic(), settings.topicSettings(), producer,
                DLQ_SEND_TIMEOUT);
    }

    public synchronized void start() {
        thread = new Thread(this, "crm-webhook");
        thread.start();
    }

    public long delivered() {
        return delivered.get();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    /** Records at or below their player's delivered mark, not posted again. */
    public long skipped() {
        return skipped.get();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(settings.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // Another instance may have delivered for these players since we last looked.
                    marks.load(MARKS_LOAD_TIMEOUT);
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // Offsets are committed record by record: nothing pending to hand over.
                }
            });
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(POLL_TIMEOUT);
                for (TopicPartition tp : records.partitions()) {
                    for (ConsumerRecord<String, String> r : records.records(tp)) {
                        if (!running || !handle(r)) {
                            // Stopping, or the dead-letter send failed: this record is not done; read it again later.
                            consumer.seek(tp, r.offset());
                            break;
                        }
                        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)));
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e; // not asked by close(): the supervisor restarts the loop
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(CLOSE_TIMEOUT);
            producer.close(CLOSE_TIMEOUT);
        }
    }

    /**
     * Delivers or dead-letters one event and records its player's mark, or skips it when the mark
     * is already past it; false when none of that happened (a DLQ or mark send failed) or we are stopping.
     */
    private boolean handle(ConsumerRecord<String, String> r) throws InterruptedException {
        DeliveredMarks.Parsed event = DeliveredMarks.parse(r.value());
        DeliveredMarks.Position position = event.position();
        String player = r.key();
        if (position != null && player != null && marks.covers(player, position)) {
            skipped.incrementAndGet();
            return true;
        }
        if (!deliverOrDeadLetter(r, event)) {
            return false;
        }
        if (position != null && player != null && !marks.record(player, position)) {
            sleep(settings.backoffMax());
            return false;
        }
        return true;
    }

    private boolean deliverOrDeadLetter(ConsumerRecord<String, String> r, DeliveredMarks.Parsed event) throws InterruptedException {
        String undeliverable = EventCheck.whyUndeliverable(event);
        if (undeliverable != null) {
            return deadLetter(r, undeliverable, 0); // no attempt could succeed, and the request builder would throw
        }
        String failure = null;
        int attempt = 0;
        while (attempt < settings.maxAttempts()) {
            attempt++;
            Outcome o = post(r.value(), event.id());
            if (o.delivered()) {
                delivered.incrementAndGet();
                return true;
            }
            failure = o.reason();
            if (!o.retriable() || attempt >= settings.maxAttempts()) {
                break;
            }
            if (!sleep(settings.backoffAfter(attempt))) {
                return false;
            }
        }
        return deadLetter(r, failure, attempt);
    }

    /** One POST's result: delivered, or why not and whether another attempt may succeed. */
    private record Outcome(boolean delivered, boolean retriable, String reason) {
        static final Outcome DELIVERED = new Outcome(true, false, null);
    }

    /** Posts an event that passed {@link EventCheck}: a body and an id that is a valid header value. */
    private Outcome post(String body, String eventId) throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(settings.url())
                    .timeout(settings.requestTimeout())
                    .header("Content-Type", CloudEventJson.CONTENT_TYPE)
                    .header("ce-id", eventId)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                return Outcome.DELIVERED;
            }
            boolean retriable = status == 408 || status == 429 || status >= 500;
            return new Outcome(false, retriable, "http " + status);
        } catch (IOException e) {
            return new Outcome(false, true, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private boolean deadLetter(ConsumerRecord<String, String> r, String reason, int attempts) {
        ProducerRecord<String, String> dlq = new ProducerRecord<>(settings.dlqTopic(), r.key(), r.value());
        dlq.headers().add("dlq.reason", String.valueOf(reason).getBytes(StandardCharsets.UTF_8));
        dlq.headers().add("dlq.attempts", Integer.toString(attempts).getBytes(StandardCharsets.UTF_8));
        dlq.headers().add("dlq.url", settings.url().toString().getBytes(StandardCharsets.UTF_8));
        dlq.headers().add("dlq.source", (r.topic() + "-" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
        dlq.headers().add(CloudEventJson.CONTENT_TYPE_HEADER, CloudEventJson.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(dlq).get(DLQ_SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            deadLettered.incrementAndGet();
            if (attempts == 0) {
                LOG.warnf("crm event %s-%d@%d dead-lettered without a POST, it can never be delivered: %s", r.topic(), r.partition(),
                        r.offset(), reason);
            } else {
                LOG.warnf("crm event %s-%d@%d dead-lettered after %d attempts: %s", r.topic(), r.partition(), r.offset(), attempts, reason);
            }
            return true;
        } catch (Exception e) {
            LOG.errorf("dead-lettering %s-%d@%d failed (retried later): %s", r.topic(), r.partition(), r.offset(), e);
            sleep(settings.backoffMax());
            return false;
        }
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(settings.worstCasePerEvent().plus(CLOSE_TIMEOUT).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
