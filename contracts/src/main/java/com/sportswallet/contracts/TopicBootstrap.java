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
 * answers: a service never fails or waits at start because Kafka is not there yet. A cluster with
 * fewer brokers than {@link TopicSettings#replicationFactor()} is retried too (brokers of a cluster
 * start one by one), logged as an error that names the setting, and never settled by creating fewer
 * replicas.
 */
public final class TopicBootstrap {
    private static final Logger LOG = Logger.getLogger(TopicBootstrap.class.getName());
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final long RETRY_INTERVAL_MS = 2_000;

    private TopicBootstrap() {
    }

    /** The settings were validated when they were made ({@link TopicSettings}), before any thread starts. */
    public static Thread startInBackground(String bootstrapServers, TopicSettings settings) {
        Thread t = new Thread(() -> {
            Map<String, Object> conf = Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
            while (!Thread.currentThread().isInterrupted()) {
                try (Admin admin = Admin.create(conf)) {
                    List<String> created = Topics.ensure(admin, settings, CALL_TIMEOUT);
                    if (!created.isEmpty()) {
                        LOG.info("created topics " + created + " (" + settings.replicationFactor() + " replicas, min.insync.replicas "
                                + settings.minInsyncReplicas() + ")");
                    }
                    return;
                } catch (InterruptedException e) {
                    return;
                } catch (Topics.TooFewBrokersException e) {
                    LOG.severe("topics not created (retrying in " + RETRY_INTERVAL_MS + " ms): " + e.getMessage());
                    if (!pause()) {
                        return;
                    }
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "topics not ensured yet (retrying in " + RETRY_INTERVAL_MS + " ms): " + e);
                    if (!pause()) {
                        return;
                    }
                }
            }
        }, "topic-bootstrap");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean pause() {
        try {
            Thread.sleep(RETRY_INTERVAL_MS);
            return true;
        } catch (InterruptedException ie) {
            return false;
        }
    }
}
