package com.sportswallet.outbox;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import javax.sql.DataSource;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;

/**
 * Moves committed outbox rows to Kafka. Shared by the ingress and the settlement-worker: both write
 * the same {@code outbox} table in the transaction that decides a fact, and any number of relays may
 * drain it at once, each key's rows published in id order (its decision order) by one relay at a time.
 *
 * <p><b>Shard ownership</b> (V11): every row belongs to one of {@code outbox_shards()} shards by its
 * key. A round first takes, in its own transaction, a transaction-level advisory lock on every shard
 * no other relay holds ({@code pg_try_advisory_xact_lock}: it never waits), then, in a later
 * statement (a snapshot taken after the locks, so it sees every row the shard's previous owner
 * deleted), claims only those shards' rows. The locks end with the round's commit or rollback, or
 * with the session: a relay that lost its database session cannot keep publishing a shard another
 * relay took over (what it had in flight is re-sent, with the same ids, as a crash would). A relay
 * that found a shard held tries again after {@link #CONTENDED_RETRY_MS}, not its poll interval, so
 * rows its own callers committed wait at most one round of the other relay. (Before: {@code FOR
 * UPDATE SKIP LOCKED} gave concurrent relays disjoint batches, published in whatever order their
 * rounds finished; a player's facts went backwards on Kafka.)
 *
 * <p>One round: claim up to {@code batchSizeMax} rows of the owned shards in id order (skipping
 * parked keys and keys waiting for a retry), send them (idempotent producer, acks=all), wait for the acknowledgements
 * (bounded by {@code sendTimeoutMs}), delete the rows Kafka acknowledged, commit. The claim takes the
 * live lane first, then at most {@link Config#bulkRowsPerRound()} rows of the bulk lane (V17: a mass
 * grant's rows, ids from 2^62), whatever the live lane holds, and at most
 * {@link Config#bulkRowsPerSecondMax()} bulk rows a second: a grant of 100,000 players holds back the
 * credits decided after it by one short round, not by the whole grant, and its records reach Kafka
 * about as fast as they are granted, not faster at the credits' expense. (With the bulk lane filling rounds
 * up to batchSizeMax, credit latency p99 during a 100k grant was 1,862 ms against 126 ms idle:
 * every round carried 500 grant records ahead of the next credit. The grant itself is granted at
 * a few hundred per second, far below what a quarter of a round per round publishes.) <b>Each partition
 * gets one batch per round</b> (the producer of {@link KafkaSettings#outboxProducer} holds a round's
 * records until its flush; the round sends for at most {@link KafkaSettings#outboxRoundSendWindowMs}
 * and at most {@link KafkaSettings#OUTBOX_BATCH_BYTES} per partition, the rest waits for the next
 * round): Kafka delivers or fails a batch as a whole, so what a round delivers of a key is always a
 * prefix of what it sent. (Before: a round slowed by a wait on a topic's metadata split a partition's
 * rows over two batches; the first expired while the broker was away, the second was delivered when
 * it came back, and the key's earlier rows reached Kafka after its later ones.) A crash after the
 * send and before the commit re-sends them, with the same event ids, which consumers drop as
 * duplicates. The relay is woken by {@link #wakeUp()}, which the service calls after each commit
 * that wrote outbox rows, and in any case every {@code pollIntervalMs} (rows written by another
 * process, or left by a relay that died). Not by PostgreSQL NOTIFY: a committing transaction that
 * notifies takes a database-wide lock, which serialised every commit of the hot path (see the V3
 * migration for the figures).
 *
 * <p><b>One row that cannot be sent does not stall the others.</b> Before a row is sent it is
 * checked against its topic ({@link TopicLimits}): a topic of the pipeline that went missing is
 * recreated; a row over the topic's {@code max.message.bytes}, or for a topic that does not exist
 * and is not the pipeline's, fails without being sent. Once a row of a key failed in a round, the
 * later rows of that key in the round are not sent (the key's order). A failed row counts one
 * attempt ({@code outbox.send_attempts}) unless the round was an outage (nothing acknowledged and
 * only retriable errors, such as a broker that is down: then nothing counts and the whole relay
 * backs off, as before); its key then waits {@code pollIntervalMs} doubling up to
 * {@code backoffMsMax} before its next try, while the other keys flow. After
 * {@code sendAttemptsMax} attempts the key is parked ({@link OutboxParking}): its rows, and any
 * written later, stay in the outbox untouched and unsent until an operator releases it, and a
 * {@code wallet.alert} ({@link SystemAlert#OUTBOX_PARKED}, key {@code _system}) is written in the
 * same transaction.
 *
 * <p>The relay holds locks only on outbox rows while it talks to Kafka, never on wallet, bet or
 * credit rows. Callers never wait for it: Kafka being down only makes the outbox grow.
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The {@code source} of the relay's own alerts. */
    public static final URI SOURCE = URI.create("/wallet/outbox");

    /**
     * @param batchSizeMax    rows claimed per round
     * @param pollIntervalMs  longest sleep between rounds when no notification arrives; also a
     *                        failing key's first wait before its next try
     * @param sendTimeoutMs   longest wait for a round's acknowledgements
     * @param backoffMsMax    longest pause after a failed round, and longest wait of a failing key
     *                        (both double from pollIntervalMs)
     * @param lingerMs        how long a woken relay waits before its round, so the commits that
     *                        follow the one that woke it share the round: under load the ingress
     *                        wakes the relay after every callback, and rounds of one or two rows
     *                        cost a claim, a delete and a commit each. Measured with MakeBench:
     *                        back-to-back rounds gave 457 makes/s closed loop and p99 73 ms at 300/s;
     *                        rounds batched by a poll gave 593/s and 48 ms. 0: no wait.
     * @param sendAttemptsMax failed sends of a row (each counted only while other rows go through)
     *                        before its key is parked (OUTBOX_SEND_ATTEMPTS_MAX)
     * @param bulkRowsPerSecondMax the bulk lane's publishing rate bound (OUTBOX_BULK_ROWS_PER_SECOND_MAX):
     *                        a 100,000-player grant's records need not reach Kafka faster than the
     *                        granting consumer grants (a few hundred a second here), and publishing
     *                        them flat out took the CPU the credits needed (credit latency p99 1,513 ms
     *                        during a 30,000-player grant against 159 ms idle, the slow credits all in
     *                        the seconds the bulk lane drained)
     */
    public record Config(int batchSizeMax, long pollIntervalMs, long sendTimeoutMs, long backoffMsMax, long lingerMs, int sendAttemptsMax,
            int bulkRowsPerSecondMax) {
        /** At most this linger: events must still reach Kafka well inside the credit latency goal (1 s). */
        public static final long LINGER_MS_MAX = 200;
        public static final int SEND_ATTEMPTS_MAX_DEFAULT = 10;
        public static final int SEND_ATTEMPTS_MAX_MAX = 1000;
        /** About three times what the granting consumer grants on the 2-core reference box, so it never waits for records. */
        public static final int BULK_ROWS_PER_SECOND_MAX_DEFAULT = 1000;
        public static final int BULK_ROWS_PER_SECOND_MAX_MAX = 1_000_000;

        public Config {
            if (batchSizeMax < 1 || batchSizeMax > 10_000) {
                throw new IllegalArgumentException("batchSizeMax must be in 1..10000: " + batchSizeMax);
            }
            if (pollIntervalMs < 1 || sendTimeoutMs < 1 || backoffMsMax < pollIntervalMs) {
                throw new IllegalArgumentException("bad relay timings");
            }
            if (lingerMs < 0 || lingerMs > LINGER_MS_MAX) {
                throw new IllegalArgumentException("lingerMs must be in 0.." + LINGER_MS_MAX + ": " + lingerMs);
            }
            if (sendAttemptsMax < 1 || sendAttemptsMax > SEND_ATTEMPTS_MAX_MAX) {
                throw new IllegalArgumentException("OUTBOX_SEND_ATTEMPTS_MAX must be in 1.." + SEND_ATTEMPTS_MAX_MAX + ": " + sendAttemptsMax);
            }
            if (bulkRowsPerSecondMax < 1 || bulkRowsPerSecondMax > BULK_ROWS_PER_SECOND_MAX_MAX) {
                throw new IllegalArgumentException("OUTBOX_BULK_ROWS_PER_SECOND_MAX must be in 1.." + BULK_ROWS_PER_SECOND_MAX_MAX + ": "
                        + bulkRowsPerSecondMax);
            }
        }

        public Config(int batchSizeMax, long pollIntervalMs, long sendTimeoutMs, long backoffMsMax, long lingerMs, int sendAttemptsMax) {
            this(batchSizeMax, pollIntervalMs, sendTimeoutMs, backoffMsMax, lingerMs, sendAttemptsMax, BULK_ROWS_PER_SECOND_MAX_DEFAULT);
        }

        public Config(int batchSizeMax, long pollIntervalMs, long sendTimeoutMs, long backoffMsMax, long lingerMs) {
            this(batchSizeMax, pollIntervalMs, sendTimeoutMs, backoffMsMax, lingerMs, SEND_ATTEMPTS_MAX_DEFAULT);
        }

        /** No linger: every wake-up starts a round at once. */
        public Config(int batchSizeMax, long pollIntervalMs, long sendTimeoutMs, long backoffMsMax) {
            this(batchSizeMax, pollIntervalMs, sendTimeoutMs, backoffMsMax, 0);
        }

        public static Config defaults() {
            return new Config(500, 500, 10_000, 5_000, 10, SEND_ATTEMPTS_MAX_DEFAULT, BULK_ROWS_PER_SECOND_MAX_DEFAULT);
        }

        /**
         * The bulk lane's rows per round (a quarter of {@code batchSizeMax}, and at most a second's
         * worth of {@code bulkRowsPerSecondMax}; at least 1), whatever the live lane holds: short rounds
         * keep the live lane's wait short while a grant drains. A round claims at most
         * {@code batchSizeMax + bulkRowsPerRound()} rows.
         */
        public int bulkRowsPerRound() {
            return Math.max(1, Math.min(batchSizeMax / 4, bulkRowsPerSecondMax));
        }

        /** After a round took {@code rows} bulk rows, the next bulk claim waits this long: the rate bound. */
        long bulkPauseNanos(int rows) {
            return rows * 1_000_000_000L / bulkRowsPerSecondMax;
        }

        /** The wait of a key after its {@code attempts}-th failed send: pollIntervalMs doubling, at most backoffMsMax. */
        long keyBackoffMs(int attempts) {
            long ms = pollIntervalMs;
            for (int i = 1; i < attempts && ms < backoffMsMax; i++) {
                ms *= 2;
            }
            return Math.min(ms, backoffMsMax);
        }
    }

    /** What the relay reports; the services bind it to Micrometer. */
    public interface Listener {
        void published(int count);

        /** A round failed as a whole (an outage, or the database): nothing counted, the relay backs off. */
        void failed(Exception cause);

        /** One row failed to send and counted an attempt. */
        default void rowFailed(long outboxId, String key, int attempts, String error) {
        }

        /** A key was parked (its row {@code outboxId} failed {@code attempts} times). */
        default void parked(String key, long outboxId, String error) {
        }

        Listener NONE = new Listener() {
            @Override
            public void published(int count) {
            }

            @Override
            public void failed(Exception cause) {
            }
        };
    }

    /** A whole round failed without a counted attempt: the broker is away (or the database). */
    static final class OutageException extends Exception {
        OutageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Takes every shard no other transaction holds; returns them and how many shards there are. A
     * statement of its own: the claim's snapshot must be taken after the locks are held.
     */
    private static final String OWN_SQL = "SELECT coalesce(array_agg(s ORDER BY s), '{}'::int[]), outbox_shards()"
            + " FROM generate_series(0, outbox_shards() - 1) s WHERE pg_try_advisory_xact_lock(?, s)";
    /**
     * The owned shards' rows of one lane in id order (V17: the live lane below
     * {@code outbox_bulk_lane_start()}, the bulk lane from it; both ranges of the primary key). FOR
     * UPDATE, without SKIP LOCKED: only an operator's release or listing touches them besides the
     * owner, briefly.
     */
    private static final String CLAIM_SQL = "SELECT o.id, o.topic, o.msg_key, o.event_id, o.payload, o.send_attempts FROM outbox o"
            + " WHERE o.shard = ANY(?) AND %s AND NOT EXISTS (SELECT 1 FROM outbox_parked p WHERE p.msg_key = o.msg_key)"
            + " AND o.msg_key <> ALL(?) ORDER BY o.id LIMIT ? FOR UPDATE OF o";
    /** {@code outbox_bulk_lane_start()} (V17): the first id of the bulk lane. */
    public static final long BULK_LANE_START = 1L << 62;
    private static final String CLAIM_LIVE_SQL = CLAIM_SQL.formatted("o.id < outbox_bulk_lane_start()");
    private static final String CLAIM_BULK_SQL = CLAIM_SQL.formatted("o.id >= outbox_bulk_lane_start()");
    /** The advisory lock class of shard ownership (its second key is the shard): "OBXR". */
    static final int SHARD_LOCK_CLASS = 0x4F42_5852;
    /**
     * The wait before the next round when another relay held a shard: about one round of that relay
     * (a claim, a send acknowledged by the broker, a delete and a commit take a few ms), so what this
     * relay's callers committed meanwhile is published soon. Costs one cheap statement per retry.
     */
    static final long CONTENDED_RETRY_MS = 10;
    private static final String DELETE_SQL = "DELETE FROM outbox WHERE id = ANY(?)";
    private static final String FAILED_SQL = "UPDATE outbox SET send_attempts = send_attempts + 1, last_error = ? WHERE id = ?";
    /** Keys remembered as waiting for their next try (each leaves when its row is sent or its key parked). */
    static final int RETRYING_KEYS_MAX = 10_000;

    private record Row(long id, String topic, String key, String eventId, String payload, int attempts) {
    }

    /** A row that did not go, why, and whether its attempt counts whatever the round's other rows did. */
    private record Failure(Row row, String error, boolean permanent) {
    }

    private final DataSource dataSource;
    private final Producer<String, String> producer;
    private final Config config;
    private final Listener listener;
    private final TopicLimits limits;
    private final AtomicLong publishedTotal = new AtomicLong();
    /** Keys whose last try failed, and when (System.nanoTime) they may be tried again. Only the relay's thread touches it. */
    private final Map<String, Long> retryAtNanos = new HashMap<>();
    private volatile boolean running;
    private Thread thread;
    // At most one pending wake-up: many commits during a round are served by the next round.
    private final Semaphore wake = new Semaphore(0);
    /** Whether the last round found a shard another relay held. Only the relay's thread touches it. */
    private boolean contended;
    /** Whether the last round left sendable rows for the next one (its send window or a partition's batch was full). */
    private boolean leftForNextRound;
    /** Whether the last bulk claim took a full share of the bulk lane (more may wait: a round goes when the rate allows). */
    private boolean bulkLaneFull;
    /** When (nanoClock) the bulk lane may be claimed again: the last bulk claim's rows at bulkRowsPerSecondMax. */
    private long bulkClaimAtNanos;
    private final LongSupplier nanoClock;

    /**
     * @param producer made from {@link KafkaSettings#outboxProducer} with {@code config}'s send timeout:
     *                 the per-key order across failed sends rests on its linger and batch size
     */
    public OutboxRelay(DataSource dataSource, Producer<String, String> producer, Config config, Listener listener) {
        this(dataSource, producer, config, listener, Outbox.limits());
    }

    public OutboxRelay(DataSource dataSource, Producer<String, String> producer, Config config, Listener listener, TopicLimits limits) {
        this(dataSource, producer, config, listener, limits, System::nanoTime);
    }

    /** {@code nanoClock}: System.nanoTime, or a test's clock for the bulk lane's rate bound. */
    OutboxRelay(DataSource dataSource, Producer<String, String> producer, Config config, Listener listener, TopicLimits limits,
            LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.bulkClaimAtNanos = nanoClock.getAsLong();
        this.dataSource = dataSource;
        this.producer = producer;
        this.config = config;
        this.listener = listener == null ? Listener.NONE : listener;
        this.limits = limits == null ? TopicLimits.defaults() : limits;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks for a round now (cheap, never blocks): called after a commit that wrote outbox rows. */
    public void wakeUp() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    /**
     * True while the relay's thread runs (a liveness check): the loop retries every exception of its
     * own, so only an Error ends it, and nothing restarts it.
     */
    public boolean alive() {
        Thread t = thread;
        return running && t != null && t.isAlive();
    }

    /** Total rows this relay has published since it started. */
    public long publishedTotal() {
        return publishedTotal.get();
    }

    private void loop() {
        long backoffMs = config.pollIntervalMs();
        while (running) {
            try {
                int sent = drainOnce();
                backoffMs = config.pollIntervalMs();
                boolean more = sent >= config.batchSizeMax() || leftForNextRound;
                if (!more && awaitWakeUp(nextWaitMs()) && config.lingerMs() > 0) {
                    sleep(config.lingerMs());
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                listener.failed(e);
                LOG.warnf("outbox relay round failed (retrying in %d ms): %s", backoffMs, e.toString());
                sleep(backoffMs);
                backoffMs = Math.min(config.backoffMsMax(), backoffMs * 2);
            }
        }
    }

    /** Until the next poll: the poll interval, or sooner when a failing key's wait ends first or another relay held a shard. */
    private long nextWaitMs() {
        long now = System.nanoTime();
        long wait = contended ? Math.min(CONTENDED_RETRY_MS, config.pollIntervalMs()) : config.pollIntervalMs();
        if (bulkLaneFull) {
            // More bulk rows wait: the next round when the rate bound allows their claim, not after a poll interval.
            wait = Math.min(wait, Math.max(1, TimeUnit.NANOSECONDS.toMillis(bulkClaimAtNanos - nanoClock.getAsLong())));
        }
        for (long at : retryAtNanos.values()) {
            wait = Math.min(wait, Math.max(1, TimeUnit.NANOSECONDS.toMillis(at - now)));
        }
        return wait;
    }

    /**
     * One round: claim, check, send, await acknowledgements, delete what was acknowledged, count the
     * failed rows' attempts and park the keys that ran out of them, commit.
     *
     * @return the number of rows published
     * @throws OutageException when nothing went through and every failure was retriable (nothing was counted)
     */
    public int drainOnce() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Row> rows = claim(c);
                if (rows.isEmpty()) {
                    c.rollback();
                    return 0;
                }
                leftForNextRound = false;
                List<Failure> failures = new ArrayList<>();
                List<Row> sentRows = new ArrayList<>();
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                Set<String> blockedKeys = new HashSet<>();
                Set<String> describedThisRound = new HashSet<>();
                Set<String> unreachableTopics = new HashSet<>();
                RoundBatches batches = new RoundBatches();
                long sendWindowNs = TimeUnit.MILLISECONDS.toNanos(KafkaSettings.outboxRoundSendWindowMs(config.sendTimeoutMs()));
                long sendingSinceNs = 0; // the round's first send: no batch of it exists before
                for (Row row : rows) {
                    if (blockedKeys.contains(row.key())) {
                        continue; // an earlier row of its key did not go: this one waits behind it, untouched
                    }
                    if (unreachableTopics.contains(row.topic())) {
                        blockedKeys.add(row.key()); // its topic's metadata did not come this round: next round, uncounted
                        continue;
                    }
                    Failure refusal = refusal(row, describedThisRound);
                    if (refusal != null) {
                        failures.add(refusal);
                        blockedKeys.add(row.key());
                        continue;
                    }
                    int partition;
                    try {
                        partition = partitionOf(row);
                    } catch (KafkaException e) {
                        // Its topic's metadata did not come within max.block.ms: the other rows of the topic would wait as long.
                        failures.add(sendFailure(row, e));
                        blockedKeys.add(row.key());
                        unreachableTopics.add(row.topic());
                        continue;
                    }
                    if (!acks.isEmpty() && System.nanoTime() - sendingSinceNs > sendWindowNs) {
                        // The round's batches may soon leave on their own (the producer's linger): a row sent now could
                        // start a second batch of a partition. This row and every later one wait for the next round.
                        leftForNextRound = true;
                        break;
                    }
                    if (!batches.admit(row.topic(), partition, Outbox.recordBytes(row.key(), row.payload()))) {
                        blockedKeys.add(row.key()); // its partition's batch is full: next round, uncounted
                        leftForNextRound = true;
                        continue;
                    }
                    if (acks.isEmpty()) {
                        sendingSinceNs = System.nanoTime();
                    }
                    ProducerRecord<String, String> record = new ProducerRecord<>(row.topic(), partition, row.key(), row.payload());
                    record.headers().add(CloudEventJson.CONTENT_TYPE_HEADER, CloudEventJson.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
                    acks.add(producer.send(record));
                    sentRows.add(row);
                }
                if (!acks.isEmpty()) {
                    producer.flush();
                }
                List<Long> delivered = new ArrayList<>();
                long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.sendTimeoutMs());
                for (int i = 0; i < acks.size(); i++) {
                    Row row = sentRows.get(i);
                    try {
                        acks.get(i).get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
                        delivered.add(row.id());
                    } catch (ExecutionException e) {
                        failures.add(sendFailure(row, e.getCause()));
                    } catch (TimeoutException e) {
                        failures.add(new Failure(row, "not acknowledged within " + config.sendTimeoutMs() + " ms", false));
                    }
                }
                // Nothing went through and a send failed for a reason that may pass (the broker away): a failure
                // that is not the row's own counts nothing now, and the relay backs off as a whole.
                boolean outage = delivered.isEmpty() && failures.stream().anyMatch(f -> !f.permanent());
                List<Failure> counted = outage ? failures.stream().filter(Failure::permanent).toList() : failures;
                if (!delivered.isEmpty()) {
                    try (PreparedStatement delete = c.prepareStatement(DELETE_SQL)) {
                        Array idArray = c.createArrayOf("bigint", delivered.toArray());
                        delete.setArray(1, idArray);
                        delete.executeUpdate();
                    }
                }
                List<Failure> parked = countAttempts(c, counted);
                c.commit();
                afterCommit(rows, counted, parked);
                publishedTotal.addAndGet(delivered.size());
                if (!delivered.isEmpty()) {
                    listener.published(delivered.size());
                }
                if (outage) {
                    Failure first = failures.stream().filter(f -> !f.permanent()).findFirst().orElseThrow();
                    throw new OutageException("no row acknowledged (" + failures.size() + " failed, first: " + first.error() + ")", null);
                }
                return delivered.size();
            } catch (Exception e) {
                safeRollback(c);
                throw e;
            }
        }
    }

    private List<Row> claim(Connection c) throws SQLException {
        List<Row> rows = new ArrayList<>();
        Object[] owned;
        try (PreparedStatement own = c.prepareStatement(OWN_SQL)) {
            own.setInt(1, SHARD_LOCK_CLASS);
            try (ResultSet rs = own.executeQuery()) {
                rs.next();
                owned = (Object[]) rs.getArray(1).getArray();
                contended = owned.length < rs.getInt(2);
            }
        }
        if (owned.length == 0) {
            return rows;
        }
        Array shards = c.createArrayOf("integer", owned);
        Array waiting = c.createArrayOf("text", waitingKeys().toArray());
        claimLane(c, CLAIM_LIVE_SQL, shards, waiting, config.batchSizeMax(), rows);
        int live = rows.size();
        long now = nanoClock.getAsLong();
        if (now - bulkClaimAtNanos >= 0) {
            claimLane(c, CLAIM_BULK_SQL, shards, waiting, config.bulkRowsPerRound(), rows);
            int bulk = rows.size() - live;
            bulkLaneFull = bulk == config.bulkRowsPerRound();
            bulkClaimAtNanos = now + config.bulkPauseNanos(bulk);
        }
        return rows;
    }

    private static void claimLane(Connection c, String sql, Array shards, Array waiting, int limit, List<Row> rows) throws SQLException {
        try (PreparedStatement claim = c.prepareStatement(sql)) {
            claim.setArray(1, shards);
            claim.setArray(2, waiting);
            claim.setInt(3, limit);
            try (ResultSet rs = claim.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6)));
                }
            }
        }
    }

    /** Keys still waiting for their next try (those whose wait is over are forgotten: they are claimed again). */
    private List<String> waitingKeys() {
        long now = System.nanoTime();
        List<String> waiting = new ArrayList<>();
        for (Iterator<Map.Entry<String, Long>> it = retryAtNanos.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Long> e = it.next();
            if (e.getValue() - now > 0) {
                waiting.add(e.getKey());
            } else {
                it.remove();
            }
        }
        return waiting;
    }

    /**
     * Why {@code row} cannot be sent now, or null when it may go: its topic missing (a topic of the
     * pipeline is recreated first; a topic that is not the pipeline's is the row's own fault) or the
     * row larger than the topic accepts. What is known of the topic is asked again at most once per
     * round and topic before a refusal: an operator may have created it or raised its limit.
     */
    private Failure refusal(Row row, Set<String> describedThisRound) {
        String topic = row.topic();
        TopicLimits.State state = limits.state(topic);
        if (state != TopicLimits.State.EXISTS && describedThisRound.add(topic)) {
            state = limits.describe(topic);
        }
        if (state == TopicLimits.State.MISSING) {
            if (limits.isPipelineTopic(topic)) {
                state = limits.recreateIfPipelineTopic(topic);
                if (state != TopicLimits.State.EXISTS) {
                    return new Failure(row, "topic " + topic + " is missing and could not be recreated yet", false);
                }
            } else {
                return new Failure(row, "topic " + topic + " does not exist (not a topic of the pipeline: not recreated)", true);
            }
        }
        long bytes = Outbox.recordBytes(row.key(), row.payload());
        if (bytes > limits.limitBytes(topic) && describedThisRound.add(topic)) {
            limits.describe(topic);
        }
        int limit = limits.limitBytes(topic);
        if (bytes > limit) {
            return new Failure(row, "record of " + bytes + " bytes over the " + limit + " that " + topic
                    + " accepts (max.message.bytes, max.request.size)", true);
        }
        return null;
    }

    /**
     * The partition Kafka's default partitioner gives the row's key (murmur2 of the key bytes over
     * the topic's partitions), from the producer's metadata: the relay names it on the record, so
     * the bytes it counts per partition are the bytes each batch gets.
     *
     * @throws KafkaException when the topic's metadata does not come within max.block.ms
     */
    private int partitionOf(Row row) {
        int partitions = producer.partitionsFor(row.topic()).size();
        return BuiltInPartitioner.partitionForKey(row.key().getBytes(StandardCharsets.UTF_8), partitions);
    }

    /**
     * The batches a round fills, one per partition: each at most {@link KafkaSettings#OUTBOX_BATCH_BYTES}
     * (a partition's first row always goes, alone when it is larger), and their buffers together at
     * most half the producer's {@link KafkaSettings#OUTBOX_BUFFER_BYTES}, so a send never waits for memory.
     */
    static final class RoundBatches {
        static final long BATCH_ROOM_BYTES = KafkaSettings.OUTBOX_BATCH_BYTES - KafkaSettings.BATCH_HEADER_BYTES;
        static final long RESERVED_BYTES_MAX = KafkaSettings.OUTBOX_BUFFER_BYTES / 2;
        private final Map<String, Long> bytesByPartition = new HashMap<>();
        private long reservedBytes;

        /** @return true when a record of {@code bytes} joins its partition's batch; false when it must wait for another round */
        boolean admit(String topic, int partition, long bytes) {
            String tp = topic + "-" + partition;
            Long used = bytesByPartition.get(tp);
            if (used == null) {
                long reserve = Math.max(KafkaSettings.OUTBOX_BATCH_BYTES, bytes + KafkaSettings.BATCH_HEADER_BYTES);
                if (reservedBytes > 0 && reservedBytes + reserve > RESERVED_BYTES_MAX) {
                    return false;
                }
                reservedBytes += reserve;
                bytesByPartition.put(tp, bytes);
                return true;
            }
            if (used + bytes > BATCH_ROOM_BYTES) {
                return false;
            }
            bytesByPartition.put(tp, used + bytes);
            return true;
        }
    }

    private static boolean isMetadataTimeout(Throwable t) {
        return String.valueOf(t.getMessage()).contains("metadata");
    }

    /** A send that Kafka failed: permanent unless Kafka says it may succeed on a retry. */
    private Failure sendFailure(Row row, Throwable cause) {
        String error = cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (cause instanceof RecordTooLargeException || cause instanceof UnknownTopicOrPartitionException
                || (cause instanceof org.apache.kafka.common.errors.TimeoutException && isMetadataTimeout(cause))) {
            // What the relay knew of the topic was wrong (deleted, or its limit lowered): ask again next time.
            limits.forget(row.topic());
        }
        return new Failure(row, error, !(cause instanceof RetriableException));
    }

    /**
     * Counts one attempt on each failed row (the round had a row acknowledged, or the failure is
     * the row's own), and parks the keys whose row ran out of attempts, each with its alert.
     *
     * @return the failures that parked their key
     */
    private List<Failure> countAttempts(Connection c, List<Failure> failures) throws SQLException {
        List<Failure> parked = new ArrayList<>();
        if (failures.isEmpty()) {
            return parked;
        }
        try (PreparedStatement ps = c.prepareStatement(FAILED_SQL)) {
            for (Failure f : failures) {
                ps.setString(1, SystemAlert.cut(f.error()));
                ps.setLong(2, f.row().id());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        Instant now = Instant.now();
        for (Failure f : failures) {
            Row row = f.row();
            int attempts = row.attempts() + 1;
            if (attempts >= config.sendAttemptsMax()
                    && OutboxParking.park(c, row.key(), row.id(), row.topic(), row.eventId(), attempts, SystemAlert.cut(f.error()))) {
                ObjectNode data = SystemAlert.data(SystemAlert.SYSTEM_KEY, SystemAlert.OUTBOX_PARKED, now)
                        .put("parked_key", SystemAlert.cut(row.key()))
                        .put("topic", row.topic())
                        .put("outbox_id", row.id())
                        .put("event_id", row.eventId())
                        .put("attempts", attempts)
                        .put("error", SystemAlert.cut(f.error()));
                // One alert per parking, under _system (never behind the parked key): the key, the row and the time name it.
                try {
                    SystemAlert.append(c, SOURCE, data, now, SystemAlert.OUTBOX_PARKED, row.key(), Long.toString(row.id()), now.toString());
                } catch (Outbox.EventTooLargeException e) {
                    LOG.errorf("the alert for parked key %s does not fit wallet.events (%s): logged and counted only", row.key(),
                            e.getMessage());
                }
                parked.add(f);
            }
        }
        return parked;
    }

    private void afterCommit(List<Row> rows, List<Failure> failures, List<Failure> parked) {
        for (Row row : rows) {
            retryAtNanos.remove(row.key());
        }
        Set<String> parkedKeys = new HashSet<>();
        for (Failure f : parked) {
            parkedKeys.add(f.row().key());
            LOG.errorf("outbox key %s parked: its row %d (%s, event %s) failed %d sends, last: %s. Its rows wait until an operator"
                    + " releases it (scripts/outbox release KEY)", f.row().key(), f.row().id(), f.row().topic(), f.row().eventId(),
                    f.row().attempts() + 1, f.error());
            listener.parked(f.row().key(), f.row().id(), f.error());
        }
        long now = System.nanoTime();
        for (Failure f : failures) {
            Row row = f.row();
            int attempts = row.attempts() + 1;
            listener.rowFailed(row.id(), row.key(), attempts, f.error());
            if (parkedKeys.contains(row.key())) {
                continue;
            }
            long waitMs = config.keyBackoffMs(attempts);
            LOG.warnf("outbox row %d (key %s, %s) failed send %d of %d, its key waits %d ms: %s", row.id(), row.key(), row.topic(), attempts,
                    config.sendAttemptsMax(), waitMs, f.error());
            if (retryAtNanos.size() < RETRYING_KEYS_MAX || retryAtNanos.containsKey(row.key())) {
                retryAtNanos.put(row.key(), now + TimeUnit.MILLISECONDS.toNanos(waitMs));
            }
        }
    }

    /** @return true when woken by {@link #wakeUp()}, false when the timeout passed (or interrupted) */
    private boolean awaitWakeUp(long timeoutMs) {
        try {
            if (wake.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS)) {
                wake.drainPermits();
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private static void safeRollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the server rolls the transaction back when it goes.
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(config.sendTimeoutMs() + config.pollIntervalMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
