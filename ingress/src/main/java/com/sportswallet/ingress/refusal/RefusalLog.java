package com.sportswallet.ingress.refusal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import javax.sql.DataSource;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The bounded log of refused callbacks (issue 17): endpoint, provider transaction id, player, bet, code
 * and message of every callback answered 400, so support can tell a provider why a bet was refused.
 *
 * <p>Written AFTER the refusal, outside the money transaction (which rolled back and wrote nothing), by
 * one writer thread: the refusal is queued ({@code REFUSAL_LOG_QUEUE_MAX} entries; a full queue drops
 * the entry and counts it, {@value #DROPPED_METRIC}: a refusal's answer never waits on this log), and
 * the writer inserts up to {@value #BATCH_SIZE_MAX} entries per statement, then deletes what lies past
 * the newest {@code REFUSAL_LOG_ROWS_MAX} rows. The money path never reads the table.
 */
@Singleton
public class RefusalLog {
    private static final Logger LOG = Logger.getLogger(RefusalLog.class);
    static final String DROPPED_METRIC = "callback.refusals.dropped";
    static final String WRITTEN_METRIC = "callback.refusals.logged";
    /** Entries per insert: one round trip for a burst of refusals. */
    static final int BATCH_SIZE_MAX = 500;
    /** How long the writer waits for an entry before it looks at the stop flag again. */
    static final long POLL_TIMEOUT_MS = 200;
    /** Stored lengths (the table's CHECKs): longer values are cut, never refused. */
    static final int ID_CHARS_MAX = 128;
    static final int MESSAGE_CHARS_MAX = 500;
    static final int ENDPOINT_CHARS_MAX = 64;
    static final int QUEUE_MAX_BOUND = 1_000_000;
    static final int ROWS_MAX_BOUND = 100_000_000;

    private static final String INSERT_SQL = "INSERT INTO callback_refusal (endpoint, provider_tx_id, player_id, bet_id, code, message)"
            + " SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[])";
    private static final String PRUNE_SQL = "DELETE FROM callback_refusal WHERE id <= (SELECT max(id) FROM callback_refusal) - ?";

    /** One refusal as logged. */
    public record Entry(String endpoint, String providerTxId, String playerId, String betId, int code, String message) {
    }

    @Inject
    DataSource dataSource;
    @Inject
    MeterRegistry registry;
    @ConfigProperty(name = "wallet.refusals.queue-max")
    int queueMax;
    @ConfigProperty(name = "wallet.refusals.rows-max")
    volatile long rowsMax;

    private BlockingQueue<Entry> queue;
    private Counter dropped;
    private Counter written;
    private volatile boolean stopping;
    private final AtomicLong batchesCommitted = new AtomicLong();
    private Thread writer;

    void start(@Observes StartupEvent start) {
        if (queueMax < 1 || queueMax > QUEUE_MAX_BOUND) {
            throw new IllegalStateException("REFUSAL_LOG_QUEUE_MAX must be in 1.." + QUEUE_MAX_BOUND + ", is " + queueMax);
        }
        if (rowsMax < 1 || rowsMax > ROWS_MAX_BOUND) {
            throw new IllegalStateException("REFUSAL_LOG_ROWS_MAX must be in 1.." + ROWS_MAX_BOUND + ", is " + rowsMax);
        }
        queue = new ArrayBlockingQueue<>(queueMax);
        dropped = registry.counter(DROPPED_METRIC);
        written = registry.counter(WRITTEN_METRIC);
        writer = new Thread(this::run, "refusal-log");
        writer.setDaemon(true);
        writer.start();
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        stopping = true;
        if (writer != null) {
            writer.join(2 * POLL_TIMEOUT_MS + 2_000);
        }
    }

    /** The writer's transactions committed so far (each one a batch of entries and its pruning): the log's own COMMITs. */
    public long batchesCommitted() {
        return batchesCommitted.get();
    }

    /** Queues a refusal of {@code endpoint} ({@code payload}: the verified claims, or null when the token was refused). */
    public void refused(String endpoint, ObjectNode payload, int code, String message) {
        Entry e = new Entry(cut(endpoint, ENDPOINT_CHARS_MAX), cut(transactionId(payload), ID_CHARS_MAX), cut(text(payload, "player_id", "ext_player_id"), ID_CHARS_MAX),
                cut(text(payload, "bet_transaction_id"), ID_CHARS_MAX), code, cut(message == null ? "" : message, MESSAGE_CHARS_MAX));
        if (queue == null || !queue.offer(e)) {
            dropped.increment();
        }
    }

    /** The provider's transaction id: transaction.id, or a discard's transaction_id. */
    public static String transactionId(ObjectNode payload) {
        if (payload == null) {
            return null;
        }
        JsonNode tx = payload.get("transaction");
        if (tx != null && tx.isObject() && tx.get("id") != null && tx.get("id").isValueNode()) {
            return tx.get("id").asText();
        }
        return text(payload, "transaction_id");
    }

    /** The first of {@code fields} the payload has as a value, as text (null: none, or no payload). */
    public static String text(ObjectNode payload, String... fields) {
        if (payload == null) {
            return null;
        }
        for (String field : fields) {
            JsonNode v = payload.get(field);
            if (v != null && v.isValueNode() && !v.isNull()) {
                return v.asText();
            }
        }
        return null;
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private void run() {
        List<Entry> batch = new ArrayList<>(BATCH_SIZE_MAX);
        while (!stopping || !queue.isEmpty()) {
            try {
                Entry first = queue.poll(POLL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH_SIZE_MAX - 1);
                write(batch);
                written.increment(batch.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException | RuntimeException e) {
                // The log is for support, not for money: a batch that cannot be written is dropped and counted.
                LOG.warnf("could not log %d refused callbacks: %s", batch.size(), e.toString());
                dropped.increment(batch.size());
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Entry> batch) throws SQLException {
        int n = batch.size();
        String[] endpoints = new String[n];
        String[] txIds = new String[n];
        String[] players = new String[n];
        String[] bets = new String[n];
        Integer[] codes = new Integer[n];
        String[] messages = new String[n];
        for (int i = 0; i < n; i++) {
            Entry e = batch.get(i);
            endpoints[i] = e.endpoint();
            txIds[i] = e.providerTxId();
            players[i] = e.playerId();
            bets[i] = e.betId();
            codes[i] = e.code();
            messages[i] = e.message();
        }
        try (Connection c = dataSource.getConnection()) {
            // One transaction: a reader never sees the batch without its pruning (more than REFUSAL_LOG_ROWS_MAX rows).
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(INSERT_SQL)) {
                ps.setArray(1, c.createArrayOf("text", endpoints));
                ps.setArray(2, c.createArrayOf("text", txIds));
                ps.setArray(3, c.createArrayOf("text", players));
                ps.setArray(4, c.createArrayOf("text", bets));
                ps.setArray(5, c.createArrayOf("int4", codes));
                ps.setArray(6, c.createArrayOf("text", messages));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(PRUNE_SQL)) {
                ps.setLong(1, rowsMax);
                ps.executeUpdate();
            }
            c.commit();
            batchesCommitted.incrementAndGet();
        }
    }
}
