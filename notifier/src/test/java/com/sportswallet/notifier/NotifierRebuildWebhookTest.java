package com.sportswallet.notifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;
import com.sportswallet.notifier.streams.NotifierSettings;
import com.sportswallet.notifier.streams.TopologyProducer;
import com.sportswallet.notifier.support.KafkaTestClients;
import com.sportswallet.notifier.support.StreamsRunner;
import com.sportswallet.notifier.webhook.WebhookDelivery;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.TestInfra;
import com.sun.net.httpserver.HttpServer;

/**
 * A full notifier rebuild from offset 0 with the CRM webhook on (real broker, real HTTP server):
 * the rebuild re-emits every crm event once more, with the same id and body, and the webhook
 * posts each fact exactly once, because it remembers per player the highest (sourceoffset,
 * sourceindex) it delivered, in a compacted topic that the rebuild does not touch. A webhook
 * whose group lost its offsets posts nothing again either.
 */
class NotifierRebuildWebhookTest {
    static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void aRebuildFromOffsetZeroWithTheWebhookOnPostsEachFactOnce() throws Exception {
        String bootstrap = TestInfra.get().bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String prefix = "rebuild-" + run;
        TopologyProducer.TopicNames topics = new TopologyProducer.TopicNames(prefix + ".wallet.events", prefix + ".crm.events",
                prefix + ".bonus.events");
        String dlq = prefix + ".crm.webhook.dlq";
        String delivered = prefix + ".crm.webhook.delivered";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topics.walletEvents(), 3, (short) 1), new NewTopic(topics.crmEvents(), 3, (short) 1),
                    new NewTopic(topics.bonusEvents(), 3, (short) 1), new NewTopic(dlq, 1, (short) 1),
                    new NewTopic(delivered, 3, (short) 1).configs(Topics.configs(Topics.CRM_WEBHOOK_DELIVERED, "-1"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        Map<String, AtomicInteger> postsById = new ConcurrentHashMap<>();
        AtomicInteger headerMismatches = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/crm", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String id = CloudEventJson.mapper().readTree(body).get("id").asText();
            if (!id.equals(exchange.getRequestHeaders().getFirst("ce-id"))) {
                headerMismatches.incrementAndGet();
            }
            postsById.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/crm");
        String app = prefix; // not "notifier-...": the reset's internal-topic rule must not reach another app's topics
        Path stateDir = Files.createDirectories(Path.of("target", "rebuild-state", run));
        try {
            KafkaTestClients.produce(bootstrap, topics.walletEvents(), NotifierReplayTest.events(run));
            try (StreamsRunner first = new StreamsRunner(bootstrap, app, stateDir, NotifierSettings.defaults(), topics)) {
                first.awaitCaughtUp();
            }
            int crmFacts = crmRecords(bootstrap, topics).size();
            assertTrue(crmFacts >= 120, "each of the 40 players has a deposit, a first bet and a withdrawal at least: " + crmFacts);

            try (WebhookDelivery webhook = webhook(bootstrap, topics, url, "webhook-" + run, dlq, delivered)) {
                webhook.start();
                await(() -> webhook.delivered() == crmFacts, "every crm event delivered once");

                var reset = KafkaTestClients.rebuildFromEarliest(bootstrap, app, topics.walletEvents(), stateDir);
                assertEquals(0, reset.exitCode(), reset.output());
                try (StreamsRunner rebuilt = new StreamsRunner(bootstrap, app, stateDir, NotifierSettings.defaults(), topics)) {
                    rebuilt.awaitCaughtUp();
                }
                List<JsonNode> after = crmRecords(bootstrap, topics);
                assertEquals(2 * crmFacts, after.size(), "the rebuild re-emitted every crm event once more");
                await(() -> webhook.skipped() == crmFacts, "the re-emitted events recognised as delivered");
                assertEquals(crmFacts, webhook.delivered(), "nothing posted twice by the running webhook");
            }

            // A webhook whose group starts over (offsets lost, or moved to the earliest) reads both runs: it posts nothing.
            try (WebhookDelivery fresh = webhook(bootstrap, topics, url, "webhook-fresh-" + run, dlq, delivered)) {
                fresh.start();
                await(() -> fresh.skipped() == 2L * crmFacts, "both runs recognised from the delivered marks alone");
                assertEquals(0, fresh.delivered());
            }
            assertEquals(crmFacts, postsById.size(), "every fact posted");
            assertTrue(postsById.values().stream().allMatch(n -> n.get() == 1), "each fact posted exactly once: " + postsById);
            assertEquals(0, headerMismatches.get(), "ce-id carries the event id on every POST");
        } finally {
            server.stop(0);
        }
    }

    private static WebhookDelivery webhook(String bootstrap, TopologyProducer.TopicNames topics, URI url, String group, String dlq,
            String delivered) {
        return new WebhookDelivery(new WebhookDelivery.Settings(bootstrap, topics.crmEvents(), group, url, 3, Duration.ofMillis(100),
                Duration.ofMillis(500), Duration.ofSeconds(5), 50, dlq, "earliest", delivered));
    }

    private static List<JsonNode> crmRecords(String bootstrap, TopologyProducer.TopicNames topics) throws Exception {
        return KafkaTestClients.readUntil(bootstrap, topics.crmEvents(), e -> true, found -> false, Duration.ofSeconds(4));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(WAIT, condition, what);
    }
}
