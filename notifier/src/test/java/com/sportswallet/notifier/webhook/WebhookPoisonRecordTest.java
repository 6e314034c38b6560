package com.sportswallet.notifier.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.SupervisedLoop;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.TestInfra;
import com.sun.net.httpserver.HttpServer;

/**
 * A poison record on the webhook's topic (issue 12: "the webhook crash-loops on an illegal ce-id"): an event
 * whose id cannot be an HTTP header value, or that is not a CloudEvent at all, made the request builder throw;
 * the loop died, its supervisor restarted it from the committed offset, and it died again on the same record,
 * forever: one record stopped the feed for every player. Here the delivery runs under the same
 * {@link SupervisedLoop} as in the notifier (real broker, real HTTP server), and each such record must go to the
 * dead-letter topic, in the format of any other dead letter plus its reason, without a POST and without a
 * restart, and the good event after them must be delivered exactly once.
 */
class WebhookPoisonRecordTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String PLAYER = "player-poison";

    private HttpServer server;
    /** The body of every POST received, in order. */
    private final List<String> posts = Collections.synchronizedList(new ArrayList<>());
    private String bootstrap;
    private String topic;
    private String dlq;
    private String delivered;

    @BeforeEach
    void setUp() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        bootstrap = TestInfra.get().bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        topic = "crm.events.poisontest-" + run;
        dlq = "crm.webhook.dlq.poisontest-" + run;
        delivered = "crm.webhook.delivered.poisontest-" + run;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1), new NewTopic(dlq, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    /** A record that can never be delivered, and the reason its dead letter must give (a prefix of it). */
    private record Poison(String value, String reason) {
    }

    @Test
    void aRecordThatCanNeverBeDeliveredIsDeadLetteredAndTheFeedGoesOn() throws Exception {
        List<Poison> poison = List.of(
                // CR LF: what a header injection looks like; the HTTP client refuses it.
                new Poison("{\"id\":\"crlf\\r\\nX-Injected: 1\",\"sourceoffset\":\"7\",\"sourceindex\":0}",
                        "ce-id is not a valid HTTP header value: U+000D at 4"),
                new Poison("{\"id\":\"ctl\\u0001\"}", "ce-id is not a valid HTTP header value: U+0001 at 3"),
                new Poison("{\"id\":\"del\\u007f\"}", "ce-id is not a valid HTTP header value: U+007F at 3"),
                // Beyond Latin-1: the client refuses it.
                new Poison("{\"id\":\"euro-\u20ac\"}", "ce-id is not a valid HTTP header value: U+20AC at 5"),
                // Latin-1: the client accepts it but writes '?' instead, so ce-id would not be the event's id.
                new Poison("{\"id\":\"caf\u00e9\"}", "ce-id is not a valid HTTP header value: U+00E9 at 3"),
                // Whitespace at an end: the receiver strips it from a header value, so ce-id would not be the id either.
                new Poison("{\"id\":\"trailing \"}", "ce-id is not a valid HTTP header value: whitespace at an end"),
                new Poison("not json", "not a CloudEvent: not JSON"),
                new Poison("{\"id\":\"truncated\"", "not a CloudEvent: not JSON"),
                new Poison("{\"id\":\"x\"} {\"id\":\"y\"}", "not a CloudEvent: more than one JSON value"),
                new Poison("[\"an array\"]", "not a CloudEvent: not a JSON object"),
                new Poison("{\"type\":\"crm.player.deposit\"}", "not a CloudEvent: no id"),
                new Poison("{\"id\":\"\"}", "not a CloudEvent: no id"),
                new Poison("{\"id\":42}", "not a CloudEvent: no id"),
                new Poison(null, "not a CloudEvent: no value"));
        String good = "{\"specversion\":\"1.0\",\"id\":\"good-" + UUID.randomUUID() + "\",\"type\":\"crm.player.deposit\","
                + "\"source\":\"/test\",\"sourceoffset\":\"9\",\"sourceindex\":0}";
        List<String> values = new ArrayList<>(poison.stream().map(Poison::value).toList());
        values.add(good);
        produce(values);

        SupervisedLoop<WebhookDelivery> loop = new SupervisedLoop<>(new SupervisedLoop.Config("crm-webhook-poisontest", 200, 400, 10_000),
                () -> new WebhookDelivery(settings("poisontest-" + UUID.randomUUID())));
        try (loop) {
            loop.start();
            try {
                await(() -> posts.contains(good), "the good event after the poison records delivered");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; restarts " + loop.restarts() + ", last failure " + loop.lastFailure(), e);
            }
            Thread.sleep(1_000); // time enough for a second POST or a restart, if either were coming
            assertEquals(List.of(good), posts, "only the good event was posted, once");
            assertEquals(0, loop.restarts(), () -> "the loop never died: " + loop.lastFailure());
            WebhookDelivery d = loop.current();
            assertEquals(1, d.delivered());
            assertEquals(poison.size(), d.deadLettered(), "each poison record counted as dead-lettered");
        }

        List<ConsumerRecord<String, String>> dead = readDlq();
        assertEquals(poison.size(), dead.size(), "one dead letter per poison record");
        for (int i = 0; i < poison.size(); i++) {
            ConsumerRecord<String, String> r = dead.get(i);
            Poison p = poison.get(i);
            assertEquals(PLAYER, r.key());
            assertEquals(p.value(), r.value(), "the record itself, unchanged");
            String reason = header(r, "dlq.reason");
            assertTrue(reason.startsWith(p.reason()), () -> "reason of " + p.value() + ": " + reason);
            assertEquals("0", header(r, "dlq.attempts"), "refused before any POST");
            assertEquals(topic + "-0@" + i, header(r, "dlq.source"));
            assertEquals(settings("g").url().toString(), header(r, "dlq.url"));
        }
    }

    private WebhookDelivery.Settings settings(String group) {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        return new WebhookDelivery.Settings(bootstrap, topic, group, url, 3, Duration.ofMillis(100), Duration.ofMillis(150),
                Duration.ofSeconds(2), 10, dlq, "earliest", delivered);
    }

    private void produce(List<String> values) throws Exception {
        WebhookDeliveryTest.produce(bootstrap, topic, PLAYER, values);
    }

    private List<ConsumerRecord<String, String>> readDlq() {
        return WebhookDeliveryTest.readPartition0(bootstrap, dlq, WAIT);
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        return WebhookDeliveryTest.header(r, name);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(WAIT, condition, what);
    }
}
