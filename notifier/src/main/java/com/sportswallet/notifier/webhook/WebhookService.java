package com.sportswallet.notifier.webhook;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.sportswallet.contracts.SupervisedLoop;
import com.sportswallet.contracts.TopicSettings;
import com.sportswallet.contracts.Topics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Starts {@link WebhookDelivery} when {@code notifier.webhook.url} (CRM_WEBHOOK_URL) is set; off by
 * default. The delivery loop runs under a {@link SupervisedLoop}: an unexpected exception closes it
 * and a fresh one starts after CRM_WEBHOOK_BACKOFF_INITIAL_MS doubling to CRM_WEBHOOK_BACKOFF_MAX_MS,
 * logged, counted in {@code notifier_webhook_restarts_total} and shown by the readiness check
 * "crm webhook" ({@link WebhookHealth}).
 */
@ApplicationScoped
public class WebhookService {
    private static final Logger LOG = Logger.getLogger(WebhookService.class);
    /** The longest wait for the delivery loop to end at shutdown, beyond its own worst case per event. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    @Inject
    MeterRegistry registry;

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
    /** Appended to the delivery loop's Kafka client ids (KAFKA_CLIENT_ID_SUFFIX: scripts/up gives replica i "-i"). */
    @ConfigProperty(name = "wallet.kafka.client-id-suffix")
    Optional<String> clientIdSuffix;

    private volatile SupervisedLoop<WebhookDelivery> delivery;

    void onStart(@Observes StartupEvent event) {
        if (url.isEmpty() || url.get().isBlank()) {
            LOG.debug("crm webhook off (notifier.webhook.url not set)");
            return;
        }
        WebhookDelivery.Settings settings = new WebhookDelivery.Settings(bootstrapServers, Topics.CRM_EVENTS, groupId,
                URI.create(url.get().trim()), maxAttempts, Duration.ofMillis(backoffInitialMs), Duration.ofMillis(backoffMaxMs),
                Duration.ofMillis(requestTimeoutMs), batchSizeMax, Topics.CRM_WEBHOOK_DLQ, autoOffsetReset, deliveredTopic,
                groupId + clientIdSuffix.orElse(""),
                TopicSettings.from(key -> ConfigProvider.getConfig().getOptionalValue(key, String.class)));
        SupervisedLoop<WebhookDelivery> loop = new SupervisedLoop<>(new SupervisedLoop.Config("crm-webhook", backoffInitialMs, backoffMaxMs,
                settings.worstCasePerEvent().plus(CLOSE_WAIT).toMillis()), () -> new WebhookDelivery(settings));
        FunctionCounter.builder("notifier.webhook.restarts", loop, SupervisedLoop::restarts)
                .description("CRM webhook delivery loops restarted after an unexpected exception").register(registry);
        delivery = loop.start();
        LOG.infof("crm webhook on: %s (group %s, %d attempts)", url.get(), groupId, maxAttempts);
    }

    /** The supervised delivery loop, or null when the webhook is off. */
    public SupervisedLoop<WebhookDelivery> delivery() {
        return delivery;
    }

    void onStop(@Observes ShutdownEvent event) {
        SupervisedLoop<WebhookDelivery> d = delivery;
        if (d != null) {
            d.close();
        }
    }
}
