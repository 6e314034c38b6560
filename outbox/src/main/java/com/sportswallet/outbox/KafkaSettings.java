package com.sportswallet.outbox;

import java.util.Properties;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producer settings for the relay: idempotent, acks=all, every wait bounded. */
public final class KafkaSettings {
    private KafkaSettings() {
    }

    public static Properties relayProducer(String bootstrapServers, String clientId, long sendTimeoutMs) {
        return relayProducer(bootstrapServers, clientId, sendTimeoutMs, TopicLimits.REQUEST_BYTES_MAX_DEFAULT);
    }

    /** @param requestBytesMax the largest record it sends ({@code max.request.size}, OUTBOX_MESSAGE_BYTES_MAX) */
    public static Properties relayProducer(String bootstrapServers, String clientId, long sendTimeoutMs, int requestBytesMax) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, requestBytesMax);
        // A down broker must fail a round within the relay's bound, not block it for a minute.
        int timeoutMs = (int) sendTimeoutMs;
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, timeoutMs / 2));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }
}
