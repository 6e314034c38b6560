package com.sportswallet.loadgen;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The machine-readable log (JSON Lines, the contract in docs/LOADGEN.md): a header line, then one
 * line per callback when its final outcome is known. Workers only enqueue outcomes (a bounded
 * queue: a worker waits only if the writer falls {@link #QUEUE_MAX} lines behind); one thread
 * serialises them and writes through a buffer, so logging does not add to the measured latency.
 */
final class CallbackLog implements AutoCloseable {
    static final int VERSION = 1;
    /** Outcomes waiting to be written, at most. */
    static final int QUEUE_MAX = 65_536;
    private static final int WRITE_BATCH_MAX = 1024;
    private static final int BUFFER_CHARS = 1 << 16;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tells the writer to stop. */
    private static final Delivery.Outcome END = new Delivery.Outcome(null, 0, null, 0, 0, null, false);

    private final BlockingQueue<Delivery.Outcome> queue;
    private final Thread writer;
    private final String currency;
    private final LongAdder lines = new LongAdder();
    private final LongAdder waits = new LongAdder();
    private volatile IOException failure;
    private boolean closed;

    private CallbackLog(Path file, String header, String currency) throws IOException {
        this.currency = currency;
        if (file == null) {
            queue = null;
            writer = null;
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), BUFFER_CHARS);
        out.write(header);
        out.write('\n');
        queue = new ArrayBlockingQueue<>(QUEUE_MAX);
        writer = new Thread(() -> drain(out), "callback-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** A log writing to {@code file} (null: none, outcomes are dropped), starting with {@code header}. */
    static CallbackLog open(Path file, String header, String currency) throws IOException {
        return new CallbackLog(file, header, currency);
    }

    void add(Delivery.Outcome outcome) {
        if (queue == null) {
            return;
        }
        if (!queue.offer(outcome)) {
            waits.increment();
            try {
                queue.put(outcome);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drain(Writer out) {
        List<Delivery.Outcome> batch = new ArrayList<>(WRITE_BATCH_MAX);
        try (out) {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch, WRITE_BATCH_MAX - 1);
                for (Delivery.Outcome o : batch) {
                    if (o == END) {
                        return;
                    }
                    if (failure == null) {
                        out.write(line(o, currency));
                        out.write('\n');
                        lines.increment();
                    }
                }
                batch.clear();
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued, flushes and closes the file; throws if writing failed. */
    @Override
    public synchronized void close() throws IOException {
        if (writer == null || closed) {
            return;
        }
        closed = true;
        try {
            queue.put(END);
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    long lines() {
        return lines.sum();
    }

    /** How often a worker had to wait for room in the queue (it should be 0). */
    long waits() {
        return waits.sum();
    }

    /** The header line: {"kind":"header","version":1,"startedAt",...,"players":[...],"options":{...}}. */
    static String header(LoadGenOptions o, List<String> players, Instant startedAt) {
        ObjectNode h = JSON.createObjectNode()
                .put("kind", "header")
                .put("version", VERSION)
                .put("startedAt", startedAt.toString())
                .put("url", o.url)
                .put("operatorId", o.operatorId)
                .put("currency", o.currency);
        players.forEach(h.putArray("players")::add);
        h.set("options", o.json());
        return h.toString();
    }

    /** One callback's line, fields in the contract's order. */
    static String line(Delivery.Outcome o, String currency) {
        FlowPlan.Call c = o.call();
        ObjectNode n = JSON.createObjectNode()
                .put("kind", "callback")
                .put("seq", c.seq)
                .put("endpoint", c.endpoint)
                .put("txId", c.txId)
                .put("betTxId", c.betTxId)
                .put("betId", c.betId)
                .put("parentTxId", c.parentTxId)
                .put("parentEndpoint", c.parentEndpoint)
                .put("playerId", c.playerId)
                .put("amount", c.amount)
                .put("currency", currency)
                .put("duplicate", c.duplicate())
                .put("resigned", o.resigned())
                .put("status", o.status())
                .put("code", o.code())
                .put("attempts", o.attempts())
                .put("latencyMs", Math.round(o.latencyMs() * 1000) / 1000.0);
        n.set("answer", answer(o.answer()));
        return n.toString();
    }

    /** The answer body as a JSON object, or null (no body, not JSON, not an object). */
    private static JsonNode answer(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
