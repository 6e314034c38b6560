package com.sportswallet.contracts;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Creates the pipeline's topics when absent, on a background thread, retrying until the broker
 * answers: a service never fails or waits at start because Kafka is not there yet.
 */
public final class TopicBootstrap {
    private static final Logger LOG = Logger.getLogger(TopicBootstrap.class.getName());
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final long RETRY_INTERVAL_MS = 2_000;

    private TopicBootstrap() {
    }

    public static Thread startInBackground(String bootstrapServers, int partitions, long derivedRetentionMs) {
        Thread t = new Thread(() -> {
            Map<String, Object> conf = Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
            while (!Thread.currentThread().isInterrupted()) {
                try (Admin admin = Admin.create(conf)) {
                    List<String> created = Topics.ensure(admin, partitions, derivedRetentionMs, CALL_TIMEOUT);
                    if (!created.isEmpty()) {
                        LOG.info("created topics " + created);
                    }
                    return;
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "topics not ensured yet (retrying in " + RETRY_INTERVAL_MS + " ms): " + e);
                    try {
                        Thread.sleep(RETRY_INTERVAL_MS);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }, "topic-bootstrap");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
