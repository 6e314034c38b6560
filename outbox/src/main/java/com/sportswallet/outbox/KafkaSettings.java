package com.sportswallet.outbox;

import java.util.Properties;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producer settings for the relay: idempotent, acks=all, every wait bounded. */
public final class KafkaSettings {
    /** The producer's own linger: a round's records leave together. */
    static final int LINGER_MS = 2;
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
        int requestTimeoutMs = Math.max(REQUEST_TIMEOUT_MS_MIN, timeoutMs / 2);
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
}
