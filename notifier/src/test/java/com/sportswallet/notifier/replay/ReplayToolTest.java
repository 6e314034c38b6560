package com.sportswallet.notifier.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.sportswallet.testkit.TestInfra;

/** The Admin half of scripts/replay against the real broker, for a plain consumer group (as the settlement-worker's). */
class ReplayToolTest {
    static final Instant T0 = com.sportswallet.notifier.streams.WalletEventsFixture.BASE.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void resetsAnEmptyGroupToEachTargetAndRefusesALiveOne() throws Exception {
        String bootstrap = TestInfra.get().bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "replaytool-" + run;
        String group = "replaytool-group-" + run;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            // 10 records per partition, record i at T0 + i minutes.
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    new StringSerializer(), new StringSerializer())) {
                for (int part = 0; part < 2; part++) {
                    for (int i = 0; i < 10; i++) {
                        p.send(new ProducerRecord<>(topic, part, T0.plusSeconds(60L * i).toEpochMilli(), "k", "v" + i))
                                .get(30, TimeUnit.SECONDS);
                    }
                }
            }
            GroupReset tool = new GroupReset(admin, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            try (KafkaConsumer<String, String> member = consumer(bootstrap, group)) {
                assertEquals(20, consumeAll(member, topic, 20), "the live member read everything");
                member.commitSync();
                Output out = run("members", group, "--bootstrap-server", bootstrap);
                assertEquals(Replay.LIVE_MEMBERS, out.code, out.text);
                assertTrue(out.text.contains("client.id=replaytool-client"), "lists the live member: " + out.text);
                out = run("reset", group, "--to-earliest", "--bootstrap-server", bootstrap);
                assertEquals(Replay.LIVE_MEMBERS, out.code, out.text);
                assertTrue(out.text.contains("nothing changed"), out.text);
                assertEquals(Map.of(new TopicPartition(topic, 0), 10L, new TopicPartition(topic, 1), 10L), tool.committed(group),
                        "refused: offsets unchanged");
            }
            assertTrue(tool.awaitEmpty(group, Duration.ofSeconds(30)), "a closed consumer leaves the group");
            assertEquals(Replay.OK, run("members", group, "--bootstrap-server", bootstrap).code);

            Output dry = run("reset", group, "--to-offset", "4", "--dry-run", "--bootstrap-server", bootstrap);
            assertEquals(Replay.OK, dry.code, dry.text);
            assertTrue(dry.text.contains("12 records will be re-read"), dry.text);
            assertEquals(10L, tool.committed(group).get(new TopicPartition(topic, 0)), "a dry run changes nothing");

            assertEquals(Replay.OK, run("reset", group, "--to-offset", "4", "--bootstrap-server", bootstrap).code);
            assertEquals(Map.of(new TopicPartition(topic, 0), 4L, new TopicPartition(topic, 1), 4L), tool.committed(group));

            GroupReset.Plan atTime = tool.plan(group, new GroupReset.AtTime(T0.plusSeconds(5 * 60)), List.of());
            assertEquals(List.of(5L, 5L), atTime.moves().stream().map(GroupReset.Move::target).toList(), "first record at or after the time");
            assertEquals(0, atTime.reRead(), "moving forward from 4 to 5 re-reads nothing");
            assertEquals(Replay.OK, run("reset", group, "--to-datetime", T0.plusSeconds(5 * 60).toString(), "--bootstrap-server", bootstrap).code);
            assertEquals(5L, tool.committed(group).get(new TopicPartition(topic, 1)));
            // Moves beyond the end are refused: they would skip records the group has not read (a worker's credits).
            assertThrows(IllegalArgumentException.class, () -> tool.plan(group, new GroupReset.AtTime(T0.plusSeconds(86_400)), List.of()),
                    "a datetime after the last record, with records unread");
            assertThrows(IllegalArgumentException.class, () -> tool.plan(group, new GroupReset.AtOffset(11), List.of()),
                    "an offset beyond the end");
            Output beyond = run("reset", group, "--to-offset", "1000", "--bootstrap-server", bootstrap);
            assertEquals(Replay.USAGE, beyond.code, beyond.text);
            assertTrue(beyond.text.contains("beyond the end"), beyond.text);
            Output future = run("reset", group, "--to-datetime", T0.plusSeconds(86_400).toString(), "--bootstrap-server", bootstrap);
            assertEquals(Replay.USAGE, future.code, future.text);
            assertEquals(5L, tool.committed(group).get(new TopicPartition(topic, 1)), "refused: nothing moved");
            assertEquals(List.of(10L, 10L), tool.plan(group, new GroupReset.AtOffset(10), List.of()).moves().stream()
                    .map(GroupReset.Move::target).toList(), "exactly the end is a move the operator may order");

            Output earliest = run("reset", group, "--to-earliest", "--bootstrap-server", bootstrap);
            assertEquals(Replay.OK, earliest.code, earliest.text);
            assertTrue(earliest.text.contains("10 records will be re-read"), "5 per partition back to 0: " + earliest.text);
            try (KafkaConsumer<String, String> again = consumer(bootstrap, group)) {
                assertEquals(20, consumeAll(again, topic, 20), "the group reads everything again from offset 0");
            }
        }
        assertEquals(Replay.USAGE, run("reset", group, "--bootstrap-server", bootstrap).code, "a target is required");
        assertEquals(Replay.USAGE, run("reset", group, "--to-earliest", "--to-offset", "3", "--bootstrap-server", bootstrap).code);
        assertEquals(Replay.USAGE, run("reset", group, "--to-datetime", "yesterday", "--bootstrap-server", bootstrap).code);
        assertEquals(Replay.USAGE, run("streams-reset", "notifier", "--bootstrap-server", bootstrap).code, "input topics required");
        assertEquals(Instant.parse("2026-11-21T00:00:00Z"), Replay.parseTime("2026-11-21"));
        assertEquals(Instant.parse("2026-11-21T09:00:00Z"), Replay.parseTime("2026-11-21T10:00:00+01:00"));
    }

    private record Output(int code, String text) {
    }

    private static Output run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            int code = Replay.run(args);
            return new Output(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Map<String, Object> conf = new HashMap<>();
        conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        conf.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        conf.put(ConsumerConfig.CLIENT_ID_CONFIG, "replaytool-client");
        conf.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(conf, new StringDeserializer(), new StringDeserializer());
    }

    private static int consumeAll(KafkaConsumer<String, String> c, String topic, int expected) {
        c.subscribe(List.of(topic));
        int n = 0;
        long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
        while (n < expected && System.nanoTime() < deadline) {
            n += c.poll(Duration.ofMillis(200)).count();
        }
        return n;
    }
}
