package com.sportswallet.worker;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;

/**
 * The Kafka clients' own metrics ({@code kafka_consumer_*}, {@code kafka_producer_*}: fetch and commit
 * rates, records lag, rebalances, request latency) bound to Micrometer, one binding per slot (issue 17). A
 * supervised loop makes a new consumer when it restarts, under the same client id: binding the new one
 * closes the old one's binding first, which removes its meters, so a dead client's last values are never
 * scraped as if current.
 */
public final class KafkaClientBindings implements AutoCloseable {
    private final MeterRegistry registry;
    private final Map<String, KafkaClientMetrics> bound = new HashMap<>();

    public KafkaClientBindings(MeterRegistry registry) {
        this.registry = registry;
    }

    public void bind(String slot, Consumer<?, ?> consumer) {
        replace(slot, new KafkaClientMetrics(consumer));
    }

    public void bind(String slot, Producer<?, ?> producer) {
        replace(slot, new KafkaClientMetrics(producer));
    }

    private synchronized void replace(String slot, KafkaClientMetrics metrics) {
        KafkaClientMetrics old = bound.put(slot, metrics);
        if (old != null) {
            old.close();
        }
        metrics.bindTo(registry);
    }

    @Override
    public synchronized void close() {
        bound.values().forEach(KafkaClientMetrics::close);
        bound.clear();
    }
}
