package com.sportswallet.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.CreditCommand;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.outbox.KafkaSettings;
import com.sportswallet.outbox.SystemAlert;
import com.sportswallet.testkit.TestInfra;

/**
 * The order checks ({@link OrderCheck}) against the testkit's real broker and PostgreSQL. Each test
 * writes its records straight to topics of its own (a KafkaProducer, no relay: the records are
 * exactly what the test says, in the order it says) about players of its own, which exist only in
 * the test's transaction (rolled back afterwards), so no test sees another's data and the shared
 * database keeps nothing. Reconcile's {@code --only order} entry ({@link Reconcile#runOrder}) runs
 * the checks, as scripts/reconcile does.
 */
class OrderCheckTest {
    private static final URI SOURCE = URI.create("/test/order");
    /** One time for every record: a record built twice from the same facts is byte-identical, as a relay's re-send is. */
    private static final Instant TIME = Instant.parse("2026-01-01T00:00:00Z");
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    Path dir;

    private static Reconcile.Options defaults;
    private String events;
    private String commands;
    private String a;
    private String b;

    @BeforeAll
    static void infrastructure() {
        TestInfra infra = TestInfra.get();
        infra.migrate();
        defaults = Reconcile.Options.defaults(infra.bootstrapServers());
    }

    @BeforeEach
    void topicsAndPlayersOfThisTest(TestInfo test) throws Exception {
        String name = test.getTestMethod().orElseThrow().getName();
        int n = TOPICS.incrementAndGet();
        events = "order-test-" + n + "-events";
        commands = "order-test-" + n + "-commands";
        createTopic(events, 1);
        createTopic(commands, 1);
        String unique = name + "-" + UUID.randomUUID();
        a = "a-" + unique;
        b = "b-" + unique;
    }

    // ------------------------------------------------------------------ order

    @Test
    void anInOrderStreamHasNoViolations() throws Exception {
        produce(events,
                event(a, "a1", EventTypes.DEPOSIT, 1, 1L),
                event(b, "b1", EventTypes.DEPOSIT, 1, 1L),
                event(a, "a2", EventTypes.BET_PLACED, 2, 2L),
                event(a, "a3", EventTypes.BET_WON, 3, null), // a decision that moved no settled money: no sequence
                event(a, "a4", EventTypes.BET_ROLLED_BACK, 4, 3L),
                event(a, "a5", EventTypes.ALERT, 5, 3L), // the alert after a rollback restates the wallet it left: same sequence
                event(b, "b2", EventTypes.WITHDRAWAL, 2, 2L));
        produce(commands, command(a, "c1", 3), command(b, "c2", 1), command(a, "c3", 7));
        Run run = runOrder(defaults, a, b);
        assertEquals(0, run.report.discrepancies(), run.printed);
        assertEquals(List.of(OrderCheck.EVENTS_ORDER, OrderCheck.COMMANDS_ORDER),
                run.report.checks().stream().map(CheckResult::name).toList());
        assertTrue(run.printed.contains("order " + events + ": records 7 (from the beginning), players 2, violations 0, duplicates 0,"
                + " malformed 0, skipped 0 (no player_seq 0, unknown player 0, _system 0), ids remembered 7 of at most 3000000\n"),
                run.printed);
        assertTrue(run.printed.contains("order " + commands + ": records 3 (from the beginning), players 2, violations 0,"), run.printed);
    }

    @Test
    void aSwappedPairIsOneViolationNamingBoth() throws Exception {
        produce(events,
                event(a, "a1", EventTypes.DEPOSIT, 1, 1L),
                event(a, "a3", EventTypes.DEPOSIT, 3, 3L),
                event(a, "a2", EventTypes.DEPOSIT, 2, 2L),
                event(a, "a4", EventTypes.DEPOSIT, 4, 4L));
        Run run = runOrder(defaults, a);
        CheckResult check = run.report.check(OrderCheck.EVENTS_ORDER).orElseThrow();
        assertEquals(1, check.discrepancies(), run.printed);
        assertEquals(1, run.report.discrepancies(), run.printed);
        assertEquals(List.of("violation: player " + a + ": player_seq 2 sequence 2 (id " + id("a2") + ", " + events + "-0@2) after"
                + " player_seq 3 (id " + id("a3") + ", " + events + "-0@1): player_seq not increasing; sequence not increasing (the"
                + " player's last sequence 3, at " + events + "-0@1)"), check.examples());
    }

    @Test
    void aWalletSequenceGoingBackIsAViolationButNotOnTheAlertThatRestatesIt() throws Exception {
        produce(events,
                event(a, "a1", EventTypes.DEPOSIT, 1, 5L),
                event(a, "a2", EventTypes.ALERT, 2, 5L), // restates: fine
                event(a, "a3", EventTypes.BET_LOST, 3, null), // carries no sequence: compared with nothing
                event(a, "a4", EventTypes.WITHDRAWAL, 4, 5L), // a new balance event at the same wallet version
                event(a, "a5", EventTypes.DEPOSIT, 5, 6L));
        Run run = runOrder(defaults, a);
        CheckResult check = run.report.check(OrderCheck.EVENTS_ORDER).orElseThrow();
        assertEquals(1, check.discrepancies(), run.printed);
        assertEquals(List.of("violation: player " + a + ": player_seq 4 sequence 5 (id " + id("a4") + ", " + events + "-0@3) after"
                + " player_seq 3 (id " + id("a3") + ", " + events + "-0@2): sequence not increasing (the player's last sequence 5, at "
                + events + "-0@1)"), check.examples());
    }

    @Test
    void aPlayerOnTwoPartitionsIsAViolation() throws Exception {
        String split = "order-test-" + TOPICS.incrementAndGet() + "-split";
        createTopic(split, 2);
        produce(split, 0, event(a, "a1", EventTypes.DEPOSIT, 1, 1L));
        produce(split, 1, event(a, "a2", EventTypes.DEPOSIT, 2, 2L));
        Run run = runOrder(defaults.withTopics(commands, split, List.of()), a);
        CheckResult check = run.report.check(OrderCheck.EVENTS_ORDER).orElseThrow();
        assertEquals(1, check.discrepancies(), run.printed);
        // Which partition is read first is the consumer's choice: the violation names both records, in the order they were read.
        String example = check.examples().get(0);
        assertTrue(example.contains("(id " + id("a1") + ", " + split + "-0@0)")
                && example.contains("(id " + id("a2") + ", " + split + "-1@0)")
                && example.endsWith(": on another partition (a player's records on two partitions have no order)"), run.printed);
    }

    @Test
    void commandsMustFollowTheirDecisionsPlayerSeq() throws Exception {
        produce(commands, command(a, "c1", 2), command(a, "c2", 5), command(a, "c3", 4), command(b, "c4", 1));
        Run run = runOrder(defaults, a, b);
        CheckResult check = run.report.check(OrderCheck.COMMANDS_ORDER).orElseThrow();
        assertEquals(1, check.discrepancies(), run.printed);
        assertTrue(check.examples().get(0).startsWith("violation: player " + a + ": player_seq 4 (id " + commandId("c3") + ", " + commands
                + "-0@2) after player_seq 5 (id " + commandId("c2") + ", " + commands + "-0@1)"), run.printed);
        assertTrue(run.report.check(OrderCheck.EVENTS_ORDER).orElseThrow().ok(), run.printed);
    }

    // ------------------------------------------------------------------ duplicates and conflicts

    @Test
    void aByteIdenticalReSendAppearingLaterIsADuplicateNotAViolation() throws Exception {
        String a2 = event(a, "a2", EventTypes.DEPOSIT, 2, 2L);
        produce(events,
                event(a, "a1", EventTypes.DEPOSIT, 1, 1L),
                a2,
                event(a, "a3", EventTypes.DEPOSIT, 3, 3L),
                a2, // re-sent after a3: out of order, but a fact already seen
                event(a, "a4", EventTypes.DEPOSIT, 4, 4L));
        Run run = runOrder(defaults, a);
        assertEquals(0, run.report.discrepancies(), run.printed);
        assertTrue(run.printed.contains("order " + events + ": records 5 (from the beginning), players 1, violations 0, duplicates 1,"),
                run.printed);
    }

    @Test
    void theSameIdWithAnotherBodyIsAViolation() throws Exception {
        produce(events,
                event(a, "a1", EventTypes.DEPOSIT, 1, 1L),
                event(a, "a2", EventTypes.DEPOSIT, 2, 2L),
                event(a, "a2", EventTypes.DEPOSIT, 3, 3L)); // a2's id on another fact
        Run run = runOrder(defaults, a);
        CheckResult check = run.report.check(OrderCheck.EVENTS_ORDER).orElseThrow();
        assertEquals(1, check.discrepancies(), run.printed);
        assertEquals(List.of("violation: id " + id("a2") + " at " + events + "-0@2 (player " + a + ") has another body than its first"
                + " record at " + events + "-0@1"), check.examples());
        assertTrue(run.printed.contains("duplicates 0,"), run.printed);
    }

    // ------------------------------------------------------------------ malformed and skipped

    @Test
    void aRecordWhoseKeyIsNotItsSubjectOrThatIsNoCloudEventIsMalformed() throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            List<Future<?>> sent = new ArrayList<>();
            sent.add(producer.send(new ProducerRecord<>(events, b, event(a, "a1", EventTypes.DEPOSIT, 1, 1L)))); // under b's key
            sent.add(producer.send(new ProducerRecord<>(events, a, "not json")));
            ObjectNode noSpecversion = (ObjectNode) CloudEventJson.mapper().readTree(event(a, "a2", EventTypes.DEPOSIT, 2, 2L));
            noSpecversion.remove("specversion");
            sent.add(producer.send(new ProducerRecord<>(events, a, noSpecversion.toString())));
            sent.add(producer.send(new ProducerRecord<>(events, a, event(a, "a3", EventTypes.DEPOSIT, 3, 3L))));
            for (Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        Run run = runOrder(defaults, a, b);
        CheckResult check = run.report.check(OrderCheck.EVENTS_ORDER).orElseThrow();
        assertEquals(3, check.discrepancies(), run.printed);
        assertEquals(List.of(
                "malformed: record " + events + "-0@0 (key " + b + "): its key is not its subject " + a,
                "malformed: record " + events + "-0@1 (key " + a + "): not a JSON object",
                "malformed: record " + events + "-0@2 (key " + a + "): not a CloudEvent: no specversion"), check.examples());
        assertTrue(run.printed.contains("players 1, violations 0, duplicates 0, malformed 3,"), run.printed);
    }

    @Test
    void recordsWithoutPlayerSeqOfUnknownPlayersOrOfTheSystemAreSkippedNotDiscrepancies() throws Exception {
        String stranger = "unknown-" + a; // in no player row
        ObjectNode noSeq = data(a, 2, 2L);
        noSeq.remove("player_seq");
        produce(events,
                event(a, "a1", EventTypes.DEPOSIT, 1, 1L),
                CloudEventJson.serialize(id("a-old"), EventTypes.DEPOSIT, SOURCE, a, TIME, noSeq), // written before player_seq existed
                event(stranger, "s2", EventTypes.DEPOSIT, 2, 2L),
                event(stranger, "s1", EventTypes.DEPOSIT, 1, 1L), // out of order, but whose order is it?
                event(a, "a2", EventTypes.DEPOSIT, 2, 2L));
        try (KafkaProducer<String, String> producer = producer()) {
            ObjectNode alert = SystemAlert.data(SystemAlert.SYSTEM_KEY, SystemAlert.OUTBOX_PARKED, TIME).put("player_seq", 9);
            producer.send(new ProducerRecord<>(events, SystemAlert.SYSTEM_KEY, CloudEventJson.serialize(id("sys"), EventTypes.ALERT, SOURCE,
                    SystemAlert.SYSTEM_KEY, TIME, alert))).get(30, TimeUnit.SECONDS);
        }
        Run run = runOrder(defaults, a);
        assertEquals(0, run.report.discrepancies(), run.printed);
        assertTrue(run.printed.contains("order " + events + ": records 6 (from the beginning), players 1, violations 0, duplicates 0,"
                + " malformed 0, skipped 4 (no player_seq 1, unknown player 2, _system 1)"), run.printed);
    }

    // ------------------------------------------------------------------ checkpoint and bounds

    @Test
    void aRunFromTheCheckpointReadsOnlyNewRecordsAndCatchesAViolationAcrossTheBoundary() throws Exception {
        Path checkpoint = dir.resolve("order.checkpoint");
        String a2 = event(a, "a2", EventTypes.DEPOSIT, 2, 2L);
        produce(events, event(a, "a1", EventTypes.DEPOSIT, 1, 1L), a2, event(b, "b1", EventTypes.DEPOSIT, 1, 1L),
                event(b, "b2", EventTypes.DEPOSIT, 2, 2L));
        produce(commands, command(a, "c1", 1));
        Reconcile.Options o = defaults.withCheckpoint(checkpoint);
        Run first = runOrder(o, a, b);
        assertEquals(0, first.report.discrepancies(), first.printed);
        assertTrue(first.printed.contains("order " + events + ": records 4 (from the beginning), players 2,"), first.printed);
        assertTrue(Files.exists(checkpoint));

        // After the checkpoint: a's next fact, a re-send of a2 (a relay that crashed after the first run read it: a duplicate, not a
        // violation), and b at player_seq 1 again under a new id: a violation against b2, which only the first run read.
        produce(events, event(a, "a3", EventTypes.DEPOSIT, 3, 3L), a2, event(b, "b1-again", EventTypes.DEPOSIT, 1, 3L));
        Run second = runOrder(o, a, b);
        assertTrue(second.printed.contains("order " + events + ": records 3 (from the checkpoint), players 2, violations 1, duplicates 1,"),
                second.printed);
        assertTrue(second.printed.contains("order " + commands + ": records 0 (from the checkpoint)"), second.printed);
        CheckResult check = second.report.check(OrderCheck.EVENTS_ORDER).orElseThrow();
        assertEquals(1, second.report.discrepancies(), second.printed);
        assertEquals(List.of("violation: player " + b + ": player_seq 1 sequence 3 (id " + id("b1-again") + ", " + events + "-0@6) after"
                + " player_seq 2 (id " + id("b2") + ", " + events + "-0@3): player_seq not increasing"), check.examples());

        // Nothing new: nothing read, nothing found; the checkpoint moved past the violation.
        Run third = runOrder(o, a, b);
        assertEquals(0, third.report.discrepancies(), third.printed);
        assertTrue(third.printed.contains("order " + events + ": records 0 (from the checkpoint), players 0,"), third.printed);
    }

    @Test
    void aCheckpointFromAnotherTopicOrCutShortIsRefused() throws Exception {
        Path checkpoint = dir.resolve("bad.checkpoint");
        Files.writeString(checkpoint, OrderCheckpoint.HEADER + "\ntopic " + events + "\nnext 0 5\nend\n");
        try (Connection c = TestInfra.get().connect()) {
            Reconcile.Options o = defaults.withTopics(commands, events, List.of()).withCheckpoint(checkpoint);
            ReconcileException beyond = assertThrows(ReconcileException.class,
                    () -> Reconcile.runOrder(c, o, quiet()));
            assertTrue(beyond.getMessage().contains("ends at offset 0, but a read from offset 5 was asked"), beyond.getMessage());
            Files.writeString(checkpoint, OrderCheckpoint.HEADER + "\ntopic " + events + "\nnext 0 0\n");
            ReconcileException cut = assertThrows(ReconcileException.class,
                    () -> Reconcile.runOrder(c, o, quiet()));
            assertTrue(cut.getMessage().contains("has no 'end' line"), cut.getMessage());
        }
    }

    @Test
    void pastTheIdCapDuplicateDetectionIsPartialAndSaysSo() throws Exception {
        String a1 = event(a, "a1", EventTypes.DEPOSIT, 1, 1L);
        String a3 = event(a, "a3", EventTypes.DEPOSIT, 3, 3L);
        produce(events, a1, event(a, "a2", EventTypes.DEPOSIT, 2, 2L), a3, a1, a3);
        Run run = runOrder(defaults.withOrderIdsMax(2), a);
        // a1 is remembered: its re-send is a duplicate. a3 came past the cap: its re-send cannot be told from a new fact.
        assertTrue(run.printed.contains("violations 1, duplicates 1, malformed 0, skipped 0 (no player_seq 0, unknown player 0, _system 0),"
                + " ids remembered 2 of at most 2 (PARTIAL duplicate detection: ids past the cap were not remembered)"), run.printed);
        CheckResult check = run.report.check(OrderCheck.EVENTS_ORDER).orElseThrow();
        assertTrue(check.examples().get(0).endsWith("(duplicate detection is partial: it may be a re-send of an id no longer remembered)"),
                run.printed);
    }

    // ------------------------------------------------------------------ the command line

    @Test
    void onlyOrderOnTheCommandLinePrintsEachTopicAndExitsOneOnADiscrepancy() throws Exception {
        TestInfra infra = TestInfra.get();
        Assumptions.assumeTrue(infra.dbPassword() == null || infra.dbPassword().isEmpty(), "the password only comes from the environment");
        // A malformed record needs no player in the database (this command line's own connection sees no test transaction).
        produce(events, "not json");
        Path checkpoint = dir.resolve("cli.checkpoint");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Reconcile.run(new String[] { "--jdbc-url", infra.jdbcUrl(), "--db-user", infra.dbUser(), "--bootstrap-servers",
                infra.bootstrapServers(), "--only", "order", "--events-topic", events, "--commands-topic", commands, "--checkpoint",
                checkpoint.toString() }, new PrintStream(out, true), quiet());
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(1, status, String.join("\n", lines));
        assertEquals(6, lines.length, String.join("\n", lines));
        assertTrue(lines[0].startsWith("order " + events + ": records 1 (from the beginning), players 0, violations 0, duplicates 0,"
                + " malformed 1,"), lines[0]);
        assertTrue(lines[1].startsWith("order " + commands + ": records 0 (from the beginning)"), lines[1]);
        assertEquals("check events-order: 1 discrepancy", lines[2]);
        assertEquals("  malformed: record " + events + "-0@0 (key " + a + "): not a JSON object", lines[3]);
        assertEquals("check commands-order: ok", lines[4]);
        assertEquals("discrepancies: 1", lines[5]);
        assertTrue(Files.readString(checkpoint).contains("topic " + events + "\nnext 0 1\n"), Files.readString(checkpoint));

        // Bad values exit 2 before anything is read.
        assertEquals(2, Reconcile.run(new String[] { "--only", "everything" }, quiet(), quiet()));
        assertEquals(2, Reconcile.run(new String[] { "--order-ids-max", "-1" }, quiet(), quiet()));
        assertEquals(2, Reconcile.run(new String[] { "--only", "order", "--log", "run.jsonl" }, quiet(), quiet()));
    }

    // ------------------------------------------------------------------ helpers

    private record Run(Report report, String printed) {
    }

    /** Reconcile's order checks on this test's topics, with {@code players} in the database for the run only. */
    private Run runOrder(Reconcile.Options o, String... players) throws Exception {
        if (o.eventsTopic().equals(defaults.eventsTopic())) {
            o = o.withTopics(commands, events, List.of());
        }
        ByteArrayOutputStream summaries = new ByteArrayOutputStream();
        try (Connection c = TestInfra.get().connect()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO player (id) VALUES (?)")) {
                    for (String p : players) {
                        ps.setString(1, p);
                        ps.executeUpdate();
                    }
                }
                Report report = Reconcile.runOrder(c, o, new PrintStream(summaries, true, StandardCharsets.UTF_8));
                PrintStream printed = new PrintStream(summaries, true, StandardCharsets.UTF_8);
                report.print(printed);
                return new Run(report, summaries.toString(StandardCharsets.UTF_8));
            } finally {
                c.rollback();
            }
        }
    }

    /** A wallet event of {@code player} with a stable id from {@code idPart}; {@code sequence} null: none. */
    private static String event(String player, String idPart, String type, long playerSeq, Long sequence) {
        return CloudEventJson.serialize(id(idPart), type, SOURCE, player, TIME, data(player, playerSeq, sequence));
    }

    private static ObjectNode data(String player, long playerSeq, Long sequence) {
        ObjectNode data = CloudEventJson.mapper().createObjectNode().put("player_id", player).put("currency", "EUR").put("amount", 1);
        if (sequence != null) {
            data.put("balance_after", 100).put("sequence", sequence);
        }
        return data.put("player_seq", playerSeq);
    }

    /** A settlement command of {@code player} carrying its decision's {@code playerSeq}. */
    private static String command(String player, String creditPart, long playerSeq) {
        return CloudEventJson.serialize(commandId(creditPart), CreditCommand.TYPE, SOURCE, player, TIME,
                CreditCommand.data(creditPart, 1, player, "bet-" + creditPart, "WIN", 10, "EUR", playerSeq));
    }

    private static String id(String idPart) {
        return CloudEventJson.stableId("order-test", idPart);
    }

    private static String commandId(String creditPart) {
        return CloudEventJson.stableId(CreditCommand.TYPE, creditPart);
    }

    /** Each value under its subject's key (this test's {@code a} for one that has none), in order, on the topic's partition 0. */
    private void produce(String topic, String... values) throws Exception {
        produce(topic, 0, values);
    }

    private void produce(String topic, int partition, String... values) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            List<Future<?>> sent = new ArrayList<>();
            for (String v : values) {
                String key = a;
                try {
                    key = CloudEventJson.mapper().readTree(v).path("subject").asText(a);
                } catch (java.io.IOException notJson) {
                    // not JSON: under a's key
                }
                sent.add(producer.send(new ProducerRecord<>(topic, partition, key, v)));
            }
            for (Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS); // the idempotent producer keeps the partition's order
            }
        }
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(KafkaSettings.relayProducer(TestInfra.get().bootstrapServers(), "order-check-test", 10_000));
    }

    private static void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true);
    }
}
