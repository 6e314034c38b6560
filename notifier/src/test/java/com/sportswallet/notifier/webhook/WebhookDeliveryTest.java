package com.sportswallet.notifier.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.notifier.support.KafkaTestClients;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.TestInfra;
import com.sun.net.httpserver.HttpServer;

/** Webhook delivery against a real local HTTP server and the real broker: retries, backoff, dead-letter, commits. */
class WebhookDeliveryTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    private HttpServer server;
    /** Requests received, per event body. */
    private final Map<String, List<Long>> attemptsAtMs = new ConcurrentHashMap<>();
    private final List<String> contentTypes = Collections.synchronizedList(new ArrayList<>());
    /** (body, attempt number starting at 1) → status to answer. */
    private volatile Function<Map.Entry<String, Integer>, Integer> behaviour = e -> 200;
    private String bootstrap;
    private String topic;
    private String dlq;
    private String delivered;

    @BeforeEach
    void setUp() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            List<Long> times = attemptsAtMs.computeIfAbsent(body, k -> Collections.synchronizedList(new ArrayList<>()));
            times.add(System.nanoTime() / 1_000_000);
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            int status = behaviour.apply(Map.entry(body, times.size()));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        bootstrap = TestInfra.get().bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        topic = "crm.events.webhooktest-" + run;
        dlq = "crm.webhook.dlq.webhooktest-" + run;
        delivered = "crm.webhook.delivered.webhooktest-" + run;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1), new NewTopic(dlq, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    private WebhookDelivery delivery(String group) {
        return new WebhookDelivery(new WebhookDelivery.Settings(bootstrap, topic, group,
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"), 3, Duration.ofMillis(100),
                Duration.ofMillis(150), Duration.ofSeconds(2), 10, dlq, "earliest", delivered));
    }

    @Test
    void retriesWithBackoffThenDeliversEachEventOnceAndCommits() throws Exception {
        behaviour = e -> e.getKey().contains("\"flaky\"") && e.getValue() <= 2 ? 503 : 200;
        produce("{\"id\":\"flaky\"}", "{\"id\":\"fine\"}");
        String group = "webhooktest-" + UUID.randomUUID();
        try (WebhookDelivery d = delivery(group)) {
            d.start();
            await(() -> d.delivered() == 2, "both delivered");
            assertEquals(0, d.deadLettered());
        }
        List<Long> flaky = attemptsAtMs.get("{\"id\":\"flaky\"}");
        assertEquals(3, flaky.size(), "two 503s, then delivered on the third attempt");
        assertTrue(flaky.get(1) - flaky.get(0) >= 90, "backoff 100 ms before the 2nd attempt: " + flaky);
        assertTrue(flaky.get(2) - flaky.get(1) >= 140, "backoff doubled (capped at 150 ms) before the 3rd: " + flaky);
        assertEquals(1, attemptsAtMs.get("{\"id\":\"fine\"}").size());
        assertTrue(contentTypes.stream().allMatch(ct -> ct.startsWith("application/cloudevents+json")), contentTypes.toString());
        assertTrue(readDlq(Duration.ofSeconds(2)).isEmpty());

        // Offsets were committed: the same group started again delivers only what is new.
        produce("{\"id\":\"later\"}");
        try (WebhookDelivery d = delivery(group)) {
            d.start();
            await(() -> d.delivered() == 1, "the new event delivered");
            Thread.sleep(500);
            assertEquals(1, d.delivered(), "nothing delivered twice");
        }
        assertEquals(3, attemptsAtMs.get("{\"id\":\"flaky\"}").size());
    }

    @Test
    void anUndeliverableEventGoesToTheDeadLetterTopicAfterTheLastAttempt() throws Exception {
        behaviour = e -> e.getKey().contains("\"down\"") ? 500 : e.getKey().contains("\"bad\"") ? 400 : 200;
        produce("{\"id\":\"down\"}", "{\"id\":\"bad\"}", "{\"id\":\"ok\"}");
        try (WebhookDelivery d = delivery("webhooktest-" + UUID.randomUUID())) {
            d.start();
            await(() -> d.delivered() == 1 && d.deadLettered() == 2, "one delivered, two dead-lettered");
        }
        assertEquals(3, attemptsAtMs.get("{\"id\":\"down\"}").size(), "5xx retried up to the bound of 3 attempts");
        assertEquals(1, attemptsAtMs.get("{\"id\":\"bad\"}").size(), "a 400 is permanent: no retry");
        List<ConsumerRecord<String, String>> dead = readDlq(WAIT);
        assertEquals(2, dead.size());
        ConsumerRecord<String, String> down = dead.get(0);
        assertEquals("{\"id\":\"down\"}", down.value(), "the event itself, unchanged");
        assertEquals("player-1", down.key());
        assertEquals("http 500", header(down, "dlq.reason"));
        assertEquals("3", header(down, "dlq.attempts"));
        assertEquals(topic + "-0@0", header(down, "dlq.source"));
        assertEquals("http 400", header(dead.get(1), "dlq.reason"));
        assertEquals("1", header(dead.get(1), "dlq.attempts"));
    }

    @Test
    void theWorstCaseOfOneEventBoundsThePollInterval() {
        WebhookDelivery.Settings s = new WebhookDelivery.Settings("x:1", "t", "g", URI.create("http://127.0.0.1:1/"), 5,
                Duration.ofMillis(200), Duration.ofMillis(1_000), Duration.ofSeconds(5), 20, "d", "earliest", "m");
        assertEquals(Duration.ofMillis(200), s.backoffAfter(1));
        assertEquals(Duration.ofMillis(400), s.backoffAfter(2));
        assertEquals(Duration.ofMillis(1_000), s.backoffAfter(4), "capped");
        assertEquals(Duration.ofMillis(5 * 5_000 + 200 + 400 + 800 + 1_000), s.worstCasePerEvent());
    }

    private void produce(String... values) throws Exception {
        produce(bootstrap, topic, "player-1", List.of(values));
    }

    private List<ConsumerRecord<String, String>> readDlq(Duration within) {
        return readPartition0(bootstrap, dlq, within);
    }

    /** Each value to {@code topic} under {@code key}, acknowledged one by one (the webhook tests' input). */
    static void produce(String bootstrap, String topic, String key, List<String> values) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (String v : values) {
                p.send(new ProducerRecord<>(topic, key, v)).get(KafkaTestClients.DELIVERY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /** Partition 0 of {@code topic} from its start up to its end offset of now, read for at most {@code within}. */
    static List<ConsumerRecord<String, String>> readPartition0(String bootstrap, String topic, Duration within) {
        Map<String, Object> conf = new HashMap<>();
        conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(conf, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline && c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** A header's value as text; a record without it fails the test, naming the headers it has. */
    static String header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        assertTrue(h != null, () -> "header " + name + " on " + r.value() + ": " + Arrays.toString(r.headers().toArray()));
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(WAIT, condition, what);
    }

    static {
        // The HTTP server and the broker are real; only the content type constant is shared with production.
        if (!CloudEventJson.CONTENT_TYPE.startsWith("application/cloudevents+json")) {
            throw new IllegalStateException("unexpected content type " + CloudEventJson.CONTENT_TYPE);
        }
    }
}
