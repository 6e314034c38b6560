package com.sportswallet.outbox;

import java.util.Properties;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producer settings for the relay: idempotent, acks=all, every wait bounded. */
public final class KafkaSettings {
    /** The linger of the producers that send one record and wait for it (the dead-letter producers). */
    static final int LINGER_MS = 2;
    /**
     * The outbox relay producer's {@code batch.size}: the most record bytes a round sends to one
     * partition (a round sends each partition one batch, see {@link #outboxProducer}). About 200
     * events of 1 KiB; a larger row goes alone, in a batch of its own size.
     */
    public static final int OUTBOX_BATCH_BYTES = 256 * 1024;
    /**
     * The outbox relay producer's {@code buffer.memory}: every partition a round sends to takes a
     * batch buffer of {@link #OUTBOX_BATCH_BYTES} (or its one larger row) until the round's flush;
     * a round reserves at most half of it, so its sends never wait for memory.
     */
    public static final long OUTBOX_BUFFER_BYTES = 64L * 1024 * 1024;
    /** The bytes of a record batch's own header (61 in format v2), with room to spare. */
    public static final int BATCH_HEADER_BYTES = 128;
    /** A request to the broker is never given less than this, however short the send timeout. */
    static final int REQUEST_TIMEOUT_MS_MIN = 1000;

    private KafkaSettings() {
    }

    public static Properties relayProducer(String bootstrapServers, String clientId, long sendTimeoutMs) {
        return relayProducer(bootstrapServers, clientId, sendTimeoutMs, "the send timeout");
    }

    public static Properties relayProducer(String bootstrapServers, String clientId, long sendTimeoutMs, String setting) {
        return relayProducer(bootstrapServers, clientId, sendTimeoutMs, setting, TopicLimits.REQUEST_BYTES_MAX_DEFAULT);
    }

    /**
     * @param setting         the name of the setting {@code sendTimeoutMs} comes from (an environment
     *                        variable), for the message when it is too short to work
     * @param requestBytesMax the largest record it sends ({@code max.request.size}, OUTBOX_MESSAGE_BYTES_MAX)
     * @throws IllegalArgumentException when {@code sendTimeoutMs}, the producer's delivery timeout, is
     *                                  below its request timeout plus its linger: Kafka's producer
     *                                  refuses that, so the service fails at start, saying which setting
     */
    public static Properties relayProducer(String bootstrapServers, String clientId, long sendTimeoutMs, String setting,
            int requestBytesMax) {
        // A down broker must fail a round within the relay's bound, not block it for a minute.
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, sendTimeoutMs);
        int requestTimeoutMs = requestTimeoutMs(sendTimeoutMs);
        if ((long) timeoutMs < (long) requestTimeoutMs + LINGER_MS) {
            throw new IllegalArgumentException(setting + " is " + sendTimeoutMs + " ms: the producer's delivery.timeout.ms (that"
                    + " value) must be at least its request.timeout.ms (" + requestTimeoutMs + ") + linger.ms (" + LINGER_MS
                    + "), Kafka's own rule; set it to " + (REQUEST_TIMEOUT_MS_MIN + LINGER_MS) + " or more");
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, requestBytesMax);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    private static int requestTimeoutMs(long sendTimeoutMs) {
        return Math.max(REQUEST_TIMEOUT_MS_MIN, (int) Math.min(Integer.MAX_VALUE, sendTimeoutMs) / 2);
    }

    /**
     * The outbox relay's producer: {@link #relayProducer}'s settings, but a round's records wait in
     * the producer until the round's {@code flush()}, so that each partition gets ONE batch per round.
     * Why: Kafka fails a batch as a whole, and it may fail one batch of a partition (expired in its
     * buffer while the broker was away, {@code delivery.timeout.ms}) and deliver the next (created
     * later, sent once the broker was back). Two batches of a key in one round could then put its
     * later rows on Kafka before its earlier ones, which the relay re-sends afterwards: the
     * player's order broken (chaos run of 2026-12-02, the broker stopped under load). One batch
     * per partition per round is all or nothing for each key. It holds while the round sends for
     * less than the linger ({@link #outboxRoundSendWindowMs}) and gives no partition more than
     * {@link #OUTBOX_BATCH_BYTES}; {@link OutboxRelay} keeps to both.
     */
    public static Properties outboxProducer(String bootstrapServers, String clientId, long sendTimeoutMs, String setting,
            int requestBytesMax) {
        Properties p = relayProducer(bootstrapServers, clientId, sendTimeoutMs, setting, requestBytesMax);
        p.put(ProducerConfig.LINGER_MS_CONFIG, outboxLingerMs(sendTimeoutMs));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, OUTBOX_BATCH_BYTES);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, OUTBOX_BUFFER_BYTES);
        return p;
    }

    /** {@link #outboxProducer} with the default {@code max.request.size}. */
    public static Properties outboxProducer(String bootstrapServers, String clientId, long sendTimeoutMs) {
        return outboxProducer(bootstrapServers, clientId, sendTimeoutMs, "the send timeout", TopicLimits.REQUEST_BYTES_MAX_DEFAULT);
    }

    /**
     * The outbox producer's linger: the longest Kafka allows ({@code delivery.timeout.ms} less
     * {@code request.timeout.ms}). It costs no latency: every round ends in {@code flush()}, which
     * sends at once whatever lingers.
     */
    static int outboxLingerMs(long sendTimeoutMs) {
        return (int) Math.min(Integer.MAX_VALUE, sendTimeoutMs) - requestTimeoutMs(sendTimeoutMs);
    }

    /**
     * How long a round may go on sending: half the outbox producer's linger, so no batch of the
     * round can have left before the flush (at the default 10 s send timeout: 2.5 s; a round's sends
     * take milliseconds unless a topic's metadata or description is waited for). At least 1 ms.
     */
    public static long outboxRoundSendWindowMs(long sendTimeoutMs) {
        return Math.max(1, outboxLingerMs(sendTimeoutMs) / 2);
    }
}
