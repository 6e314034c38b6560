package com.sportswallet.worker.settlement;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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

import com.sportswallet.contracts.CreditCommand;
import com.sportswallet.contracts.Topics;
import com.sportswallet.money.CreditBatch;

/**
 * The settlement-worker's core, a plain class (Quarkus only wires and starts it; tests run
 * several in one JVM): consumes {@code settlement.commands} in group {@code settlement-worker}
 * and applies each poll's credits in bounded batches, ONE database transaction per batch
 * ({@link CreditBatch}), committing the Kafka offsets only after the database commit. A crash
 * anywhere re-delivers the uncommitted records, which the PENDING -> APPLIED flip makes harmless.
 *
 * <p>Transient failures (database down, lock, statement or transaction timeout, deadlock) pause
 * the partitions and retry the same batch with bounded backoff for as long as it takes: valid
 * money is never skipped. Only poison (unparseable, unknown type, no credit row, a body that
 * disagrees with its row) goes to {@code settlement.commands.dlq}, with the reason in headers, and
 * each such record gets a {@code wallet.alert} ({@link DeadLetterAlert}: under its key, or
 * {@code _system} without one), written to the outbox in the batch's transaction and counted
 * ({@link Listener#deadLettered}) once the DLQ acknowledged it.
 *
 * <p>An exception that escapes {@link #run()} (anything but the transient failures above, which it
 * retries itself) ends it; the service runs each consumer under a supervisor that starts a fresh
 * one with backoff and shows it in the health checks (SupervisedLoop).
 *
 * <p>No polled record is ever dropped. Records polled and not yet applied are kept
 * ({@code unprocessed}) until their batch commits. While backing off, the consumer polls its paused
 * assignment to stay in the group; a rebalance during that poll may revoke partitions (their kept
 * records are dropped from the retry and never committed: the new owner re-reads them from the
 * committed offset) and assign others, which are paused at once; should such a poll still return
 * records, each of their partitions is sought back to its first returned offset and paused, so the
 * next poll after the backoff returns them again. Offsets are only committed for partitions this
 * consumer still owns.
 */
public final class SettlementConsumer implements Runnable, AutoCloseable {
    public static final String GROUP_ID = "settlement-worker";
    private static final Logger LOG = Logger.getLogger(SettlementConsumer.class);

    /**
     * @param batchSizeMax        commands per database transaction (upper bound)
     * @param transactionMsTarget the batch transaction's time budget: slower batches halve the
     *                            next batch size, fast ones double it back up to batchSizeMax
     * @param pollTimeoutMs       longest wait in one poll
     * @param backoffMsMin        first pause after a transient failure (doubles)
     * @param backoffMsMax        longest pause between retries
     * @param dlqSendTimeoutMs    longest wait for the dead-letter topic's acknowledgement
     * @param commandsTopic       {@code settlement.commands} (another name only for isolated tests)
     * @param groupId             {@code settlement-worker} (likewise)
     */
    public record Config(int batchSizeMax, long transactionMsTarget, long pollTimeoutMs, long backoffMsMin, long backoffMsMax,
            long dlqSendTimeoutMs, String commandsTopic, String groupId) {
        public Config {
            if (batchSizeMax < 1 || batchSizeMax > 10_000 || transactionMsTarget < 1 || pollTimeoutMs < 1 || backoffMsMin < 1
                    || backoffMsMax < backoffMsMin || dlqSendTimeoutMs < 1) {
                throw new IllegalArgumentException("bad settlement consumer config: " + this);
            }
        }

        public static Config defaults() {
            return new Config(500, 200, 500, 100, 10_000, 10_000, Topics.SETTLEMENT_COMMANDS, GROUP_ID);
        }
    }

    /** What the consumer reports; the service binds it to Micrometer. */
    public interface Listener {
        /** The Kafka consumer was made (once per instance, a restart makes a new one): for its own metrics. */
        default void clientCreated(org.apache.kafka.clients.consumer.Consumer<?, ?> client) {
        }

        default void batchCommitted(int commands, CreditBatch.Result result, long transactionNanos) {
        }

        default void retrying(Exception cause, long backoffMs) {
        }

        default void deadLettered(int count) {
        }
    }

    /**
     * Test hook, called at the named points of each batch. Throwing an {@link Error} there
     * simulates a crash: it is not retried, the transaction is not committed (before) or the
     * offsets are not (after), and the consumer stops (the service's supervisor then starts a
     * fresh one, as after any exception that escapes {@link #run()}).
     */
    public interface CrashPoints {
        default void beforeDatabaseCommit() {
        }

        default void afterDatabaseCommit() {
        }
    }

    private final DataSource dataSource;
    private final KafkaConsumer<String, String> consumer;
    private final Producer<String, String> dlqProducer;
    private final Config config;
    private final Listener listener;
    private final CrashPoints crashPoints;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private int batchSize;
    /** Records polled and not applied yet, in poll order; only this consumer's thread touches it (rebalance callbacks run inside poll). */
    private final List<ConsumerRecord<String, String>> unprocessed = new ArrayList<>();
    /** True while a failed batch waits to be retried: partitions assigned meanwhile are paused too. */
    private boolean backingOff;
    /**
     * The partitions this consumer owns as of its last rebalance (possibly none: more members than
     * partitions); null until it joined its group, after it lost its membership, and once it stopped.
     */
    private volatile Set<TopicPartition> owned;

    public SettlementConsumer(DataSource dataSource, Properties kafka, Producer<String, String> dlqProducer, Config config,
            Listener listener, CrashPoints crashPoints) {
        this.dataSource = dataSource;
        this.dlqProducer = dlqProducer;
        this.config = config;
        this.listener = listener == null ? new Listener() {
        } : listener;
        this.crashPoints = crashPoints == null ? new CrashPoints() {
        } : crashPoints;
        this.batchSize = config.batchSizeMax();
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchSizeMax());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.listener.clientCreated(consumer);
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(config.commandsTopic()), new Rebalance());
            while (running.get()) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(config.pollTimeoutMs()));
                records.forEach(unprocessed::add);
                while (!unprocessed.isEmpty() && running.get()) {
                    processWithRetry();
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } finally {
            owned = null;
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * The number of partitions this consumer owns as of its last rebalance (0 is a member with
     * nothing to do), or -1 while it is not a member of its group (not joined yet, membership lost,
     * stopped): the worker's readiness.
     */
    public int ownedPartitions() {
        Set<TopicPartition> o = owned;
        return o == null ? -1 : o.size();
    }

    /**
     * Applies the first batch of {@link #unprocessed} until it succeeds (then removes it), pausing on
     * transient failures. A rebalance during the backoff may shrink the batch (revoked partitions) or
     * empty it; then the loop returns and the next poll reads from where each partition stands.
     */
    private void processWithRetry() {
        long backoffMs = config.backoffMsMin();
        while (running.get() && !unprocessed.isEmpty()) {
            List<ConsumerRecord<String, String>> batch = new ArrayList<>(unprocessed.subList(0, Math.min(batchSize, unprocessed.size())));
            try {
                process(batch);
                Set<ConsumerRecord<String, String>> done = Collections.newSetFromMap(new IdentityHashMap<>());
                done.addAll(batch);
                unprocessed.removeIf(done::contains);
                endBackoff();
                return;
            } catch (WakeupException e) {
                throw e;
            } catch (Exception e) {
                // Database away, a timeout, a deadlock, the DLQ not acknowledging, even a broken
                // invariant: retry the same batch, counted and logged, for as long as it takes.
                // Valid money is never skipped; a stuck batch shows as a growing retry count and lag.
                listener.retrying(e, backoffMs);
                LOG.warnf("settlement batch failed, retrying in %d ms (nothing applied, nothing skipped): %s", backoffMs, e.toString());
                backingOff = true;
                consumer.pause(consumer.assignment());
                pauseFor(backoffMs);
                backoffMs = Math.min(config.backoffMsMax(), backoffMs * 2);
            }
        }
        endBackoff();
    }

    private void endBackoff() {
        backingOff = false;
        if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    /**
     * Sleeps while polling the paused consumer, so the group does not evict this member. A poll
     * returns nothing while every assigned partition is paused; after a rebalance, a partition may
     * come back unpaused (the {@link Rebalance} listener pauses it, this is the second guard): what
     * such a poll returns is not dropped, its partition is sought back to the first returned
     * offset and paused. Ends early when a rebalance took every kept record away.
     */
    private void pauseFor(long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (running.get() && System.nanoTime() < deadline && !unprocessed.isEmpty()) {
            ConsumerRecords<String, String> polled = consumer.poll(Duration.ofMillis(Math.min(100, ms)));
            if (!polled.isEmpty()) {
                for (TopicPartition tp : polled.partitions()) {
                    long first = polled.records(tp).get(0).offset();
                    consumer.seek(tp, first);
                    LOG.infof("backing off: %s came back unpaused, sought back to %d (re-read after the backoff)", tp, first);
                }
                consumer.pause(polled.partitions());
            }
        }
    }

    /**
     * Keeps the records held for a retry in step with the assignment: records of a revoked or lost
     * partition are dropped from {@link #unprocessed} (never applied or committed here; the new
     * owner, possibly this consumer again, re-reads them from the committed offset), and partitions
     * assigned while a batch waits for its retry are paused until it succeeds.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
            Set<TopicPartition> still = new HashSet<>(consumer.assignment());
            still.removeAll(partitions);
            owned = Set.copyOf(still);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
            owned = null;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            owned = Set.copyOf(consumer.assignment());
            if (backingOff && !partitions.isEmpty()) {
                consumer.pause(partitions);
            }
        }

        private void forget(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || unprocessed.isEmpty()) {
                return;
            }
            Set<TopicPartition> gone = new HashSet<>(partitions);
            int before = unprocessed.size();
            unprocessed.removeIf(r -> gone.contains(new TopicPartition(r.topic(), r.partition())));
            if (unprocessed.size() != before) {
                LOG.infof("rebalance: %d held records of %s released unapplied (the partition's owner re-reads them from the committed offset)",
                        before - unprocessed.size(), gone);
            }
        }
    }

    private void process(List<ConsumerRecord<String, String>> batch) throws SQLException {
        List<CreditCommand> commands = new ArrayList<>(batch.size());
        List<CreditBatch.Poison> poison = new ArrayList<>();
        Map<CreditCommand, ConsumerRecord<String, String>> source = new HashMap<>();
        List<ConsumerRecord<String, String>> unparseable = new ArrayList<>();
        List<String> unparseableReasons = new ArrayList<>();
        for (ConsumerRecord<String, String> r : batch) {
            try {
                CreditCommand cmd = CreditCommand.parse(r.value());
                commands.add(cmd);
                source.putIfAbsent(cmd, r);
            } catch (CreditCommand.PoisonException e) {
                unparseable.add(r);
                unparseableReasons.add(e.getMessage());
            }
        }
        CreditBatch.Result result = null;
        long started = System.nanoTime();
        if (!commands.isEmpty() || !unparseable.isEmpty()) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    if (!commands.isEmpty()) {
                        result = CreditBatch.apply(c, commands);
                    }
                    // Every record this batch dead-letters gets its wallet.alert, committed with the batch's decisions.
                    for (int i = 0; i < unparseable.size(); i++) {
                        DeadLetterAlert.append(c, unparseable.get(i), unparseableReasons.get(i));
                    }
                    if (result != null) {
                        for (CreditBatch.Poison p : result.poison()) {
                            DeadLetterAlert.append(c, source.get(p.command()), p.reason());
                        }
                    }
                    crashPoints.beforeDatabaseCommit();
                    c.commit();
                } catch (Throwable e) {
                    // An Error too: a pooled connection handed back with its transaction open is committed by
                    // the pool's autocommit reset (Agroal, pgjdbc), so a crash before the commit must roll back here.
                    rollbackQuietly(c);
                    throw e;
                }
            }
            crashPoints.afterDatabaseCommit();
            if (result != null) {
                poison.addAll(result.poison());
            }
        }
        long transactionNanos = System.nanoTime() - started;
        adaptBatchSize(transactionNanos);

        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < unparseable.size(); i++) {
            acks.add(deadLetter(unparseable.get(i), unparseableReasons.get(i)));
        }
        for (CreditBatch.Poison p : poison) {
            acks.add(deadLetter(source.get(p.command()), p.reason()));
        }
        awaitAcks(acks);
        if (!acks.isEmpty()) {
            listener.deadLettered(acks.size());
        }
        commitOffsets(batch);
        if (result != null) {
            listener.batchCommitted(commands.size(), result, transactionNanos);
        }
    }

    private void adaptBatchSize(long transactionNanos) {
        long transactionMs = TimeUnit.NANOSECONDS.toMillis(transactionNanos);
        if (transactionMs > config.transactionMsTarget()) {
            batchSize = Math.max(1, batchSize / 2);
        } else if (transactionMs < config.transactionMsTarget() / 4) {
            batchSize = Math.min(config.batchSizeMax(), batchSize * 2);
        }
    }

    private Future<RecordMetadata> deadLetter(ConsumerRecord<String, String> r, String reason) {
        LOG.warnf("dead-lettering %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), reason);
        ProducerRecord<String, String> dlq = new ProducerRecord<>(Topics.SETTLEMENT_COMMANDS_DLQ, r.key(), r.value());
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
                // Not acknowledged: the offsets stay uncommitted and the batch is retried (the DB part is idempotent).
                throw new IllegalStateException("dead-letter send not acknowledged: " + e, e);
            }
        }
    }

    private void commitOffsets(List<ConsumerRecord<String, String>> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, String> r : batch) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        // Only partitions this consumer still owns: another owner's position is its own business.
        offsets.keySet().retainAll(consumer.assignment());
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
        } catch (org.apache.kafka.clients.consumer.CommitFailedException
                | org.apache.kafka.common.errors.RebalanceInProgressException e) {
            // The partitions moved to another member, which re-reads from the last committed offset:
            // the credits already flipped are skipped there. Nothing is lost or doubled.
            LOG.infof("offset commit lost to a rebalance (harmless, re-delivery is idempotent): %s", e.toString());
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is gone; the server rolls back on its own.
        }
    }

    /** The consumer's lag metric (records behind, max over partitions), or NaN before assignment. */
    public double lagMax() {
        return consumer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("records-lag-max") && e.getKey().tags().size() == 1)
                .map(e -> (Object) e.getValue().metricValue())
                .filter(v -> v instanceof Double)
                .mapToDouble(v -> (Double) v)
                .findFirst().orElse(Double.NaN);
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
