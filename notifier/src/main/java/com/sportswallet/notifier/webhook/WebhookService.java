package com.sportswallet.notifier.webhook;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.sportswallet.contracts.Topics;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** Starts {@link WebhookDelivery} when {@code notifier.webhook.url} (CRM_WEBHOOK_URL) is set; off by default. */
@ApplicationScoped
public class WebhookService {
    private static final Logger LOG = Logger.getLogger(WebhookService.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "notifier.webhook.url")
    Optional<String> url;
    @ConfigProperty(name = "notifier.webhook.group-id")
    String groupId;
    @ConfigProperty(name = "notifier.webhook.max-attempts")
    int maxAttempts;
    @ConfigProperty(name = "notifier.webhook.backoff-initial-ms")
    long backoffInitialMs;
    @ConfigProperty(name = "notifier.webhook.backoff-max-ms")
    long backoffMaxMs;
    @ConfigProperty(name = "notifier.webhook.request-timeout-ms")
    long requestTimeoutMs;
    @ConfigProperty(name = "notifier.webhook.batch-size-max")
    int batchSizeMax;
    @ConfigProperty(name = "notifier.webhook.auto-offset-reset")
    String autoOffsetReset;
    @ConfigProperty(name = "notifier.webhook.delivered-topic")
    String deliveredTopic;

    private WebhookDelivery delivery;

    void onStart(@Observes StartupEvent event) {
        if (url.isEmpty() || url.get().isBlank()) {
            LOG.debug("crm webhook off (notifier.webhook.url not set)");
            return;
        }
        delivery = new WebhookDelivery(new WebhookDelivery.Settings(bootstrapServers, Topics.CRM_EVENTS, groupId,
                URI.create(url.get().trim()), maxAttempts, Duration.ofMillis(backoffInitialMs), Duration.ofMillis(backoffMaxMs),
                Duration.ofMillis(requestTimeoutMs), batchSizeMax, Topics.CRM_WEBHOOK_DLQ, autoOffsetReset, deliveredTopic));
        delivery.start();
        LOG.infof("crm webhook on: %s (group %s, %d attempts)", url.get(), groupId, maxAttempts);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (delivery != null) {
            delivery.close();
        }
    }
}
