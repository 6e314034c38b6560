package com.sportswallet.notifier;

import static com.sportswallet.notifier.streams.WalletEventsFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.notifier.streams.TopologyProducer;
import com.sportswallet.notifier.streams.NotifierSettings;
import com.sportswallet.notifier.streams.PlayerState;
import com.sportswallet.notifier.streams.StoreNames;
import com.sportswallet.notifier.support.KafkaTestClients;
import com.sportswallet.notifier.support.StreamsRunner;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.KafkaTools;
import com.sportswallet.testkit.TestInfra;

/**
 * The notifier replayed from the beginning (real broker), the way scripts/replay does it: Kafka's own
 * StreamsResetter (input offsets to the earliest, internal topics deleted), then the local state deleted.
 * The rebuild has exactly the aggregates it had, and re-emits the same output ids with the same bodies,
 * instead of adding every event a second time. The resetter refuses a running application.
 */
class NotifierReplayTest {
    static final Duration TOPICS_GONE_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aFullResetRebuildsTheSameAggregatesAndReEmitsTheSameIds() throws Exception {
        String bootstrap = TestInfra.get().bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        // Topics of its own: the @QuarkusTest notifier of this JVM consumes wallet.events too and would emit the same ids.
        TopologyProducer.TopicNames topics = new TopologyProducer.TopicNames("replaytest-" + run + ".wallet.events",
                "replaytest-" + run + ".crm.events", "replaytest-" + run + ".bonus.events");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topics.walletEvents(), 3, (short) 1), new NewTopic(topics.crmEvents(), 3, (short) 1),
                    new NewTopic(topics.bonusEvents(), 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        // Not "notifier-...": the reset's internal-topic rule (<app>-*-changelog) must not reach another app's topics.
        String app = "replaytest-" + run;
        Path stateDir = Files.createDirectories(Path.of("target", "replay-state", run));
        List<Ev> events = events(run);
        KafkaTestClients.produce(bootstrap, topics.walletEvents(), events);
        String prefix = "rp-" + run + "-";

        Map<String, PlayerState> live;
        try (StreamsRunner first = new StreamsRunner(bootstrap, app, stateDir, NotifierSettings.defaults(), topics)) {
            first.awaitCaughtUp();
            live = mine(first.players(), prefix);
            assertEquals(40, live.size(), "every player of this run has an aggregate");

            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                var before = KafkaTestClients.committed(admin, app);
                KafkaTools.Result refused = KafkaTools.streamsReset(bootstrap, app, topics.walletEvents());
                assertNotEquals(0, refused.exitCode(), "a running application is never reset: " + refused.output());
                assertTrue(refused.output().contains("is still active"), refused.output());
                assertEquals(before, KafkaTestClients.committed(admin, app), "the refused reset changed no offset");
                assertEquals(StoreNames.ALL.size(), KafkaTestClients.internalTopics(admin, app).size(), "its changelogs are still there");
            }
        }
        List<JsonNode> crmBefore = outputs(bootstrap, topics.crmEvents(), prefix);
        List<JsonNode> bonusBefore = outputs(bootstrap, topics.bonusEvents(), prefix);

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            assertEquals(0, KafkaTestClients.liveMembers(admin, app),
                    "a closed notifier has left its group at once (internal.leave.group.on.close)");
            long read = KafkaTestClients.committed(admin, app).values().stream().mapToLong(Long::longValue).sum();
            assertTrue(read >= events.size(), "the first run read everything: " + read);
            assertTrue(Files.exists(stateDir.resolve(app)), "the first run left its local state");
            KafkaTools.Result reset = KafkaTestClients.rebuildFromEarliest(bootstrap, app, topics.walletEvents(), stateDir);
            assertEquals(0, reset.exitCode(), reset.output());
            assertEquals(StoreNames.ALL.stream().map(s -> app + "-" + s + "-changelog").sorted().toList(), deletedTopics(reset.output()),
                    "the resetter deletes exactly the changelogs of this app: " + reset.output());
            Await.until(TOPICS_GONE_TIMEOUT, () -> internalTopics(admin, app).isEmpty(), "internal topics deleted");
            assertFalse(Files.exists(stateDir.resolve(app)), "local state deleted");
            assertTrue(KafkaTestClients.committed(admin, app).values().stream().allMatch(o -> o == 0), "input offsets at the earliest");
        }

        try (StreamsRunner second = new StreamsRunner(bootstrap, app, stateDir, NotifierSettings.defaults(), topics)) {
            second.awaitCaughtUp();
            assertEquals(live, mine(second.players(), prefix), "rebuilt aggregates equal the live ones, not twice them");
        }
        List<JsonNode> crmAfter = outputs(bootstrap, topics.crmEvents(), prefix);
        List<JsonNode> bonusAfter = outputs(bootstrap, topics.bonusEvents(), prefix);
        assertSameIdsSameBodies(crmBefore, crmAfter);
        assertSameIdsSameBodies(bonusBefore, bonusAfter);
    }

    /** The topics named on StreamsResetter's "Deleting inferred internal topics [a, b]" line, sorted. */
    private static List<String> deletedTopics(String output) {
        Matcher m = Pattern.compile("Deleting inferred internal topics \\[(.*)\\]").matcher(output);
        assertTrue(m.find(), output);
        return m.group(1).isBlank() ? List.of() : Stream.of(m.group(1).split(", ")).sorted().toList();
    }

    private static List<String> internalTopics(Admin admin, String app) {
        try {
            return KafkaTestClients.internalTopics(admin, app);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** 40 players, each with a deposit, bets settled every way, a rollback, plus duplicates, shuffled across players. */
    static List<Ev> events(String run) {
        Random random = new Random(7);
        Instant t = BASE;
        List<Ev> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String p = "rp-" + run + "-" + i;
            out.add(deposit(p, p + "-dep", 1_000_000, 1_000_000, 1, t));
            for (int b = 0; b < 5; b++) {
                String bet = betId(p + "-b" + b);
                long stake = 100 + random.nextInt(10_000);
                out.add(placed(p, bet, stake, t.plusSeconds(b)));
                String sid = settlementId("bet/win", p + "-s" + b);
                switch (b % 4) {
                    case 0 -> out.add(won(p, bet, sid, stake * 30, false, t.plusSeconds(10 + b)));
                    case 1 -> out.add(lost(p, bet, sid, t.plusSeconds(10 + b)));
                    case 2 -> out.add(refunded(p, bet, sid, stake / 2, t.plusSeconds(10 + b)));
                    default -> {
                        out.add(won(p, bet, sid, stake * 2, true, t.plusSeconds(10 + b)));
                        out.add(rolledBack(p, bet, settlementId("bet/rollback", p + "-rb" + b), sid, "cashout", stake * 2,
                                t.plusSeconds(20 + b)));
                    }
                }
            }
            out.add(withdrawal(p, p + "-wd", 1_000, 999_000, 9, t.plusSeconds(30)));
        }
        for (int d = 0; d < 30; d++) {
            out.add(out.get(random.nextInt(out.size())));
        }
        return current(out);
    }

    private static Map<String, PlayerState> mine(Map<String, PlayerState> all, String prefix) {
        return all.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static List<JsonNode> outputs(String bootstrap, String topic, String prefix) throws Exception {
        // Bounded read of what is there now (the apps are closed: nothing more is coming).
        return KafkaTestClients.readUntil(bootstrap, topic, e -> e.get("subject").asText().startsWith(prefix), found -> false,
                Duration.ofSeconds(4));
    }

    /** Every id of the first run appears again after the replay, with a byte-identical body, and no new id appears. */
    private static void assertSameIdsSameBodies(List<JsonNode> before, List<JsonNode> after) {
        Map<String, JsonNode> firstById = new HashMap<>();
        before.forEach(e -> firstById.putIfAbsent(e.get("id").asText(), e));
        assertFalse(firstById.isEmpty());
        Map<String, Long> countsAfter = after.stream().collect(Collectors.groupingBy(e -> e.get("id").asText(), Collectors.counting()));
        assertEquals(firstById.keySet(), countsAfter.keySet(), "the replay emits exactly the ids of the first run");
        for (JsonNode e : after) {
            assertEquals(firstById.get(e.get("id").asText()), e, "same id, same event");
        }
        long firstRunCount = before.size();
        assertEquals(2 * firstRunCount, after.size(), "each event once per run: the replay re-emitted each id once more");
    }
}
