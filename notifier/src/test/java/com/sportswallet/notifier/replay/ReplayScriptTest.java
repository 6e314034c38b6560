package com.sportswallet.notifier.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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

import com.sportswallet.notifier.support.KafkaTestClients;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.KafkaTools;
import com.sportswallet.testkit.TestInfra;

/**
 * scripts/replay itself (bash around Kafka's ConsumerGroupCommand and GetOffsetShell) against the real test broker, for a
 * plain consumer group (as the settlement-worker's; a group no service of scripts/up owns, so nothing is stopped): it
 * moves the committed offsets to each target, refuses a target beyond the end of the topic (which the tool would clamp to
 * the end, skipping records never read) and a group with live members, and changes nothing then.
 */
class ReplayScriptTest {
    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);
    static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(60);
    static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(30);
    static final int PER_PARTITION = 10;

    @Test
    void movesAnEmptyGroupToEachTargetAndRefusesBeyondTheEndAndALiveGroup() throws Exception {
        String bootstrap = TestInfra.get().bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "replayscript-" + run;
        String group = "replayscript-group-" + run;
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            // Kept forever, as settlement.commands: with the broker's default 7-day retention, records stamped T0 (in the
            // past) would be deleted under the test, moving the earliest offset.
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(Map.of("retention.ms", "-1")))).all()
                    .get(30, TimeUnit.SECONDS);
            produce(bootstrap, topic);
            try (KafkaConsumer<String, String> member = consumer(bootstrap, group)) {
                assertEquals(2 * PER_PARTITION, consumeAll(member, topic, 2 * PER_PARTITION), "the live member read everything");
                member.commitSync();
                Output live = replay(bootstrap, group, "--to-earliest");
                assertEquals(3, live.code, live.text);
                assertTrue(live.text.contains("replayscript-client"), "lists the live member: " + live.text);
                assertTrue(live.text.contains("nothing changed"), live.text);
                assertEquals(Map.of(p0, 10L, p1, 10L), committed(admin, group), "refused: offsets unchanged");
            }
            Await.until(LEAVE_TIMEOUT, () -> members(admin, group) == 0, "a closed consumer leaves the group");

            Output dry = replay(bootstrap, group, "--to-offset", "4", "--dry-run");
            assertEquals(0, dry.code, dry.text);
            assertTrue(dry.text.contains("12 records will be re-read"), dry.text);
            assertEquals(Map.of(p0, 10L, p1, 10L), committed(admin, group), "a dry run changes nothing");

            Output toOffset = replay(bootstrap, group, "--to-offset", "4");
            assertEquals(0, toOffset.code, toOffset.text);
            assertTrue(toOffset.text.contains("NEW-OFFSET"), "prints ConsumerGroupCommand's own table: " + toOffset.text);
            assertEquals(Map.of(p0, 4L, p1, 4L), committed(admin, group));

            // Record i of each partition has the timestamp T0 + i minutes: the first at or after T0 + 5 min is offset 5.
            assertDone(replay(bootstrap, group, "--to-datetime", T0.plus(5, ChronoUnit.MINUTES).toString()));
            assertEquals(Map.of(p0, 5L, p1, 5L), committed(admin, group));
            assertDone(replay(bootstrap, group, "--shift-by", "-2"));
            assertEquals(Map.of(p0, 3L, p1, 3L), committed(admin, group));

            assertRefused(replay(bootstrap, group, "--to-offset", "11"), "offset 11 is beyond its end offset 10");
            assertRefused(replay(bootstrap, group, "--shift-by", "8"), "committed 3 shifted by 8 is beyond its end offset 10");
            assertRefused(replay(bootstrap, group, "--to-datetime", T0.plus(1, ChronoUnit.DAYS).toString()),
                    "no record at or after the time, and 7 records after position 3 (end 10) unread");
            assertEquals(Map.of(p0, 3L, p1, 3L), committed(admin, group), "refused: nothing moved");

            assertDone(replay(bootstrap, group, "--to-offset", "10")); // exactly the end is a move the operator may order
            assertEquals(Map.of(p0, 10L, p1, 10L), committed(admin, group));
            assertDone(replay(bootstrap, group, "--to-datetime", T0.plus(1, ChronoUnit.DAYS).toString())); // read to the end: skips nothing
            assertEquals(Map.of(p0, 10L, p1, 10L), committed(admin, group));

            Output earliest = replay(bootstrap, group, "--to-earliest");
            assertEquals(0, earliest.code, earliest.text);
            assertTrue(earliest.text.contains("20 records will be re-read"), "10 per partition back to 0: " + earliest.text);
            assertEquals(Map.of(p0, 0L, p1, 0L), committed(admin, group));
            try (KafkaConsumer<String, String> again = consumer(bootstrap, group)) {
                assertEquals(2 * PER_PARTITION, consumeAll(again, topic, 2 * PER_PARTITION), "the group reads everything again");
            }
            Output latest = replay(bootstrap, group, "--to-latest"); // the end, named: allowed, and says what it skips
            assertDone(latest);
            assertTrue(latest.text.contains("20 records skipped"), latest.text);
            assertEquals(Map.of(p0, 10L, p1, 10L), committed(admin, group));
        }
        assertEquals(2, replay(bootstrap, group).code, "a target is required");
        assertEquals(2, replay(bootstrap, group, "--to-earliest", "--to-offset", "3").code, "one target only");
        assertEquals(2, replay(bootstrap, group, "--to-datetime", "yesterday").code, "ISO 8601 only");
        assertEquals(2, replay(bootstrap, "notifier", "--to-offset", "3").code, "the notifier is only rebuilt from the earliest");
    }

    private static void assertDone(Output out) {
        assertEquals(0, out.code, out.text);
    }

    private static void assertRefused(Output out, String why) {
        assertEquals(2, out.code, out.text);
        assertTrue(out.text.contains("REFUSED") && out.text.contains(why), why + ": " + out.text);
    }

    private record Output(int code, String text) {
    }

    /** scripts/replay GROUP ARGS against the test broker. */
    private static Output replay(String bootstrap, String group, String... args) throws IOException, InterruptedException {
        Path script = KafkaTools.repoFile("scripts/replay");
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), group));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("replay-", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
            Process p = pb.start();
            if (!p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("scripts/replay did not finish within " + SCRIPT_TIMEOUT + ": " + Files.readString(out));
            }
            Output result = new Output(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            System.out.printf("$ scripts/replay %s %s -> exit %d%n%s", group, String.join(" ", args), result.code, result.text);
            return result;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void produce(String bootstrap, String topic) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (int part = 0; part < 2; part++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    p.send(new ProducerRecord<>(topic, part, T0.plus(i, ChronoUnit.MINUTES).toEpochMilli(), "k", "v" + i))
                            .get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        return KafkaTestClients.committed(admin, group);
    }

    private static int members(Admin admin, String group) {
        try {
            return KafkaTestClients.liveMembers(admin, group);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Map<String, Object> conf = new HashMap<>();
        conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        conf.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        conf.put(ConsumerConfig.CLIENT_ID_CONFIG, "replayscript-client");
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
