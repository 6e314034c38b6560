package com.sportswallet.worker.bonus;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import com.sportswallet.contracts.BonusGrantCommand;
import com.sportswallet.contracts.CreditCommand;
import com.sportswallet.contracts.Topics;
import com.sportswallet.money.BonusChunks;
import com.sportswallet.worker.settlement.DeadLetterAlert;

/**
 * The granting consumer (issue 14): reads {@code bonus.grants} in its own group
 * ({@code bonus-granter}), on its own thread and database pool, so a 100,000-player grant never
 * delays a settlement credit. Per poll: the records' players still PENDING, by grant, go through the
 * {@link Granter} (a chunk recorded, the provider called outside any transaction, the bonuses
 * recorded); then the poison records (unparseable, or naming no recorded player) go to
 * {@code bonus.grants.dlq} with the reason in headers, each with its {@code wallet.alert}
 * ({@link DeadLetterAlert}, {@code dlq_topic} bonus.grants.dlq); then the offsets are committed. A record
 * whose player is already chunked, granted or rejected does nothing: the database is the truth,
 * the record the trigger.
 *
 * <p>A failure (the database, the provider away, the DLQ not acknowledging) pauses the partitions
 * and retries the poll's records with bounded backoff for as long as it takes (a chunk whose call
 * failed stays CALLING and is the re-drive's, {@link GrantRedriver}); an exception that escapes
 * {@link #run()} ends it, and the service's SupervisedLoop starts a fresh one.
 */
public final class GrantConsumer implements Runnable, AutoCloseable {
    public static final String GROUP_ID = "bonus-granter";
    /**
     * A fetch waits for this much (or {@link #FETCH_MAX_WAIT_MS}): while a grant's records stream in,
     * polls are full (about 700 records of ~350 bytes), so its chunks are near the provider's 1,000
     * players and a 100,000-player grant is about a hundred calls, not one per trickle of records.
     */
    static final int FETCH_MIN_BYTES = 256 * 1024;
    static final int FETCH_MAX_WAIT_MS = 500;
    private static final Logger LOG = Logger.getLogger(GrantConsumer.class);

    /**
     * @param pollRecordsMax   records per poll (max.poll.records): a poll's players of one grant share chunks
     * @param pollTimeoutMs    longest wait in one poll
     * @param backoffMsMin     first pause after a failure (doubles)
     * @param backoffMsMax     longest pause between retries
     * @param dlqSendTimeoutMs longest wait for bonus.grants.dlq's acknowledgement
     * @param topic            {@code bonus.grants} (another name only for isolated tests)
     * @param groupId          {@code bonus-granter} (likewise)
     */
    public record Config(int pollRecordsMax, long pollTimeoutMs, long backoffMsMin, long backoffMsMax, long dlqSendTimeoutMs, String topic,
            String groupId) {
        public Config {
            if (pollRecordsMax < 1 || pollRecordsMax > 10_000 || pollTimeoutMs < 1 || backoffMsMin < 1 || backoffMsMax < backoffMsMin
                    || dlqSendTimeoutMs < 1) {
                throw new IllegalArgumentException("bad granting consumer config: " + this);
            }
        }
    }

    /** What the consumer reports; the service binds it to Micrometer. */
    public interface Listener {
        /** The Kafka consumer was made (once per instance, a restart makes a new one): for its own metrics. */
        default void clientCreated(org.apache.kafka.clients.consumer.Consumer<?, ?> client) {
        }

        default void retrying(Exception cause, long backoffMs) {
        }

        default void deadLettered(int count) {
        }
    }

    private final DataSource dataSource;
    private final Granter granter;
    private final KafkaConsumer<String, String> consumer;
    private final Producer<String, String> dlqProducer;
    private final Config config;
    private final Listener listener;
    private final AtomicBoolean running = new AtomicBoolean(true);

    public GrantConsumer(DataSource dataSource, Granter granter, Properties kafka, Producer<String, String> dlqProducer, Config config,
            Listener listener) {
        this.dataSource = dataSource;
        this.granter = granter;
        this.dlqProducer = dlqProducer;
        this.config = config;
        this.listener = listener == null ? new Listener() {
        } : listener;
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.pollRecordsMax());
        p.putIfAbsent(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.listener.clientCreated(consumer);
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(config.topic()));
            while (running.get()) {
                ConsumerRecords<String, String> polled = consumer.poll(Duration.ofMillis(config.pollTimeoutMs()));
                if (!polled.isEmpty()) {
                    List<ConsumerRecord<String, String>> records = new ArrayList<>(polled.count());
                    polled.forEach(records::add);
                    processWithRetry(records);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void processWithRetry(List<ConsumerRecord<String, String>> records) throws InterruptedException {
        long backoffMs = config.backoffMsMin();
        while (running.get()) {
            try {
                process(records);
                if (!consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
                return;
            } catch (WakeupException | InterruptedException e) {
                throw e;
            } catch (Exception e) {
                // The database, the provider away (its chunk stays CALLING for the re-drive), the DLQ: the
                // same records again after the pause; what was done is not done twice (the database says so).
                listener.retrying(e, backoffMs);
                LOG.warnf("bonus grant batch of %d records failed, retrying in %d ms: %s", records.size(), backoffMs, e.toString());
                consumer.pause(consumer.assignment());
                pauseFor(backoffMs);
                backoffMs = Math.min(config.backoffMsMax(), backoffMs * 2);
            }
        }
    }

    /** Sleeps while polling the paused consumer (it stays in its group); what a poll returns after a rebalance is sought back. */
    private void pauseFor(long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (running.get() && System.nanoTime() < deadline) {
            ConsumerRecords<String, String> polled = consumer.poll(Duration.ofMillis(Math.min(100, ms)));
            if (!polled.isEmpty()) {
                for (TopicPartition tp : polled.partitions()) {
                    consumer.seek(tp, polled.records(tp).get(0).offset());
                }
                consumer.pause(polled.partitions());
            }
        }
    }

    private void process(List<ConsumerRecord<String, String>> records) throws Exception {
        List<ConsumerRecord<String, String>> poison = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Map<BonusChunks.Named, ConsumerRecord<String, String>> named = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            try {
                BonusGrantCommand cmd = BonusGrantCommand.parse(r.value());
                named.putIfAbsent(new BonusChunks.Named(cmd.requestId(), cmd.playerId()), r);
            } catch (CreditCommand.PoisonException e) {
                poison.add(r);
                reasons.add(e.getMessage());
            }
        }
        Map<String, List<String>> pendingByGrant = new LinkedHashMap<>();
        if (!named.isEmpty()) {
            Map<BonusChunks.Named, String> states;
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                states = BonusChunks.lookup(c, new ArrayList<>(named.keySet()));
            }
            for (Map.Entry<BonusChunks.Named, ConsumerRecord<String, String>> e : named.entrySet()) {
                String state = states.get(e.getKey());
                if (state == null) {
                    poison.add(e.getValue());
                    reasons.add("no recorded player " + e.getKey().playerId() + " in grant " + e.getKey().requestId());
                } else if (state.equals("PENDING")) {
                    pendingByGrant.computeIfAbsent(e.getKey().requestId(), k -> new ArrayList<>()).add(e.getKey().playerId());
                }
            }
        }
        for (Map.Entry<String, List<String>> grant : pendingByGrant.entrySet()) {
            granter.grantPending(grant.getKey(), grant.getValue());
        }
        if (!poison.isEmpty()) {
            // Each record dead-lettered gets its wallet.alert (DESIGN.md), committed before the DLQ send: a retry
            // after a failed send writes the same alert again, which consumers drop by its id.
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    for (int i = 0; i < poison.size(); i++) {
                        DeadLetterAlert.append(c, poison.get(i), reasons.get(i), Topics.BONUS_GRANTS_DLQ);
                    }
                    c.commit();
                } catch (Throwable e) {
                    c.rollback();
                    throw e;
                }
            }
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < poison.size(); i++) {
            acks.add(deadLetter(poison.get(i), reasons.get(i)));
        }
        awaitAcks(acks);
        if (!acks.isEmpty()) {
            listener.deadLettered(acks.size());
        }
        commitOffsets(records);
    }

    private Future<RecordMetadata> deadLetter(ConsumerRecord<String, String> r, String reason) {
        LOG.warnf("dead-lettering %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), reason);
        ProducerRecord<String, String> dlq = new ProducerRecord<>(Topics.BONUS_GRANTS_DLQ, r.key(), r.value());
        dlq.headers().add("dlq.reason", reason.getBytes(StandardCharsets.UTF_8));
        dlq.headers().add("dlq.source", (r.topic() + "-" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
        return dlqProducer.send(dlq);
    }

    private void awaitAcks(List<Future<RecordMetadata>> acks) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.dlqSendTimeoutMs());
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("dead-letter send not acknowledged: " + e, e);
            }
        }
    }

    private void commitOffsets(List<ConsumerRecord<String, String>> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        offsets.keySet().retainAll(consumer.assignment());
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
        } catch (org.apache.kafka.clients.consumer.CommitFailedException
                | org.apache.kafka.common.errors.RebalanceInProgressException e) {
            // The partitions moved: their new owner re-reads the records and finds the players taken care of.
            LOG.infof("offset commit lost to a rebalance (harmless, re-delivery is idempotent): %s", e.toString());
        }
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
