package com.sportswallet.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.CreditCommand;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.TopicSettings;
import com.sportswallet.contracts.Topics;
import com.sportswallet.contracts.event.Alert;
import com.sportswallet.contracts.event.BetDiscarded;
import com.sportswallet.contracts.event.BetPlaced;
import com.sportswallet.contracts.event.BetRolledBack;
import com.sportswallet.contracts.event.BetSettled;
import com.sportswallet.contracts.event.MoneyMoved;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.money.BetMake;
import com.sportswallet.money.CreditBatch;
import com.sportswallet.money.Ledger;
import com.sportswallet.money.Limits;
import com.sportswallet.money.PendingCredit;
import com.sportswallet.money.Reversal;
import com.sportswallet.money.Spend;
import com.sportswallet.money.WalletEvents;
import com.sportswallet.outbox.KafkaSettings;
import com.sportswallet.outbox.Outbox;
import com.sportswallet.outbox.OutboxRelay;
import com.sportswallet.testkit.TestInfra;
import com.sportswallet.worker.settlement.SettlementConsumer;

/**
 * Reconcile against the real PostgreSQL and Kafka of the testkit. A small consistent world is built
 * once, through the real worker (SettlementConsumer and {@link CreditBatch} apply the credits from
 * settlement.commands) and the real outbox relay (OutboxRelay publishes every outbox row), with the
 * ingress's decisions written by {@link Ingress} with the money module's statements, as the
 * ingress's services write them, and a loadgen log of those callbacks. Reconcile finds nothing
 * there. Then each kind of discrepancy is seeded alone, inside a transaction that is rolled back
 * afterwards (Reconcile runs in it), and Reconcile must report exactly the check that proves it.
 */
class ReconcileTest {
    /** Short: the seeded PENDING credit and outbox row never settle; the consistent world needs no wait. */
    private static final Duration WAIT = Duration.ofSeconds(1);
    private static final Duration SETTLE_MAX = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static DataSource ds;
    private static Path log;
    private static Reconcile.Options options;

    @BeforeAll
    static void buildTheWorld() throws Exception {
        TestInfra infra = TestInfra.get();
        infra.migrate();
        try (Admin admin = admin()) {
            Topics.ensure(admin, TopicSettings.defaults().withPartitions(3), Duration.ofSeconds(30));
        }
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(infra.jdbcUrl());
        pg.setUser(infra.dbUser());
        pg.setPassword(infra.dbPassword());
        ds = pg;
        options = Reconcile.Options.defaults(infra.bootstrapServers()).withWait(WAIT);
        log = dir.resolve("loadgen.jsonl");
        new World().build(log);
    }

    // ------------------------------------------------------------------ the consistent world

    @Test
    void theConsistentWorldHasNoDiscrepancies() throws Exception {
        Report report = reconcile(null, options.withLog(log));
        assertEquals(List.of(), report.failing(), () -> printed(report));
        assertEquals(0, report.discrepancies());
        assertEquals(List.of("wallet-balance", "wallet-pending", "ledger-versions", "ledger-running-balance", "no-overdraft", "write-off",
                "bets-debited-once", "credits-applied-once", "rollbacks-reversed-once", "credits-pending", "outbox-drained",
                "credits-match-decisions", "bet-states", "bonus-bindings", "grant-totals", "promotion-claims",
                "usage-rows-equal-their-facts", "accepted-within-limits", "settlement-commands", "ledger-events", "decision-events", "player-seq",
                "available-after", "answered-balance", "dlq-explained", "consumer-lag", "events-order", "commands-order", "log-effects"),
                report.checks().stream().map(CheckResult::name).toList());
        // Without a log, the same minus the per-callback check.
        Report withoutLog = reconcile(null, options);
        assertEquals(0, withoutLog.discrepancies(), () -> printed(withoutLog));
        assertTrue(withoutLog.check("log-effects").isEmpty());
    }

    @Test
    void theCommandLinePrintsEachCheckAndTheTotalAndExitsZero() {
        TestInfra infra = TestInfra.get();
        Assumptions.assumeTrue(infra.dbPassword() == null || infra.dbPassword().isEmpty(), "the password only comes from the environment");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Reconcile.run(new String[] { "--jdbc-url", infra.jdbcUrl(), "--db-user", infra.dbUser(), "--bootstrap-servers",
                infra.bootstrapServers(), "--log", log.toString(), "--wait-seconds=1" }, new PrintStream(out, true), quiet());
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(0, status, String.join("\n", lines));
        assertEquals("discrepancies: 0", lines[lines.length - 1]);
        assertEquals(30, lines.length);
        assertEquals("check wallet-balance: ok", lines[0]);
    }

    @Test
    void badOptionsAndAnUnreachableDatabaseExitTwo() {
        assertEquals(2, Reconcile.run(new String[] { "--wait-seconds", "soon" }, quiet(), quiet()));
        assertEquals(2, Reconcile.run(new String[] { "--no-such-option", "x" }, quiet(), quiet()));
        assertEquals(2, Reconcile.run(new String[] { "--log", dir.resolve("absent.jsonl").toString() }, quiet(), quiet()));
        assertEquals(2, Reconcile.run(new String[] { "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/wallet", "--bootstrap-servers",
                TestInfra.get().bootstrapServers() }, quiet(), quiet()));
    }

    // ------------------------------------------------------------------ each discrepancy, seeded alone

    @Test
    void aLedgerRowWithoutItsBalanceChange() throws Exception {
        Report report = reconcile(c -> {
            Wallet w = Wallet.of(c, "p1");
            // The entry and the version, but the balance not moved.
            entry(c, w.id, 77, w.balance + 77, w.version + 1, "deposit", "deposit:seed-a");
            update(c, w.id, w.balance, w.version + 1);
            produceEvent(EventTypes.DEPOSIT, "seed-a", "p1", 77, w.balance + 77, w.version + 1);
        }, options);
        assertOnly(report, "wallet-balance", 1);
    }

    @Test
    void aLostOutboxRowLeavesALedgerEntryWithoutItsEvent() throws Exception {
        Report report = reconcile(c -> {
            Wallet w = Wallet.of(c, "p3");
            // A deposit committed with its balance change, but its outbox row lost: no event ever.
            entry(c, w.id, 5, w.balance + 5, w.version + 1, "deposit", "deposit:seed-b");
            update(c, w.id, w.balance + 5, w.version + 1);
        }, options);
        assertOnly(report, "ledger-events", 1);
        assertTrue(report.check("ledger-events").orElseThrow().examples().get(0).contains("deposit:seed-b"));
    }

    @Test
    void aCreditAppliedTwice() throws Exception {
        String creditId = CloudEventJson.stableId("bet/win", "w1");
        Report report = reconcile(c -> {
            Wallet w = Wallet.of(c, "p1");
            // The worker applied credit w1 a second time, under a derived ledger key.
            entry(c, w.id, 250, w.balance + 250, w.version + 1, "credit", "credit:" + creditId + "#again");
            update(c, w.id, w.balance + 250, w.version + 1);
            produceEvent(EventTypes.CREDIT_APPLIED, creditId + "#again", "p1", 250, w.balance + 250, w.version + 1);
        }, options);
        assertOnly(report, "credits-applied-once", 1);
        assertTrue(report.check("credits-applied-once").orElseThrow().examples().get(0).contains("applied more than once"));
    }

    @Test
    void aVersionGap() throws Exception {
        Report report = reconcile(c -> {
            Wallet w = Wallet.of(c, "p2");
            // An entry at version + 2: version + 1 never written.
            entry(c, w.id, 5, w.balance + 5, w.version + 2, "deposit", "deposit:seed-d");
            update(c, w.id, w.balance + 5, w.version + 2);
            produceEvent(EventTypes.DEPOSIT, "seed-d", "p2", 5, w.balance + 5, w.version + 2);
        }, options);
        assertOnly(report, "ledger-versions", 1);
        assertTrue(report.check("ledger-versions").orElseThrow().examples().get(0).contains("missing ["), () -> printed(report));
    }

    @Test
    void aPlayerSeqValueWithoutItsEvent() throws Exception {
        // The wallet's counter names one more wallet.events record about p1 than the topic holds (a lost outbox row).
        Report report = reconcile(c -> exec(c, "UPDATE wallet SET player_seq = player_seq + 1 WHERE player_id = 'p1'"), options);
        assertOnly(report, "player-seq", 1);
        assertTrue(report.check("player-seq").orElseThrow().examples().get(0).contains(": no event on"), () -> printed(report));
    }

    @Test
    void aPendingCreditLeftBehind() throws Exception {
        Report report = reconcile(c -> {
            // p3's latest entry is a credit the worker applied: undo it, as if the worker never had.
            Wallet w = Wallet.of(c, "p3");
            String key;
            long amount;
            try (PreparedStatement ps = c.prepareStatement("SELECT idempotency_key, amount FROM ledger_entry WHERE wallet_id = ? AND wallet_version = ?")) {
                ps.setLong(1, w.id);
                ps.setLong(2, w.version);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    key = rs.getString(1);
                    amount = rs.getLong(2);
                }
            }
            assertTrue(key.startsWith("credit:"), key);
            exec(c, "DELETE FROM ledger_entry WHERE idempotency_key = '" + key + "'");
            update(c, w.id, w.balance - amount, w.version - 1);
            exec(c, "UPDATE wallet SET pending = pending + " + amount + " WHERE id = " + w.id); // back from balance to pending
            exec(c, "UPDATE credit SET status = 'PENDING', decided_at = NULL WHERE id = '" + key.substring("credit:".length()) + "'");
        }, options.withLog(log));
        assertOnly(report, "credits-pending", 1);
    }

    @Test
    void aWalletPendingThatIsNotTheSumOfItsPendingCredits() throws Exception {
        // On the consistent world every credit was decided: each wallet's pending is 0, as its PENDING credits.
        assertTrue(reconcile(null, options).check("wallet-pending").orElseThrow().ok());
        // pending raised with no credit behind it (an advance without its credit row, say).
        Report report = reconcile(c -> exec(c, "UPDATE wallet SET pending = pending + 7 WHERE player_id = 'p1'"), options);
        assertOnly(report, "wallet-pending", 1);
        assertTrue(report.check("wallet-pending").orElseThrow().examples().get(0).matches("wallet \\d+ \\(player p1\\): pending 7, its 0"
                + " PENDING credits sum to 0"), () -> printed(report));
    }

    @Test
    void aPendingCreditWrittenWithItsPendingIsNoWalletPendingDiscrepancy() throws Exception {
        // A credit decided as the ingress decides it (its row, then the wallet's pending), never applied:
        // credits-pending reports it, wallet-pending does not; the same row without its pending change does.
        Seed credit = c -> PendingCredit.insert(c, "seed-pending-credit", Wallet.of(c, "p1").id(), "p1",
                CloudEventJson.stableId("bet/make", "m1"), PendingCredit.WIN, 7);
        Report withPending = reconcile(c -> {
            credit.apply(c);
            WalletEvents.advance(c, Wallet.of(c, "p1").id(), 7);
        }, options);
        assertTrue(withPending.failing().contains("credits-pending"), () -> printed(withPending));
        assertTrue(withPending.check("wallet-pending").orElseThrow().ok(), () -> printed(withPending));
        Report without = reconcile(credit, options);
        assertEquals(1, without.check("wallet-pending").orElseThrow().discrepancies(), () -> printed(without));
        assertTrue(without.check("wallet-pending").orElseThrow().examples().get(0).endsWith("pending 0, its 1 PENDING credits sum to 7"),
                () -> printed(without));
    }

    @Test
    void aMakeInTheLogWithoutItsBetAndDebit() throws Exception {
        Path ghost = dir.resolve("ghost.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(log));
        lines.add(World.line(100, "bet/make", "m-ghost", "m-ghost", null, null, "p1", 100, false, 200, null, 100L));
        Files.write(ghost, lines);
        Report report = reconcile(null, options.withLog(ghost));
        assertOnly(report, "log-effects", 1);
        assertTrue(report.check("log-effects").orElseThrow().examples().get(0).contains("m-ghost"));
    }

    @Test
    void aBalanceDrivenBelowZeroByAWithdrawal() throws Exception {
        Report report = reconcile(c -> {
            Wallet w = Wallet.of(c, "p1");
            // A debit that was not conditional on the balance.
            long amount = w.balance + 10;
            entry(c, w.id, -amount, -10, w.version + 1, "withdrawal", "withdrawal:seed-g");
            update(c, w.id, -10, w.version + 1);
            produceEvent(EventTypes.WITHDRAWAL, "seed-g", "p1", -amount, -10, w.version + 1);
        }, options);
        assertOnly(report, "no-overdraft", 1);
    }

    @Test
    void anOutboxRowNotPublished() throws Exception {
        Report report = reconcile(c -> Outbox.append(c, Topics.WALLET_EVENTS, "p1", "seed-h", "{}"), options);
        assertOnly(report, "outbox-drained", 1);
    }

    @Test
    void aConsumerGroupBehind() throws Exception {
        // One discrepancy per partition of wallet.events holding records the group never consumed.
        long partitionsWithEvents = partitionsWithEvents();
        assertTrue(partitionsWithEvents > 0);
        Report report = reconcile(null, options.withGroups(SettlementConsumer.GROUP_ID, "a-notifier-that-never-ran"));
        assertOnly(report, "consumer-lag", partitionsWithEvents);
        assertTrue(report.check("consumer-lag").orElseThrow().examples().get(0).contains("records behind"), () -> printed(report));
    }

    @Test
    void aWriteOffIsNoOverdraftButAStakeLeavingABalanceBelowZeroIs() throws Exception {
        // The world's absorbed rollback left the house's write-off account below zero, by design.
        assertEquals(1, World.count("SELECT count(*) FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE w.kind = 'WRITE_OFF'"
                + " AND l.operation = 'write-off' AND l.amount = -300 AND l.balance_after = -300"));
        Report clean = reconcile(null, options);
        assertTrue(clean.check("no-overdraft").orElseThrow().ok(), () -> printed(clean));
        assertTrue(clean.check("write-off").orElseThrow().ok(), () -> printed(clean));
        String tx = "seed-overdraft";
        String betId = CloudEventJson.stableId("bet/make", tx);
        Report report = reconcile(c -> {
            Wallet w = Wallet.of(c, "p1");
            // A make whose debit was not conditional on the balance: its bet, its entry, its event.
            long stake = w.balance + 10;
            exec(c, "INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake, state) VALUES ('" + betId + "', '" + tx
                    + "', 'p1', " + w.id + ", 'EUR', " + stake + ", 'OPEN')");
            entry(c, w.id, -stake, -10, w.version + 1, "bet", "bet/make:" + tx);
            update(c, w.id, -10, w.version + 1);
            produceEvent(EventTypes.BET_PLACED, betId, "p1", -stake, -10, w.version + 1);
        }, options);
        assertOnly(report, "no-overdraft", 1);
        assertTrue(report.check("no-overdraft").orElseThrow().examples().get(0).contains(": bet bet/make:" + tx + " of "),
                () -> printed(report));
    }

    @Test
    void anAbsorbedShortfallWithoutItsWriteOff() throws Exception {
        // The write-off entry no longer pairs with the absorbed one (another key): both are unpaired; the totals still agree.
        Report report = reconcile(c -> exec(c, "UPDATE ledger_entry SET idempotency_key = idempotency_key || '#2'"
                + " WHERE operation = 'write-off'"), options);
        assertOnly(report, "write-off", 2);
        String examples = String.join("\n", report.check("write-off").orElseThrow().examples());
        assertTrue(examples.contains("rollback-absorbed entry bet/rollback:r11:absorbed (+300 on wallet "), examples);
        assertTrue(examples.contains("no write-off entry bet/rollback:r11:absorbed:write-off"), examples);
        assertTrue(examples.contains("write-off entry bet/rollback:r11:absorbed:write-off#2 (-300 on wallet "), examples);
    }

    @Test
    void theWriteOffAccountHoldingMoreThanWasAbsorbed() throws Exception {
        Report report = reconcile(c -> {
            // An entry of another kind on the house's account: its ledger no longer sums to minus what was absorbed.
            long house;
            long version;
            try (var s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, version FROM wallet WHERE kind = 'WRITE_OFF'"
                    + " AND currency = 'EUR'")) {
                assertTrue(rs.next());
                house = rs.getLong(1);
                version = rs.getLong(2);
            }
            entry(c, house, 50, -250, version + 1, "deposit", "deposit:seed-house");
            update(c, house, -250, version + 1);
        }, options);
        assertOnly(report, "write-off", 1);
        String example = report.check("write-off").orElseThrow().examples().get(0);
        assertTrue(example.matches("EUR: the write-off account \\(wallet \\d+, 2 entries\\) sums to -250,"
                + " but the 1 rollback-absorbed entries add 300"), () -> printed(report));
    }

    @Test
    void everyStoredAnswerIsCheckedAgainstTheEvents() throws Exception {
        // 4 deposits, 2 withdrawals, 10 makes, 7 settlements, 5 rollbacks and 2 discards answered a balance, each with its
        // player_seq (the discard of a settled bet changed nothing and stored no answer).
        assertEquals(30, World.count("SELECT count(*) FROM idempotency_record WHERE player_seq IS NOT NULL AND response_status = 200"
                + " AND response_body LIKE '%\"balance\":%'"));
        assertEquals(0, World.count("SELECT count(*) FROM idempotency_record WHERE player_seq IS NULL"));
        Report report = reconcile(null, options);
        assertTrue(report.check("answered-balance").orElseThrow().ok(), () -> printed(report));
        assertTrue(report.check("available-after").orElseThrow().ok(), () -> printed(report));
    }

    @Test
    void anAnsweredBalanceThatIsNotTheAvailableBalanceOfItsPlayerSeq() throws Exception {
        Report report = reconcile(c -> exec(c, "UPDATE idempotency_record SET response_body = " + balancePlusOne()
                + " WHERE endpoint = 'bet/make' AND key = 'm2'"), options);
        assertOnly(report, "answered-balance", 1);
        // p1: deposit 1000 (player_seq 1), m1 -100 (2), m2 -200 (3): m2 answered 700, now 701.
        assertEquals(List.of("answer bet/make m2 (player p1, player_seq 3, balance 701): the events 1..3 on wallet.events add up to 700"),
                report.check("answered-balance").orElseThrow().examples());
    }

    @Test
    void aDiscardAnswerIsCheckedForThePlayerOfItsBet() throws Exception {
        // {"balance":N} names no player: the bet its key made does (p3).
        Report report = reconcile(c -> exec(c, "UPDATE idempotency_record SET response_body = " + balancePlusOne()
                + " WHERE endpoint = 'bet/discard' AND key = 'm7'"), options);
        assertOnly(report, "answered-balance", 1);
        assertTrue(report.check("answered-balance").orElseThrow().examples().get(0).startsWith("answer bet/discard m7 (player p3, "),
                () -> printed(report));
    }

    @Test
    void anAnswerBeyondItsWalletsPlayerSeq() throws Exception {
        Report report = reconcile(c -> exec(c, "UPDATE idempotency_record SET player_seq = player_seq + 100"
                + " WHERE endpoint = 'operator/deposit' AND key = 'dep-p1'"), options);
        assertOnly(report, "answered-balance", 1);
        assertTrue(report.check("answered-balance").orElseThrow().examples().get(0).contains("beyond the wallet's player_seq"),
                () -> printed(report));
    }

    @Test
    void anAnswerWhoseEventsAreMissingIsReportedNotPassed() throws Exception {
        Report report = reconcile(c -> {
            // A player whose two events never reached wallet.events, and the answer of the second.
            exec(c, "INSERT INTO player (id) VALUES ('p-unpublished')");
            exec(c, "INSERT INTO wallet (player_id, currency, player_seq) VALUES ('p-unpublished', 'EUR', 2)");
            exec(c, "INSERT INTO idempotency_record (endpoint, key, request_hash, response_status, response_body, player_seq) VALUES"
                    + " ('operator/deposit', 'seed-unpublished', '\\x00', 200, '{\"player_id\":\"p-unpublished\",\"balance\":0}', 2)");
        }, options);
        assertEquals(List.of("player-seq", "answered-balance"), report.failing(), () -> printed(report));
        assertEquals(2, report.check("player-seq").orElseThrow().discrepancies());
        assertEquals(List.of("player p-unpublished: 1 answer (player_seq 2) cannot be checked: player_seq 1 has no event on wallet.events"),
                report.check("answered-balance").orElseThrow().examples());
    }

    @Test
    void anAvailableAfterThatIsNotTheRunningSum() throws Exception {
        Report report = reconcile(c -> {
            // A player with one event, a deposit of 5 that says 6 is available. (A deposit: no decision check judges an operator's
            // deposit without a ledger entry, which ledger-events looks for only from the ledger's side; a lost without its
            // settlement would be decision-events' discrepancy too.)
            exec(c, "INSERT INTO player (id) VALUES ('p-available')");
            exec(c, "INSERT INTO wallet (player_id, currency, player_seq) VALUES ('p-available', 'EUR', 1)");
            produceEvent(EventTypes.DEPOSIT, "seed-available", "p-available", eventData("p-available", 5).put("player_seq", 1)
                    .put("available_after", 6));
        }, options);
        assertOnly(report, "available-after", 1);
        assertEquals(List.of("player p-available player_seq 1 (wallet.deposit): available_after 6, but its events 1..1 add up to 5"),
                report.check("available-after").orElseThrow().examples());
    }

    /** A limit reached and an exclusion (issue 15) move no money: the running sum goes through them (chaos found it unknown). */
    @Test
    void responsibleGamingEventsMoveNoMoney() throws Exception {
        Report report = reconcile(c -> {
            exec(c, "INSERT INTO player (id) VALUES ('p-rg')");
            exec(c, "INSERT INTO wallet (player_id, currency, player_seq) VALUES ('p-rg', 'EUR', 3)");
            produceEvent(EventTypes.DEPOSIT, "seed-rg", "p-rg", eventData("p-rg", 5).put("player_seq", 1).put("available_after", 5));
            produceEvent(EventTypes.LIMIT_REACHED, "seed-rg#limit", "p-rg", eventData("p-rg", 0).put("player_seq", 2).put("available_after", 5));
            produceEvent(EventTypes.PLAYER_EXCLUDED, "seed-rg#excluded", "p-rg", eventData("p-rg", 0).put("player_seq", 3)
                    .put("available_after", 5));
        }, options);
        assertTrue(report.check("available-after").orElseThrow().ok(), () -> printed(report));
        assertTrue(report.check("player-seq").orElseThrow().ok(), () -> printed(report));
    }

    // ------------------------------------------------------------------ issue 12, finding 9: checks that can fail

    @Test
    void aWinCreditOfTheWrongAmountThatEverythingDownstreamAgreesWith() throws Exception {
        // The win decided 250 (its settlement, its wallet.bet.won event, its answer), but its credit was written for 260: the
        // command carried 260 (a commands topic where it does), the worker applied 260 and every balance after it moved with it.
        // Only the tie between the credit and its settlement can see it.
        String w1 = CloudEventJson.stableId("bet/win", "w1");
        String commands = copyOf(Topics.SETTLEMENT_COMMANDS, SettlementConsumer.GROUP_ID,
                r -> CloudEventJson.stableId(CreditCommand.TYPE, w1).equals(readTree(r.value()).path("id").asText())
                        ? r.value().replace("\"amount\":250", "\"amount\":260") : r.value(), List.of());
        Report report = reconcile(c -> {
            Wallet w = Wallet.of(c, "p1");
            exec(c, "UPDATE credit SET amount = 260 WHERE id = '" + w1 + "'");
            exec(c, "UPDATE ledger_entry SET balance_after = balance_after + 10 WHERE wallet_id = " + w.id + " AND wallet_version >="
                    + " (SELECT wallet_version FROM ledger_entry WHERE idempotency_key = 'credit:" + w1 + "')");
            exec(c, "UPDATE ledger_entry SET amount = 260 WHERE idempotency_key = 'credit:" + w1 + "'");
            update(c, w.id, w.balance + 10, w.version);
        }, options.withTopics(commands, Topics.WALLET_EVENTS, options.dlqTopics()));
        assertOnly(report, "credits-match-decisions", 1);
        assertTrue(report.check("credits-match-decisions").orElseThrow().examples().get(0).endsWith("its settlement decided 250"),
                () -> printed(report));
    }

    @Test
    void aDiscardedBetWithoutItsStakeCredit() throws Exception {
        // m12 was never settled: a discard that turned it DISCARDED without writing the stake's credit.
        // The discard took the stake's usage back (DiscardService books it apart from the credit).
        Report report = reconcile(c -> {
            exec(c, "UPDATE bet SET state = 'DISCARDED' WHERE provider_tx_id = 'm12'");
            exec(c, "UPDATE limit_usage SET wager = wager - 30, loss = loss - 30 WHERE player_id = 'p1'");
        }, options);
        assertOnly(report, "credits-match-decisions", 1);
        assertTrue(report.check("credits-match-decisions").orElseThrow().examples().get(0).endsWith("its stake was never credited back"),
                () -> printed(report));
    }

    /** A grant of m1's player, with its players_total and one DONE chunk {@code <id>:1}. */
    private static void grant(Connection c, String requestId, int playersTotal, int rejectedDuplicate) throws SQLException {
        exec(c, "INSERT INTO bonus_grant (request_id, request_hash, bonus_type, currency, expires_at, players_total, rejected_duplicate)"
                + " SELECT '" + requestId + "', '\\x00', 'freebet_freemoney', w.currency, now() + interval '1 day', " + playersTotal + ", "
                + rejectedDuplicate + " FROM bet b JOIN wallet w ON w.id = b.wallet_id WHERE b.provider_tx_id = 'm1'");
        exec(c, "INSERT INTO bonus_grant_chunk (id, request_id, status, players) VALUES ('" + requestId + ":1', '" + requestId + "', 'DONE', 1)");
    }

    @Test
    void aGrantWhoseEntriesDoNotAddUp() throws Exception {
        // Three entries: one recorded, one rejected as a duplicate, and one lost.
        Report report = reconcile(c -> {
            grant(c, "g1", 3, 1);
            exec(c, "INSERT INTO bonus_grant_player (request_id, player_id, amount) SELECT 'g1', player_id, 100 FROM bet WHERE provider_tx_id = 'm1'");
        }, options);
        assertOnly(report, "grant-totals", 1);
        assertTrue(report.check("grant-totals").orElseThrow().examples().get(0).endsWith("records and rejections add up to 2"),
                () -> printed(report));
    }

    @Test
    void aUsedBonusBoundToABetThatDoesNotNameIt() throws Exception {
        // The bonus is USED by m1's bet, which is a cash bet naming no bonus (a redemption written to the wrong bet).
        Report report = reconcile(c -> {
            grant(c, "g2", 1, 0);
            exec(c, "INSERT INTO bonus_grant_player (request_id, player_id, amount, status, chunk_id, bonus_id)"
                    + " SELECT 'g2', player_id, 100, 'GRANTED', 'g2:1', 'bonus-1' FROM bet WHERE provider_tx_id = 'm1'");
            exec(c, "INSERT INTO bonus (id, player_id, wallet_id, bonus_type, amount, currency, status, expires_at, bet_id, request_id, chunk_id)"
                    + " SELECT 'bonus-1', b.player_id, b.wallet_id, 'freebet_freemoney', 100, b.currency, 'USED', now() + interval '1 day', b.id,"
                    + " 'g2', 'g2:1' FROM bet b WHERE b.provider_tx_id = 'm1'");
        }, options);
        assertOnly(report, "bonus-bindings", 1);
        assertTrue(report.check("bonus-bindings").orElseThrow().examples().get(0).contains("carrying bonus null"), () -> printed(report));
        // Bound and named both ways, the same bonus is no discrepancy; a GRANTED player without it is.
        Report named = reconcile(c -> {
            grant(c, "g3", 1, 0);
            exec(c, "INSERT INTO bonus_grant_player (request_id, player_id, amount, status, chunk_id, bonus_id)"
                    + " SELECT 'g3', player_id, 100, 'GRANTED', 'g3:1', 'bonus-2' FROM bet WHERE provider_tx_id = 'm1'");
        }, options);
        assertOnly(named, "grant-totals", 1);
        assertTrue(named.check("grant-totals").orElseThrow().examples().get(0).contains("without that bonus"), () -> printed(named));
    }

    /** Promotion {@code id} with {@code slots} slots, {@code claimsMax} claims_max, and a claim of each of {@code players} (in its grant too). */
    private static void promotion(Connection c, String id, int claimsMax, int slots, List<String> players) throws SQLException {
        exec(c, "INSERT INTO bonus_grant (request_id, request_hash, source, bonus_type, currency, expires_at, players_total)"
                + " VALUES ('promotion:" + id + "', '\\x00', 'PROMOTION', 'freebet_freemoney', 'EUR', now() + interval '1 day', 0)");
        exec(c, "INSERT INTO promotion (id, request_id, bonus_type, amount, currency, claims_max, expires_at) VALUES ('" + id
                + "', 'promotion:" + id + "', 'freebet_freemoney', 100, 'EUR', " + claimsMax + ", now() + interval '1 day')");
        exec(c, "INSERT INTO promotion_slot (promotion_id, slot) SELECT '" + id + "', g FROM generate_series(1, " + slots + ") g");
        for (int i = 0; i < players.size(); i++) {
            exec(c, "UPDATE promotion_slot SET player_id = '" + players.get(i) + "', claimed_at = now() WHERE promotion_id = '" + id
                    + "' AND slot = " + (i + 1));
            exec(c, "INSERT INTO bonus_grant_player (request_id, player_id, amount) VALUES ('promotion:" + id + "', '" + players.get(i)
                    + "', 100)");
        }
    }

    @Test
    void aPromotionWithMoreClaimsThanClaimsMax() throws Exception {
        // Two claims on a promotion of one (the oversell a check-then-act claim makes).
        Report report = reconcile(c -> promotion(c, "flash-1", 1, 2, List.of("p1", "p2")), options);
        assertOnly(report, "promotion-claims", 1);
        assertEquals("promotion flash-1 has 2 claims and 2 slots for claims_max 1",
                report.check("promotion-claims").orElseThrow().examples().get(0), () -> printed(report));
        // Within claims_max, every claim in the grant: no discrepancy; a claim missing from the grant is one.
        Report fine = reconcile(c -> promotion(c, "flash-2", 2, 2, List.of("p1", "p2")), options);
        assertEquals(0, fine.discrepancies(), () -> printed(fine));
        Report ungranted = reconcile(c -> {
            promotion(c, "flash-3", 2, 2, List.of("p1"));
            exec(c, "DELETE FROM bonus_grant_player WHERE request_id = 'promotion:flash-3'");
        }, options);
        assertOnly(ungranted, "promotion-claims", 1);
        assertTrue(ungranted.check("promotion-claims").orElseThrow().examples().get(0).endsWith("but is not in its grant"),
                () -> printed(ungranted));
    }

    @Test
    void theBonusCostIsTheStandingCashWinOfBonusBetsByDayAndCurrency() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (var s = c.createStatement()) {
                // The world holds no bonus bet: no cost.
                assertEquals(List.of(), BonusChecks.costs(c, 10));
                long win;
                try (var rs = s.executeQuery("SELECT c.amount FROM credit c JOIN bet b ON b.id = c.bet_id WHERE b.provider_tx_id = 'm1'"
                        + " AND c.kind = 'WIN'")) {
                    assertTrue(rs.next(), "m1 won");
                    win = rs.getLong(1);
                }
                // m1 as a no-risk freebet: its credit is the profit, all of it cost.
                exec(c, "UPDATE bet SET bonus_type = 'freebet_no_risk' WHERE provider_tx_id = 'm1'");
                List<BonusChecks.Cost> noRisk = BonusChecks.costs(c, 10);
                assertEquals(1, noRisk.size(), noRisk::toString);
                assertEquals(List.of(0L, win, 0L), List.of(noRisk.get(0).freebetWins(), noRisk.get(0).noRiskProfit(),
                        noRisk.get(0).comboboostBoosts()));
                assertTrue(noRisk.get(0).describe().endsWith("total " + win), noRisk.get(0)::describe);
                // As a comboboost whose unboosted potential win was 30 less: the boost is 30.
                exec(c, "UPDATE bet SET bonus_type = 'comboboost', potential_win = " + (win - 30) + " WHERE provider_tx_id = 'm1'");
                assertEquals(30, BonusChecks.costs(c, 10).get(0).comboboostBoosts());
                // Rolled back, the settlement no longer stands: no cost.
                exec(c, "UPDATE settlement SET state = 'ROLLED_BACK' WHERE bet_id = (SELECT id FROM bet WHERE provider_tx_id = 'm1')");
                assertEquals(List.of(), BonusChecks.costs(c, 10));
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void aBetWhoseStateDisagreesWithItsSettlements() throws Exception {
        // m5's win was rolled back (the bet is OPEN): WON with no ACTIVE settlement.
        Report won = reconcile(c -> exec(c, "UPDATE bet SET state = 'WON' WHERE provider_tx_id = 'm5'"), options);
        assertOnly(won, "bet-states", 1);
        assertTrue(won.check("bet-states").orElseThrow().examples().get(0).endsWith("is WON with 0 ACTIVE settlements"), () -> printed(won));
        // m1 won (its settlement is ACTIVE and WON): LOST.
        Report lost = reconcile(c -> exec(c, "UPDATE bet SET state = 'LOST' WHERE provider_tx_id = 'm1'"), options);
        assertOnly(lost, "bet-states", 1);
        assertTrue(lost.check("bet-states").orElseThrow().examples().get(0).contains("is LOST but its ACTIVE settlement"),
                () -> printed(lost));
        // m12 was never settled: its latest settlement is another bet's.
        Report latest = reconcile(c -> exec(c, "UPDATE bet SET latest_settlement_id = '" + CloudEventJson.stableId("bet/win", "w1")
                + "' WHERE provider_tx_id = 'm12'"), options);
        assertOnly(latest, "bet-states", 1);
        assertTrue(latest.check("bet-states").orElseThrow().examples().get(0).contains("is bet " + CloudEventJson.stableId("bet/make", "m1")
                + "'s"), () -> printed(latest));
    }

    // ------------------------------------------------------------------ limits (issue 15)

    @Test
    void everyStoredUsageAfterOfTheWorldIsRecomputedFromItsFacts() throws Exception {
        // p1's 5 makes stored day and week wager and day loss (15 pairs), its deposit the day deposit (1). Every one is placed in
        // player_seq order, the reversal of w13 too: m13's one rollback answer after w13 is r13's.
        try (Connection c = ds.getConnection()) {
            CheckResult.Builder check = CheckResult.builder(LimitChecks.WITHIN_LIMITS, 10);
            assertEquals(new LimitChecks.Recomputed(16, 16, 0, "none skipped"), LimitChecks.recompute(c, check));
            assertTrue(check.build().ok(), () -> check.build().examples().toString());
        }
        // m14 came after w13 (loss -25), its rollback r13 (+25) and the discard of m13 (-20 each): what it stored is that sum.
        assertEquals("{\"day\": {\"loss\": [5000, 90], \"wager\": [10000, 340]}, \"week\": {\"wager\": [20000, 340]}}",
                World.string("SELECT limits_checked::text FROM bet WHERE provider_tx_id = 'm14'"));
    }

    @Test
    void aUsageRowThatIsNotTheSumOfItsFacts() throws Exception {
        // p2's day wager: its make m3 (100); the row says 101.
        Report report = reconcile(c -> exec(c, "UPDATE limit_usage SET wager = wager + 1 WHERE player_id = 'p2' AND period = 'day'"),
                options);
        assertOnly(report, "usage-rows-equal-their-facts", 1);
        assertTrue(report.check("usage-rows-equal-their-facts").orElseThrow().examples().get(0).matches("player p2 day \\S+: usage row"
                + " wager 101, loss 100, deposit 500, but its 2 facts book wager 100, loss 100, deposit 500"), () -> printed(report));
        // p3's month row lost: its facts add up to something no row holds.
        Report lost = reconcile(c -> exec(c, "DELETE FROM limit_usage WHERE player_id = 'p3' AND period = 'month'"), options);
        assertOnly(lost, "usage-rows-equal-their-facts", 1);
        assertTrue(lost.check("usage-rows-equal-their-facts").orElseThrow().examples().get(0).matches("player p3 month \\S+: no usage row,"
                + " but its \\d+ facts book wager 50, .*"), () -> printed(lost));
        // w3 (won 400, since rolled back by r3) stored a loss of -399: not what a win of 400 books. The rows still add up (its
        // rollback took back what it stored); only the rule tells.
        String w3 = CloudEventJson.stableId("bet/win", "w3");
        Report rule = reconcile(c -> exec(c, "UPDATE settlement SET usage_loss = -399 WHERE id = '" + w3 + "'"), options);
        assertOnly(rule, "usage-rows-equal-their-facts", 1);
        assertEquals(List.of("settlement " + w3 + " (WON 400, player p2) stored usage wager 0, loss -399, but its kind books wager 0, loss -400"),
                rule.check("usage-rows-equal-their-facts").orElseThrow().examples());
    }

    @Test
    void aMakeAcceptedAboveItsLimit() throws Exception {
        // m2 stored its day wager usage after (300) beside a limit of 250: it should have been refused with 4001.
        Report report = reconcile(c -> exec(c, "UPDATE bet SET limits_checked = jsonb_set(limits_checked, '{day,wager,0}', '250')"
                + " WHERE provider_tx_id = 'm2'"), options);
        assertOnly(report, "accepted-within-limits", 1);
        assertEquals(List.of("make m2 (player p1): day wager usage after 300 above its limit 250"),
                report.check("accepted-within-limits").orElseThrow().examples());
        // A stored pair of another shape, or of a kind a make is not checked against, is no proof: reported too.
        Report malformed = reconcile(c -> exec(c, "UPDATE bet SET limits_checked = '{\"day\": {\"deposit\": [3000, 100]}}'"
                + " WHERE provider_tx_id = 'm1'"), options);
        assertOnly(malformed, "accepted-within-limits", 1);
    }

    @Test
    void aStoredUsageAfterThatItsFactsDoNotAddUpTo() throws Exception {
        // m14 stored a day loss usage after of 89, within its limit: the facts up to its player_seq add up to 90 (w13's -25 taken back by
        // r13 included), so the figure was not the usage its make left.
        Report report = reconcile(c -> exec(c, "UPDATE bet SET limits_checked = jsonb_set(limits_checked, '{day,loss,1}', '89')"
                + " WHERE provider_tx_id = 'm14'"), options);
        assertOnly(report, "accepted-within-limits", 1);
        String example = report.check("accepted-within-limits").orElseThrow().examples().get(0);
        assertTrue(example.matches("make m14 \\(player p1, player_seq \\d+\\): day \\S+ loss usage after 89 stored, but the facts booked"
                + " to it up to its player_seq add up to 90"), () -> printed(report));
    }

    @Test
    void aRollbackThatCannotBePlacedLeavesItsPeriodsUnrecomputedNotReported() throws Exception {
        // A second rollback answer of m13 after w13, at another player_seq (a rollback that reversed nothing is answered at the
        // player_seq it read): which of the two reversed w13 is unknown, so none of p1's stored figures of that day is recomputed,
        // and none is reported; each is still compared with its limit.
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                String m13 = CloudEventJson.stableId("bet/make", "m13");
                exec(c, "INSERT INTO idempotency_record (endpoint, key, request_hash, response_status, response_body, player_seq) VALUES"
                        + " ('bet/rollback', 'seed-r13', '\\x00', 200, '" + Ingress.moneyBody(CloudEventJson.stableId("bet/rollback", "seed-r13"),
                                "seed-r13", m13, "p1", "rollback", 0, 0) + "', (SELECT player_seq FROM wallet WHERE player_id = 'p1'))");
                CheckResult.Builder check = CheckResult.builder(LimitChecks.WITHIN_LIMITS, 10);
                LimitChecks.Recomputed r = LimitChecks.recompute(c, check);
                assertEquals(List.of(16L, 0L, 16L), List.of(r.checked(), r.recomputed(), r.skipped()), r::toString);
                assertTrue(r.reasons().contains("rollback answers of its bet at several player_seq"), r::toString);
                assertTrue(check.build().ok(), () -> check.build().examples().toString());
                // Still compared with its limit.
                exec(c, "UPDATE bet SET limits_checked = jsonb_set(limits_checked, '{day,wager,0}', '250') WHERE provider_tx_id = 'm2'");
                CheckResult.Builder above = CheckResult.builder(LimitChecks.WITHIN_LIMITS, 10);
                LimitChecks.recompute(c, above);
                assertEquals(1, above.build().discrepancies());
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void rollbacksAreReversedOncePerBetNotSummedPerWallet() throws Exception {
        // p3's refund f6 (60, applied) is rolled back: the bet OPEN, the settlement ROLLED_BACK, its event and a debit of 60, but the
        // debit's rollback answered for p3's other bet m5 (whose win was cancelled while PENDING). Per wallet the one applied
        // reversal and the one debit add up; per bet, m6's reversal has no debit and m5 has a debit it never owed.
        String f6 = CloudEventJson.stableId("bet/refund", "f6");
        String rollbackId = CloudEventJson.stableId("bet/rollback", "seed-r6");
        Report report = reconcile(c -> {
            Wallet w = Wallet.of(c, "p3");
            exec(c, "UPDATE settlement SET state = 'ROLLED_BACK' WHERE id = '" + f6 + "'");
            exec(c, "UPDATE bet SET state = 'OPEN' WHERE provider_tx_id = 'm6'");
            exec(c, "UPDATE limit_usage SET wager = wager + 60, loss = loss + 60 WHERE player_id = 'p3'"); // the refund's usage taken back
            entry(c, w.id, -60, w.balance - 60, w.version + 1, "rollback", "bet/rollback:seed-r6");
            update(c, w.id, w.balance - 60, w.version + 1);
            String answer = Ingress.moneyBody(rollbackId, "seed-r6", CloudEventJson.stableId("bet/make", "m5"), "p3", "rollback", 60,
                    w.balance - 60);
            exec(c, "INSERT INTO idempotency_record (endpoint, key, request_hash, response_status, response_body) VALUES ('bet/rollback',"
                    + " 'seed-r6', '\\x00', 200, '" + answer + "')");
            // Its event, on wallet.events for good: without a player_seq, so once the seed is gone the other checks pass it by.
            produceEvent(EventTypes.BET_ROLLED_BACK, rollbackId, "p3", eventData("p3", -60).put("balance_after", w.balance - 60)
                    .put("sequence", w.version + 1).put("transaction_id", rollbackId).put("provider_transaction_id", "seed-r6")
                    .put("reversed_transaction_id", f6).put("credit_cancelled", false));
        }, options);
        assertOnly(report, "rollbacks-reversed-once", 2);
        String examples = String.join("\n", report.check("rollbacks-reversed-once").orElseThrow().examples());
        assertTrue(examples.contains("(make m6, wallet ") && examples.contains(": 1 rolled-back settlements with applied credits (60), but 0"
                + " rollback debits (0)"), examples);
        assertTrue(examples.contains("(make m5, wallet ") && examples.contains(": 0 rolled-back settlements with applied credits (0), but 1"
                + " rollback debits (60): bet/rollback:seed-r6"), examples);
    }

    @Test
    void everyDecisionIsOnWalletEvents() throws Exception {
        // m12 lost, decided without its wallet.bet.lost event.
        String lost = CloudEventJson.stableId("bet/lost", "seed-l12");
        Report unpublished = reconcile(c -> {
            exec(c, "INSERT INTO settlement (id, bet_id, kind, amount, state) VALUES ('" + lost + "', '" + CloudEventJson.stableId("bet/make",
                    "m12") + "', 'LOST', 0, 'ACTIVE')");
            exec(c, "UPDATE bet SET state = 'LOST', latest_settlement_id = '" + lost + "' WHERE provider_tx_id = 'm12'");
        }, options);
        assertOnly(unpublished, "decision-events", 1);
        assertTrue(unpublished.check("decision-events").orElseThrow().examples().get(0).startsWith("settlement " + lost + " (LOST 0 of bet "),
                () -> printed(unpublished));
        // m2's loss rolled back (no money: the bet reopened, the settlement ROLLED_BACK) without its wallet.bet.rolled-back event.
        String l2 = CloudEventJson.stableId("bet/lost", "l2");
        Report unreversed = reconcile(c -> {
            exec(c, "UPDATE settlement SET state = 'ROLLED_BACK' WHERE id = '" + l2 + "'");
            exec(c, "UPDATE bet SET state = 'OPEN' WHERE provider_tx_id = 'm2'");
        }, options);
        assertOnly(unreversed, "decision-events", 1);
        assertEquals(List.of("settlement " + l2 + " (ROLLED_BACK, 0, player p1, credit none): no wallet.bet.rolled-back event on"
                + " wallet.events names it"), unreversed.check("decision-events").orElseThrow().examples());
    }

    @Test
    void aFactReEmittedUnderANewIdIsADiscrepancy() throws Exception {
        // w1's wallet.bet.won re-emitted under a new id, at p1's next player_seq (the counter moved with it), its available_after the
        // running sum: player-seq and the balances add up; only the fact's stable id tells it is one fact twice.
        ObjectNode won = (ObjectNode) event(CloudEventJson.stableId(EventTypes.BET_WON, CloudEventJson.stableId("bet/win", "w1")));
        long playerSeq = World.count("SELECT player_seq FROM wallet WHERE player_id = 'p1'") + 1;
        long available = World.count("SELECT balance + pending FROM wallet WHERE player_id = 'p1'") + 250;
        won.put("id", CloudEventJson.stableId(EventTypes.BET_WON, "seed-reemitted"));
        ((ObjectNode) won.get("data")).put("player_seq", playerSeq).put("available_after", available);
        String events = copyOf(Topics.WALLET_EVENTS, Reconcile.Options.NOTIFIER_GROUP, ConsumerRecord::value,
                List.of(new ProducerRecord<>("", "p1", won.toString())));
        Report reemitted = reconcile(c -> exec(c, "UPDATE wallet SET player_seq = player_seq + 1 WHERE player_id = 'p1'"),
                options.withTopics(Topics.SETTLEMENT_COMMANDS, events, options.dlqTopics()));
        assertOnly(reemitted, "decision-events", 1);
        assertTrue(reemitted.check("decision-events").orElseThrow().examples().get(0).endsWith("a fact re-emitted under a new id"),
                () -> printed(reemitted));

        // r3's reversal of w3 re-emitted as another rollback (a new transaction id, its own stable id), at p2's next player_seq.
        String w3 = CloudEventJson.stableId("bet/win", "w3");
        ObjectNode rolled = (ObjectNode) event(CloudEventJson.stableId(EventTypes.BET_ROLLED_BACK,
                CloudEventJson.stableId("bet/rollback", "r3")));
        String again = CloudEventJson.stableId("bet/rollback", "seed-r3-again");
        rolled.put("id", CloudEventJson.stableId(EventTypes.BET_ROLLED_BACK, again));
        ((ObjectNode) rolled.get("data")).put("transaction_id", again)
                .put("player_seq", World.count("SELECT player_seq FROM wallet WHERE player_id = 'p2'") + 1)
                .put("available_after", World.count("SELECT balance + pending FROM wallet WHERE player_id = 'p2'") - 400);
        String events2 = copyOf(Topics.WALLET_EVENTS, Reconcile.Options.NOTIFIER_GROUP, ConsumerRecord::value,
                List.of(new ProducerRecord<>("", "p2", rolled.toString())));
        Report twice = reconcile(c -> exec(c, "UPDATE wallet SET player_seq = player_seq + 1 WHERE player_id = 'p2'"),
                options.withTopics(Topics.SETTLEMENT_COMMANDS, events2, options.dlqTopics()));
        // A reversal moved settled money: its copy repeats the wallet version the first one made, which events-order sees too.
        assertEquals(List.of("decision-events", "events-order"), twice.failing(), () -> printed(twice));
        assertEquals(2, twice.discrepancies(), () -> printed(twice));
        assertTrue(twice.check("decision-events").orElseThrow().examples().get(0).startsWith("settlement " + w3 + " (ROLLED_BACK, 400,"
                + " player p2, credit APPLIED): 2 wallet.bet.rolled-back events name it"), () -> printed(twice));
        assertTrue(twice.check("events-order").orElseThrow().examples().get(0).startsWith("violation: player p2: player_seq "
                + World.count("SELECT player_seq + 1 FROM wallet WHERE player_id = 'p2'") + " sequence "), () -> printed(twice));
        assertTrue(twice.check("events-order").orElseThrow().examples().get(0).contains("): sequence not increasing"), () -> printed(twice));
    }

    @Test
    void everyDeadLetteredRecordIsExplainedByAnAlert() throws Exception {
        // The world's dead-letter topics are empty. Two of our own: w1's command dead-lettered by the worker, and a crm.events record
        // that was not even JSON, dead-lettered by the webhook.
        String w1 = CloudEventJson.stableId("bet/win", "w1");
        String commandId = CloudEventJson.stableId(CreditCommand.TYPE, w1);
        String command = records(Topics.SETTLEMENT_COMMANDS).stream().map(ConsumerRecord::value)
                .filter(v -> readTree(v).path("id").asText().equals(commandId)).findFirst().orElseThrow();
        ProducerRecord<String, String> deadCommand = new ProducerRecord<>("", "p1", command);
        deadCommand.headers().add("dlq.reason", "poison".getBytes(StandardCharsets.UTF_8));
        deadCommand.headers().add("dlq.source", "settlement.commands-1@7".getBytes(StandardCharsets.UTF_8));
        ProducerRecord<String, String> deadCrm = new ProducerRecord<>("", "p2", "not json");
        deadCrm.headers().add("dlq.source", "crm.events-0@5".getBytes(StandardCharsets.UTF_8));
        List<String> dlq = List.of(copyOf(null, null, null, List.of(deadCommand)), copyOf(null, null, null, List.of(deadCrm)));

        Report unexplained = reconcile(null, options.withTopics(Topics.SETTLEMENT_COMMANDS, Topics.WALLET_EVENTS, dlq));
        assertOnly(unexplained, "dlq-explained", 2);
        assertTrue(unexplained.check("dlq-explained").orElseThrow().examples().get(0).contains("event " + commandId + ", credit " + w1
                + ", from settlement.commands-1@7, reason poison): no wallet.alert names it"), () -> printed(unexplained));

        // Alerts naming them, whatever their reason: the command by its event id, the other by where it came from.
        String alerted = copyOf(Topics.WALLET_EVENTS, Reconcile.Options.NOTIFIER_GROUP, ConsumerRecord::value, List.of(
                alert("p1", "seed-dlq-1", eventData("p1", 0).put("reason", "dead_lettered").put("dlq_event_id", commandId)),
                alert("_system", "seed-dlq-2", eventData("_system", 0).put("reason", "whatever").put("dlq_source", "crm.events-0@5"))));
        Report explained = reconcile(null, options.withTopics(Topics.SETTLEMENT_COMMANDS, alerted, dlq));
        assertEquals(0, explained.discrepancies(), () -> printed(explained));
        // An alert naming the command's credit explains the command; the other record stays unexplained.
        String byCredit = copyOf(Topics.WALLET_EVENTS, Reconcile.Options.NOTIFIER_GROUP, ConsumerRecord::value,
                List.of(alert("p1", "seed-dlq-3", eventData("p1", 0).put("reason", "dead_lettered").put("credit_id", w1))));
        Report half = reconcile(null, options.withTopics(Topics.SETTLEMENT_COMMANDS, byCredit, dlq));
        assertOnly(half, "dlq-explained", 1);
        assertTrue(half.check("dlq-explained").orElseThrow().examples().get(0).contains("not a CloudEvent, from crm.events-0@5"),
                () -> printed(half));
    }

    @Test
    void aRefusalTheProtocolDoesNotGive() throws Exception {
        Path refused = withLines("refused.jsonl",
                // A make refused 2004 that no discard tombstoned.
                World.line(200, "bet/make", "m-refused", "m-refused", null, null, "p1", 100, false, 400, 2004, null),
                // A win refused 2003 (unknown bet) although its bet exists.
                World.line(201, "bet/win", "w-refused", "m12", null, null, "p1", 10, false, 400, 2003, null),
                // A re-signed retry of the accepted make m1 refused 2004: the same request must replay.
                resigned(World.line(202, "bet/make", "m1", "m1", null, null, "p1", 100, true, 400, 2004, null)),
                // Refusals the protocol gives: a make short of money, a win of an unknown bet.
                World.line(203, "bet/make", "m-short", "m-short", null, null, "p1", 1_000_000, false, 400, 2001, null),
                World.line(204, "bet/win", "w-nobet", "m-nobet", null, null, "p1", 10, false, 400, 2003, null));
        Report report = reconcile(null, options.withLog(refused));
        assertOnly(report, "log-effects", 3);
        String examples = String.join("\n", report.check("log-effects").orElseThrow().examples());
        assertTrue(examples.contains("bet/make m-refused (seq 200, player p1, amount 100, status 400 code 2004) [refused]: line seq 200 was"
                + " refused 2004, which the protocol does not give here: its make was not tombstoned by a discard (no bet)"), examples);
        assertTrue(examples.contains("bet/win w-refused") && examples.contains("refused 2003, which the protocol does not give here: bet "
                + CloudEventJson.stableId("bet/make", "m12") + " exists"), examples);
        assertTrue(examples.contains("line seq 202 (re-signed), a duplicate of the accepted request with a new token, was refused 2004"),
                examples);
    }

    @Test
    void anAcceptedCallbackWithoutTheEffectTheProtocolGivesIt() throws Exception {
        Path lazy = withLines("lazy.jsonl",
                // A rollback of w1 (ACTIVE, m1's latest settlement) answered 200 with amount 0: nothing reversed.
                World.line(300, "bet/rollback", "r-lazy", "m1", "w1", "bet/win", "p1", 250, false, 200, null, 0L),
                // A rollback naming a settlement m1 never had, answered 200, without the tombstone.
                World.line(301, "bet/rollback", "r-nowhere", "m1", "w-nowhere", "bet/win", "p1", 0, false, 200, null, 0L),
                // A discard of m12 (OPEN, never settled) answered with a balance, but the bet is still OPEN.
                withBalance(World.line(302, "bet/discard", "m12", "m12", null, null, "p1", 30, false, 200, null, null), 0));
        Report report = reconcile(null, options.withLog(lazy));
        assertOnly(report, "log-effects", 3);
        String examples = String.join("\n", report.check("log-effects").orElseThrow().examples());
        assertTrue(examples.contains("settlement " + CloudEventJson.stableId("bet/win", "w1") + " (WON 250) is still ACTIVE"), examples);
        assertTrue(examples.contains("settlement " + CloudEventJson.stableId("bet/win", "w-nowhere") + " does not exist"), examples);
        assertTrue(examples.contains("is OPEN and was never settled: the discard should have discarded it"), examples);
    }

    // ------------------------------------------------------------------ helpers

    /** The stored body with its balance raised by one (jsonb reorders the keys; reconcile reads them by name). */
    private static String balancePlusOne() {
        return "jsonb_set(response_body::jsonb, '{balance}', to_jsonb((response_body::jsonb ->> 'balance')::bigint + 1))::text";
    }

    private static final AtomicInteger COPIES = new AtomicInteger();

    private static JsonNode readTree(String json) {
        try {
            return CloudEventJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    /** The log with {@code lines} appended, as a new file. */
    private static Path withLines(String name, String... lines) throws Exception {
        Path file = dir.resolve(name);
        List<String> all = new ArrayList<>(Files.readAllLines(log));
        all.addAll(List.of(lines));
        Files.write(file, all);
        return file;
    }

    private static String resigned(String line) {
        return ((ObjectNode) readTree(line)).put("resigned", true).toString();
    }

    private static String withBalance(String line, long balance) {
        ObjectNode n = (ObjectNode) readTree(line);
        n.putObject("answer").put("balance", balance);
        return n.toString();
    }

    /** The event with this id on wallet.events (its first copy). */
    private static JsonNode event(String id) {
        return records(Topics.WALLET_EVENTS).stream().map(r -> readTree(r.value())).filter(e -> e.path("id").asText().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no event " + id));
    }

    /** A wallet.alert without a player_seq (as a dead-letter alert may be), for the topic copies. */
    private static ProducerRecord<String, String> alert(String player, String idPart, ObjectNode data) {
        return new ProducerRecord<>("", player, CloudEventJson.serialize(CloudEventJson.stableId(EventTypes.ALERT, idPart), EventTypes.ALERT,
                URI.create("/test/seed"), player, Instant.now(), data));
    }

    /** Every record of {@code topic}, partition by partition. */
    private static List<ConsumerRecord<String, String>> records(String topic) {
        List<ConsumerRecord<String, String>> all = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(null)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "reading " + topic);
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        return all;
    }

    /**
     * A new topic of the test's partition count: the records of {@code source} (none when null) in their partitions, each with the
     * value {@code valueOf} gives it (null: left out), then {@code extra} (their topic is ignored). With a {@code group}, that
     * group's offsets are committed at its end (the consumer that has read it all). Returns its name. Reconcile reads it in
     * place of the topic it copies, so a seed can add, change or leave out records without touching the world's topics.
     */
    private static String copyOf(String source, String group, Function<ConsumerRecord<String, String>, String> valueOf,
            List<ProducerRecord<String, String>> extra) throws Exception {
        String name = (source == null ? "seed-topic" : source) + ".copy-" + COPIES.incrementAndGet();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer()) {
            if (source != null) {
                for (ConsumerRecord<String, String> r : records(source)) {
                    String value = valueOf.apply(r);
                    if (value != null) {
                        sent.add(producer.send(new ProducerRecord<>(name, r.partition(), r.key(), value, r.headers())));
                    }
                }
            }
            for (ProducerRecord<String, String> r : extra) {
                sent.add(producer.send(new ProducerRecord<>(name, null, r.key(), r.value(), r.headers())));
            }
            producer.flush();
            for (Future<?> f : sent) {
                f.get(); // the idempotent producer keeps each partition's order
            }
        }
        if (group != null) {
            catchUp(group, name);
        }
        return name;
    }

    @FunctionalInterface
    interface Seed {
        void apply(Connection c) throws Exception;
    }

    /** Runs Reconcile on the world, with {@code seed} applied in a transaction rolled back afterwards. */
    private static Report reconcile(Seed seed, Reconcile.Options o) throws Exception {
        try (Connection c = ds.getConnection()) {
            if (seed == null) {
                return Reconcile.run(c, o, quiet());
            }
            c.setAutoCommit(false);
            try {
                seed.apply(c);
                return Reconcile.run(c, o, quiet());
            } finally {
                c.rollback();
            }
        }
    }

    private static void assertOnly(Report report, String check, long discrepancies) {
        assertEquals(List.of(check), report.failing(), () -> printed(report));
        assertEquals(discrepancies, report.discrepancies(), () -> printed(report));
    }

    private static String printed(Report report) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        report.print(new PrintStream(out, true));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true);
    }

    record Wallet(long id, long balance, long version) {
        static Wallet of(Connection c, String player) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, balance, version FROM wallet WHERE player_id = ?")) {
                ps.setString(1, player);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Wallet(rs.getLong(1), rs.getLong(2), rs.getLong(3));
                }
            }
        }
    }

    private static void entry(Connection c, long walletId, long amount, long balanceAfter, long version, String operation, String key)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ledger_entry (wallet_id, amount, balance_after, wallet_version, operation,"
                + " idempotency_key) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, walletId);
            ps.setLong(2, amount);
            ps.setLong(3, balanceAfter);
            ps.setLong(4, version);
            ps.setString(5, operation);
            ps.setString(6, key);
            ps.executeUpdate();
        }
    }

    private static void update(Connection c, long walletId, long balance, long version) throws SQLException {
        exec(c, "UPDATE wallet SET balance = " + balance + ", version = " + version + " WHERE id = " + walletId);
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (var s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    /** A seeded entry's event, on wallet.events for good; the notifier's group is moved past it. */
    private static void produceEvent(String type, String idPart, String player, long amount, long balanceAfter, long sequence)
            throws Exception {
        produceEvent(type, idPart, player, eventData(player, amount).put("balance_after", balanceAfter).put("sequence", sequence));
    }

    private static ObjectNode eventData(String player, long amount) {
        return CloudEventJson.mapper().createObjectNode().put("player_id", player).put("currency", "EUR").put("amount", amount)
                .put("occurred_at", Instant.now().toString());
    }

    /**
     * A seeded event, on wallet.events for good (so one with a player_seq names a player that exists only in its
     * seed's transaction: once that is rolled back, no wallet row names the player and the checks skip it).
     */
    private static void produceEvent(String type, String idPart, String player, ObjectNode data) throws Exception {
        Instant now = Instant.now();
        String id = CloudEventJson.stableId(type, idPart);
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.WALLET_EVENTS, player,
                    CloudEventJson.serialize(id, type, URI.create("/test/seed"), player, now, data))).get();
        }
        catchUp(Reconcile.Options.NOTIFIER_GROUP, Topics.WALLET_EVENTS);
    }

    private static long partitionsWithEvents() {
        try (KafkaConsumer<String, String> consumer = consumer(null)) {
            List<TopicPartition> partitions = partitions(consumer, Topics.WALLET_EVENTS);
            Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
            return consumer.endOffsets(partitions).entrySet().stream().filter(e -> e.getValue() > start.get(e.getKey())).count();
        }
    }

    /** Commits {@code group}'s offsets at the end of {@code topic}: a consumer that has read everything. */
    static void catchUp(String group, String topic) {
        try (KafkaConsumer<String, String> consumer = consumer(group)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            consumer.endOffsets(partitions).forEach((tp, end) -> offsets.put(tp, new OffsetAndMetadata(end)));
            consumer.commitSync(offsets);
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, String> consumer, String topic) {
        return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    static KafkaConsumer<String, String> consumer(String group) {
        Properties p = kafka("reconcile-test");
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    static Properties kafka(String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        return p;
    }

    static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(KafkaSettings.relayProducer(TestInfra.get().bootstrapServers(), "reconcile-test", 10_000));
    }

    static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers()));
    }

    // ------------------------------------------------------------------ building the world

    /**
     * Four players and the callbacks of a small load: makes, a duplicate, a refused make, a make
     * whose outcome stayed unknown (it never landed), wins, a lost, a refund, a discard, a
     * rollback that cancels a pending win, a make never settled, a discard after settlement (it changes
     * nothing and stores no answer), the rollback that reopens that bet and the same discard again (now it
     * discards), a rollback that takes back an applied win (the balance goes
     * below zero), one whose shortfall the house's write-off account absorbs
     * (ROLLBACK_SHORTFALL=absorb), one naming an unknown settlement; deposits and withdrawals,
     * each money callback with its stored answer; p1 under wager, loss and deposit limits (m14 made after
     * the rollback r13 and the discard of m13), and every fact booked to the limit usage as the ingress books it. The credits are
     * applied by the real settlement consumer, the outbox is published by the real relay, and the
     * notifier's group is committed at the end of wallet.events (the notifier itself is another
     * module's Kafka Streams application).
     */
    static final class World {
        private final Ingress ingress = new Ingress();
        private final List<String> lines = new ArrayList<>();
        private long seq;

        void build(Path logFile) throws Exception {
            for (String p : List.of("p1", "p2", "p3", "p4")) {
                ingress.player(p);
            }
            // p1 plays under limits (issue 15), none of them reached: each make and deposit stores what it was checked against.
            ingress.limit("p1", "wager", "day", 10_000);
            ingress.limit("p1", "wager", "week", 20_000);
            ingress.limit("p1", "loss", "day", 5_000);
            ingress.limit("p1", "deposit", "day", 3_000);
            ingress.deposit("p1", "dep-p1", 1000);
            ingress.deposit("p2", "dep-p2", 500);
            ingress.deposit("p3", "dep-p3", 300);
            ingress.deposit("p4", "dep-p4", 100);

            make("m1", "p1", 100);
            log("bet/make", "m1", "m1", null, null, "p1", 100, true, 200, null, 100L); // a replayed duplicate
            make("m2", "p1", 200);
            make("m3", "p2", 100);
            make("m5", "p3", 50);
            make("m6", "p3", 60);
            make("m7", "p3", 40);
            make("m11", "p4", 100);
            make("m12", "p1", 30); // never settled: stays OPEN
            make("m13", "p1", 20);
            assertEquals(null, ingress.make("m8", "p3", 1_000_000)); // 2001: nothing written
            log("bet/make", "m8", "m8", null, null, "p3", 1_000_000, false, 400, 2001, null);
            log("bet/make", "m10", "m10", null, null, "p2", 30, false, 0, null, null); // every attempt timed out, never landed

            settle("bet/win", "w1", "m1", "p1", 250);
            settle("bet/lost", "l2", "m2", "p1", 0);
            settle("bet/win", "w3", "m3", "p2", 400);
            settle("bet/win", "w5", "m5", "p3", 90);
            rollback("r5", "m5", "bet/win", "w5", "p3"); // before the worker: cancels the PENDING credit
            settle("bet/refund", "f6", "m6", "p3", 60);
            settle("bet/win", "w11", "m11", "p4", 300);
            discard("m7", "p3", 40);
            rollback("r9", "m2", "bet/win", "w-unknown", "p1"); // an unknown settlement: tombstoned, nothing moves
            // Discard after settlement: the first discard of the won bet changes nothing (answered, not stored); the
            // rollback reopens the bet (the win is still PENDING: cancelled); the same discard again discards it.
            settle("bet/win", "w13", "m13", "p1", 25);
            log("bet/discard", "m13", "m13", null, null, "p1", 20, false, 200, null, null, ingress.discardSettled("m13"));
            rollback("r13", "m13", "bet/win", "w13", "p1");
            discard("m13", "p1", 20);
            // After the rollback and the discard: its usage after counts the win w13 taken back and the stake m13 returned.
            make("m14", "p1", 10);

            try (OutboxRelay relay = relay(); KafkaProducer<String, String> dlq = producer()) {
                drain(relay);
                SettlementConsumer worker = new SettlementConsumer(ds, kafka("reconcile-test-worker"), dlq,
                        new SettlementConsumer.Config(500, 200, 200, 50, 1000, 10_000, Topics.SETTLEMENT_COMMANDS, SettlementConsumer.GROUP_ID),
                        null, null);
                Thread t = new Thread(worker, "reconcile-test-worker");
                t.setDaemon(true);
                t.start();
                try {
                    awaitSettled();
                } finally {
                    worker.close();
                    t.join(30_000);
                }
                assertEquals(0, count("SELECT count(*) FROM credit WHERE status <> 'APPLIED' AND id NOT IN ('"
                        + CloudEventJson.stableId("bet/win", "w5") + "', '" + CloudEventJson.stableId("bet/win", "w13") + "')"));

                assertTrue(ingress.withdraw("p2", "wd-p2", 800)); // p2: 500 - 100 + 400 = 800 -> 0
                rollback("r3", "m3", "bet/win", "w3", "p2"); // the win was applied and spent: p2 goes to -400
                log("bet/rollback", "r3", "m3", "w3", "bet/win", "p2", 400, true, 200, null, 400L);
                assertTrue(ingress.withdraw("p4", "wd-p4", 300)); // p4: 100 - 100 + 300 = 300 -> 0
                // The win was applied and spent, ROLLBACK_SHORTFALL=absorb: p4 stays at 0, the house writes off 300.
                assertEquals(300, ingress.rollback("r11", "m11", "bet/win", "w11", Reversal.ShortfallPolicy.ABSORB));
                log("bet/rollback", "r11", "m11", "w11", "bet/win", "p4", 300, false, 200, null, 300L);
                drain(relay);
            }
            catchUp(Reconcile.Options.NOTIFIER_GROUP, Topics.WALLET_EVENTS);
            assertEquals(-400, count("SELECT balance FROM wallet WHERE player_id = 'p2'"));
            assertEquals(0, count("SELECT balance FROM wallet WHERE player_id = 'p4'"));
            assertEquals(-300, count("SELECT balance FROM wallet WHERE player_id = '" + Reversal.HOUSE_PLAYER_ID + "' AND kind = '"
                    + Reversal.WRITE_OFF_KIND + "' AND currency = 'EUR'"));

            List<String> file = new ArrayList<>();
            file.add("{\"kind\":\"header\",\"version\":1,\"startedAt\":\"" + Instant.now() + "\",\"url\":\"http://test\","
                    + "\"operatorId\":\"demo-operator\",\"currency\":\"EUR\",\"players\":[\"p1\",\"p2\",\"p3\",\"p4\"],\"options\":{}}");
            file.addAll(lines);
            Files.write(logFile, file);
        }

        private void make(String tx, String player, long stake) throws SQLException {
            assertTrue(ingress.make(tx, player, stake) != null, tx);
            log("bet/make", tx, tx, null, null, player, stake, false, 200, null, stake);
        }

        private void settle(String endpoint, String tx, String betTx, String player, long amount) throws SQLException {
            ingress.settle(endpoint, tx, betTx, amount);
            log(endpoint, tx, betTx, null, null, player, amount, false, 200, null, amount);
        }

        private void rollback(String tx, String betTx, String parentEndpoint, String parentTx, String player) throws SQLException {
            long reversed = ingress.rollback(tx, betTx, parentEndpoint, parentTx);
            log("bet/rollback", tx, betTx, parentTx, parentEndpoint, player, reversed, false, 200, null, reversed);
        }

        private void discard(String makeTx, String player, long stake) throws SQLException {
            log("bet/discard", makeTx, makeTx, null, null, player, stake, false, 200, null, null, ingress.discard(makeTx));
        }

        private void log(String endpoint, String tx, String betTx, String parentTx, String parentEndpoint, String player, long amount,
                boolean duplicate, int status, Integer code, Long answerAmount) {
            lines.add(line(++seq, endpoint, tx, betTx, parentTx, parentEndpoint, player, amount, duplicate, status, code, answerAmount));
        }

        /** A discard's line: its answer {"balance": N}. */
        private void log(String endpoint, String tx, String betTx, String parentTx, String parentEndpoint, String player, long amount,
                boolean duplicate, int status, Integer code, Long answerAmount, long balance) {
            ObjectNode n = (ObjectNode) readTree(line(++seq, endpoint, tx, betTx, parentTx, parentEndpoint, player, amount, duplicate, status,
                    code, answerAmount));
            n.putObject("answer").put("balance", balance);
            lines.add(n.toString());
        }

        /** One callback line of the loadgen log contract. */
        static String line(long seq, String endpoint, String tx, String betTx, String parentTx, String parentEndpoint, String player,
                long amount, boolean duplicate, int status, Integer code, Long answerAmount) {
            ObjectNode n = CloudEventJson.mapper().createObjectNode().put("kind", "callback").put("seq", seq).put("endpoint", endpoint)
                    .put("txId", tx).put("betTxId", betTx).put("betId", CloudEventJson.stableId("bet/make", betTx))
                    .put("parentTxId", parentTx).put("parentEndpoint", parentEndpoint).put("playerId", player).put("amount", amount)
                    .put("currency", "EUR").put("duplicate", duplicate).put("status", status).put("attempts", 1).put("latencyMs", 1.5);
            n.put("code", code);
            if (answerAmount != null) {
                n.putObject("answer").put("id", CloudEventJson.stableId(endpoint, tx)).put("ext_transaction_id", tx)
                        .put("operation", endpoint.equals("bet/make") ? "bet" : endpoint.substring(4)).put("amount", answerAmount).put("currency", "EUR");
            } else if (status == 200) {
                n.putObject("answer");
            } else {
                n.putNull("answer");
            }
            return n.toString();
        }

        private static OutboxRelay relay() {
            return new OutboxRelay(ds, new KafkaProducer<>(KafkaSettings.outboxProducer(TestInfra.get().bootstrapServers(), "reconcile-test-relay", 5000)),
                    new OutboxRelay.Config(500, 100, 5000, 1000), null);
        }

        private static void drain(OutboxRelay relay) throws Exception {
            while (relay.drainOnce() > 0) {
                // one round per batch until the outbox is empty
            }
            assertEquals(0, count("SELECT count(*) FROM outbox"));
        }

        /** Until the worker decided every credit and committed its offsets. */
        private static void awaitSettled() throws Exception {
            long deadline = System.nanoTime() + SETTLE_MAX.toNanos();
            try (Admin admin = admin()) {
                while (count("SELECT count(*) FROM credit WHERE status = 'PENDING'") > 0
                        || KafkaChecks.totalLag(admin, Map.of(SettlementConsumer.GROUP_ID, Topics.SETTLEMENT_COMMANDS)) > 0) {
                    assertTrue(System.nanoTime() < deadline, "the worker did not settle the credits");
                    Thread.sleep(100);
                }
            }
        }

        static String string(String sql) throws SQLException {
            try (Connection c = ds.getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        }

        static long count(String sql) throws SQLException {
            try (Connection c = ds.getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The ingress's provider and operator decisions as its services make them (BetMakeService,
     * SettlementService, RollbackService, DiscardService, OperatorWalletService), with the money
     * module's own statements ({@link Ledger}, {@link Spend}, {@link PendingCredit}, {@link Reversal},
     * {@link CreditBatch}, {@link WalletEvents}), so {@code balance}, {@code pending}, {@code player_seq}
     * and the ledger change exactly as in production; without the HTTP and JWT layers: one transaction
     * per callback, the outbox rows in it, its idempotency record claimed first and completed last
     * with the answer and the player_seq it was read with (IdempotencyStore's two statements, written
     * out here: this module cannot call the ingress). The make's debit is {@link Ledger#debitIfFunded},
     * the same conditional debit BetMakeService folds into one statement with its event.
     */
    static final class Ingress {
        /** CREDIT_FLIP_MAX, the ingress's default: at most this many pending credits a spend applies first. */
        private static final int CREDIT_FLIP_MAX = 1000;
        private static final String CURRENCY = "EUR";
        /** IdempotencyStore.CLAIM_SQL and the statement of IdempotencyStore.complete. */
        private static final String CLAIM_SQL = "INSERT INTO idempotency_record (endpoint, key, request_hash) VALUES (?, ?, ?)"
                + " ON CONFLICT DO NOTHING";
        private static final String COMPLETE_SQL = "UPDATE idempotency_record SET response_status = ?, response_body = ?, player_seq = ?"
                + " WHERE endpoint = ? AND key = ?";

        /** The local day an instant books to: LIMITS_TIME_ZONE's default, UTC. */
        static LocalDate day(Instant at) {
            return Limits.day(at, ZoneOffset.UTC);
        }

        /** A limit in force from now (what PUT .../limits stores for a first limit: LimitService). */
        void limit(String player, String kind, String period, long value) throws SQLException {
            tx(c -> {
                exec(c, "INSERT INTO player_limit (player_id, kind, period, value, updated_at) VALUES ('" + player + "', '" + kind + "', '"
                        + period + "', " + value + ", now())");
                return null;
            });
        }

        void player(String id) throws SQLException {
            tx(c -> {
                exec(c, "INSERT INTO player (id) VALUES ('" + id + "')");
                exec(c, "INSERT INTO wallet (player_id, currency) VALUES ('" + id + "', '" + CURRENCY + "')");
                return null;
            });
        }

        void deposit(String player, String key, long amount) throws SQLException {
            tx(c -> {
                claim(c, "operator/deposit", key);
                Ledger.Moved moved = Ledger.apply(c, walletOf(c, player).id(), amount, "deposit", "deposit:" + key);
                Instant now = Instant.now();
                // Its usage after the wallet row, checked against the deposit limits in force (OperatorWalletService).
                List<Limits.Usage> usage = Limits.book(c, player, day(now), Limits.Booking.deposit(amount), now);
                assertNull(Limits.over(usage, Limits.DEPOSIT_KINDS), key + " within the deposit limits");
                Limits.storeDepositBooked(c, "deposit:" + key, day(now), Limits.checked(usage, Limits.DEPOSIT_KINDS));
                WalletEvents.append(c, MoneyMoved.of(EventTypes.DEPOSIT, player, CURRENCY, amount, now,
                        CloudEventJson.stableId("operator/deposit", key)), key, moved(moved), now);
                operatorAnswer(c, "operator/deposit", "deposit", key, player, amount, moved);
                return null;
            });
        }

        boolean withdraw(String player, String key, long amount) throws SQLException {
            return tx(c -> {
                claim(c, "operator/withdrawal", key);
                Ledger.Moved moved = spend(c, walletOf(c, player), amount, "withdrawal", "withdrawal:" + key);
                if (moved == null) {
                    c.rollback(); // 422: the claim goes with the rest
                    return false;
                }
                Instant now = Instant.now();
                WalletEvents.append(c, MoneyMoved.of(EventTypes.WITHDRAWAL, player, CURRENCY, -amount, now,
                        CloudEventJson.stableId("operator/withdrawal", key)), key, moved(moved), now);
                operatorAnswer(c, "operator/withdrawal", "withdrawal", key, player, amount, moved);
                return true;
            });
        }

        /** OperatorWalletService's answer to a deposit or withdrawal, stored with the player_seq of its money statement. */
        private static void operatorAnswer(Connection c, String endpoint, String operation, String key, String player, long amount,
                Ledger.Moved moved) throws SQLException {
            String body = CloudEventJson.mapper().createObjectNode().put("id", key)
                    .put("transaction_id", CloudEventJson.stableId(endpoint, key)).put("player_id", player).put("operation", operation)
                    .put("amount", amount).put("currency", CURRENCY).put("balance", moved.available())
                    .put("settled_balance", moved.balanceAfter()).put("version", moved.version()).toString();
            answer(c, endpoint, key, body, moved.playerSeq());
        }

        /** bet/make: the bet, the conditional debit, wallet.bet.placed. Null (nothing written) when the balance is short. */
        String make(String txId, String player, long stake) throws SQLException {
            String betId = CloudEventJson.stableId("bet/make", txId);
            return tx(c -> {
                claim(c, "bet/make", txId);
                Wallet wallet = walletOf(c, player);
                Instant at = Instant.now();
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake, state,"
                        + " usage_day) VALUES (?, ?, ?, ?, '" + CURRENCY + "', ?, 'OPEN', ?)")) {
                    ps.setString(1, betId);
                    ps.setString(2, txId);
                    ps.setString(3, player);
                    ps.setLong(4, wallet.id());
                    ps.setLong(5, stake);
                    ps.setObject(6, day(at));
                    ps.executeUpdate();
                }
                Ledger.Moved moved = spend(c, wallet, stake, "bet", "bet/make:" + txId);
                if (moved == null) {
                    c.rollback(); // 2001: the claim goes with the rest
                    return null;
                }
                Instant now = Instant.now();
                WalletEvents.append(c, BetPlaced.of(player, CURRENCY, stake, now, betId, txId), betId, moved(moved), now);
                answer(c, "bet/make", txId, moneyBody(betId, txId, null, player, "bet", stake, moved.available()), moved.playerSeq());
                // The stake's usage after the wallet row, checked against the limits in force, and stored on the bet (BetMake, BetMakeService).
                List<Limits.Usage> usage = Limits.book(c, player, day(at), Limits.Booking.make(stake), at);
                assertNull(Limits.over(usage, BetMake.LIMIT_KINDS), txId + " within the limits");
                assertEquals(List.of(), Limits.reached(usage, BetMake.LIMIT_KINDS), txId + ": no limit reached (no wallet.limit.reached here)");
                Limits.storeMakeChecked(c, betId, Limits.checked(usage, BetMake.LIMIT_KINDS));
                return betId;
            });
        }

        /**
         * A make's or withdrawal's debit (Spend): the fast path when the settled balance read without a lock
         * covers it, else the wallet's pending credits applied first; null when even that is short.
         */
        private static Ledger.Moved spend(Connection c, Wallet wallet, long amount, String operation, String key) throws SQLException {
            boolean fast = Spend.fastPath(wallet.balance(), amount);
            if (fast) {
                Spend.savepoint(c);
            }
            return Spend.debit(c, wallet.id(), fast, CREDIT_FLIP_MAX, () -> Ledger.debitIfFunded(c, wallet.id(), amount, operation, key))
                    .debited();
        }

        /** bet/win, bet/lost, bet/refund: the transition, the settlement, for money a PENDING credit and its command, the event. */
        void settle(String endpoint, String txId, String betTxId, long amount) throws SQLException {
            String betId = CloudEventJson.stableId("bet/make", betTxId);
            String settlementId = CloudEventJson.stableId(endpoint, txId);
            String state = switch (endpoint) {
                case "bet/win" -> "WON";
                case "bet/lost" -> "LOST";
                default -> "REFUNDED";
            };
            String creditKind = switch (endpoint) {
                case "bet/win" -> PendingCredit.WIN;
                case "bet/refund" -> PendingCredit.REFUND;
                default -> null;
            };
            String type = switch (endpoint) {
                case "bet/win" -> EventTypes.BET_WON;
                case "bet/lost" -> EventTypes.BET_LOST;
                default -> EventTypes.BET_REFUNDED;
            };
            tx(c -> {
                claim(c, endpoint, txId);
                String player;
                long walletId;
                long stake;
                try (PreparedStatement ps = c.prepareStatement("UPDATE bet SET state = ?, latest_settlement_id = ?, updated_at = now()"
                        + " WHERE id = ? AND state = 'OPEN' RETURNING player_id, wallet_id, stake")) {
                    ps.setString(1, state);
                    ps.setString(2, settlementId);
                    ps.setString(3, betId);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next(), "bet " + betTxId + " is open");
                        player = rs.getString(1);
                        walletId = rs.getLong(2);
                        stake = rs.getLong(3);
                    }
                }
                Instant at = Instant.now();
                Limits.Booking usage = Limits.Booking.settlement(state, amount);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO settlement (id, bet_id, kind, amount, state, usage_day, usage_wager,"
                        + " usage_loss) VALUES (?, ?, ?, ?, 'ACTIVE', ?, ?, ?)")) {
                    ps.setString(1, settlementId);
                    ps.setString(2, betId);
                    ps.setString(3, state);
                    ps.setLong(4, amount);
                    ps.setObject(5, day(at));
                    ps.setLong(6, usage.wager());
                    ps.setLong(7, usage.loss());
                    ps.executeUpdate();
                }
                if (creditKind != null) {
                    PendingCredit.insert(c, settlementId, walletId, player, betId, creditKind, amount);
                }
                // The wallet row last: the credit joins pending, the event takes the next player_seq.
                WalletEvents.Advanced wallet = WalletEvents.advance(c, walletId, creditKind != null ? amount : 0);
                Limits.bookUnchecked(c, player, day(at), usage, at); // after the wallet row (SettlementService)
                Instant now = Instant.now();
                if (creditKind != null) {
                    WalletEvents.appendCreditCommand(c, settlementId, walletId, player, betId, creditKind, amount, CURRENCY,
                            wallet.playerSeq(), now);
                }
                WalletEvents.append(c, BetSettled.of(type, player, CURRENCY, amount, now, stake, betId, settlementId, txId, false), settlementId,
                        Position.of(wallet.playerSeq(), wallet.available()), now);
                answer(c, endpoint, txId, moneyBody(settlementId, txId, betId, player, endpoint.substring("bet/".length()), amount,
                        wallet.available()), wallet.playerSeq());
                return null;
            });
        }

        /** bet/rollback under ROLLBACK_SHORTFALL=negative (the default). */
        long rollback(String txId, String betTxId, String parentEndpoint, String parentTxId) throws SQLException {
            return rollback(txId, betTxId, parentEndpoint, parentTxId, Reversal.ShortfallPolicy.NEGATIVE);
        }

        /**
         * bet/rollback: reopen, reverse (cancel the PENDING credit or debit the applied one, a shortfall meeting
         * {@code shortfall}), or tombstone. Returns the reversed amount.
         */
        long rollback(String txId, String betTxId, String parentEndpoint, String parentTxId, Reversal.ShortfallPolicy shortfall)
                throws SQLException {
            String betId = CloudEventJson.stableId("bet/make", betTxId);
            String parentId = CloudEventJson.stableId(parentEndpoint, parentTxId);
            String rollbackId = CloudEventJson.stableId("bet/rollback", txId);
            return tx(c -> {
                claim(c, "bet/rollback", txId);
                String player = null;
                long walletId = 0;
                long stake = 0;
                try (PreparedStatement ps = c.prepareStatement("UPDATE bet SET state = 'OPEN', updated_at = now() WHERE id = ?"
                        + " AND latest_settlement_id = ? AND state IN ('WON', 'CASHED_OUT', 'LOST', 'REFUNDED')"
                        + " RETURNING player_id, wallet_id, stake")) {
                    ps.setString(1, betId);
                    ps.setString(2, parentId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            player = rs.getString(1);
                            walletId = rs.getLong(2);
                            stake = rs.getLong(3);
                        }
                    }
                }
                if (player == null) {
                    // Unknown parent: tombstoned; no event, player_seq unchanged. The answer shows the bet's wallet as it is
                    // (balance + pending and player_seq read together, without a lock).
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO settlement (id, bet_id, kind, state)"
                            + " VALUES (?, ?, 'TOMBSTONE', 'TOMBSTONE') ON CONFLICT DO NOTHING")) {
                        ps.setString(1, parentId);
                        ps.setString(2, betId);
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement("SELECT b.player_id, w.balance + w.pending, w.player_seq FROM bet b"
                            + " JOIN wallet w ON w.id = b.wallet_id WHERE b.id = ?")) {
                        ps.setString(1, betId);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next(), "bet " + betTxId + " has a wallet");
                            answer(c, "bet/rollback", txId,
                                    moneyBody(rollbackId, txId, betId, rs.getString(1), "rollback", 0, rs.getLong(2)), rs.getLong(3));
                        }
                    }
                    return 0L;
                }
                long amount;
                LocalDate usageDay;
                Limits.Booking usage;
                try (PreparedStatement ps = c.prepareStatement("UPDATE settlement SET state = 'ROLLED_BACK' WHERE id = ? AND state = 'ACTIVE'"
                        + " RETURNING amount, usage_day, usage_wager, usage_loss")) {
                    ps.setString(1, parentId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        amount = rs.getLong(1);
                        usageDay = rs.getObject(2, LocalDate.class);
                        usage = new Limits.Booking(rs.getLong(3), rs.getLong(4), 0);
                    }
                }
                String usagePlayer = player;
                // What the settlement booked, taken back in its own period after the wallet row (RollbackService).
                Work<Void> unbook = x -> {
                    Limits.bookUnchecked(x, usagePlayer, usageDay, usage.reversed(), Instant.now());
                    return null;
                };
                Instant now = Instant.now();
                String owner = player;
                long reversed = amount;
                long betStake = stake;
                java.util.function.BiFunction<Boolean, Long, BetRolledBack> event = (creditCancelled, absorbed) -> BetRolledBack.of(owner,
                        CURRENCY, reversed, now, betStake, betId, rollbackId, txId, "win", parentId, now, creditCancelled, absorbed);
                boolean cancelled = false;
                if (amount > 0) {
                    // The reversed credit and the wallet's pending credits, locked in one statement in credit-id order.
                    Reversal.Locked locked = Reversal.lockCredits(c, parentId, walletId, CREDIT_FLIP_MAX);
                    cancelled = "PENDING".equals(locked.reversedStatus()) && PendingCredit.cancel(c, parentId);
                    if (!cancelled) {
                        // Applied already: the wallet's pending credits first, then the reversal, a shortfall meeting
                        // ROLLBACK_SHORTFALL (negative: left below zero; absorb: the house's write-off takes it); the
                        // rolled-back event, then its alert.
                        CreditBatch.applyLocked(c, locked.otherPending());
                        Reversal.Debited debited = Reversal.debit(c, walletId, CURRENCY, amount, shortfall, "bet/rollback:" + txId);
                        Ledger.Moved moved = debited.wallet();
                        WalletEvents.append(c, event.apply(Boolean.FALSE, debited.absorbed()), rollbackId,
                                Position.moved(debited.rolledBackSeq(), moved.balanceAfter(), moved.version(), moved.available()), now);
                        if (debited.alert()) {
                            WalletEvents.append(c, Alert.of(player, CURRENCY, -amount, now,
                                    moved.balanceAfter() < 0 ? "negative_balance" : "absorbed_shortfall", debited.absorbed(), betId, rollbackId,
                                    txId), rollbackId, Position.settled(moved.playerSeq(), moved.balanceAfter(), moved.version()), now);
                        }
                        unbook.run(c);
                        answer(c, "bet/rollback", txId, moneyBody(rollbackId, txId, betId, player, "rollback", amount, moved.available()),
                                moved.playerSeq());
                        return amount;
                    }
                }
                // Cancelled while PENDING (it leaves pending), or nothing to take back: the event still takes its place.
                WalletEvents.Advanced wallet = WalletEvents.advance(c, walletId, cancelled ? -amount : 0);
                WalletEvents.append(c, event.apply(amount > 0 ? Boolean.TRUE : null, 0L), rollbackId,
                        Position.of(wallet.playerSeq(), wallet.available()), now);
                unbook.run(c);
                answer(c, "bet/rollback", txId, moneyBody(rollbackId, txId, betId, player, "rollback", amount, wallet.available()),
                        wallet.playerSeq());
                return amount;
            });
        }

        /**
         * bet/discard of a settled bet: it changes nothing and its answer, the available balance, is not stored
         * (DiscardService releases its claim), so the same discard after a rollback reopened the bet takes effect.
         */
        long discardSettled(String makeTxId) throws SQLException {
            return tx(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT b.state, w.balance + w.pending FROM bet b JOIN wallet w"
                        + " ON w.id = b.wallet_id WHERE b.provider_tx_id = ?")) {
                    ps.setString(1, makeTxId);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next(), "bet " + makeTxId);
                        assertTrue(List.of("WON", "LOST", "REFUNDED", "CASHED_OUT").contains(rs.getString(1)),
                                "bet " + makeTxId + " settled");
                        return rs.getLong(2);
                    }
                }
            });
        }

        /** bet/discard of an OPEN bet: DISCARDED, the stake as a PENDING credit, its command, the event. Returns the answered balance. */
        long discard(String makeTxId) throws SQLException {
            String betId = CloudEventJson.stableId("bet/make", makeTxId);
            String discardId = CloudEventJson.stableId("bet/discard", makeTxId);
            return tx(c -> {
                claim(c, "bet/discard", makeTxId);
                String player;
                long walletId;
                long stake;
                LocalDate usageDay;
                try (PreparedStatement ps = c.prepareStatement("UPDATE bet SET state = 'DISCARDED', updated_at = now() WHERE id = ?"
                        + " AND state = 'OPEN' RETURNING player_id, wallet_id, stake, usage_day")) {
                    ps.setString(1, betId);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next(), "bet " + makeTxId + " is open");
                        player = rs.getString(1);
                        walletId = rs.getLong(2);
                        stake = rs.getLong(3);
                        usageDay = rs.getObject(4, LocalDate.class);
                    }
                }
                PendingCredit.insert(c, discardId, walletId, player, betId, PendingCredit.DISCARD, stake);
                WalletEvents.Advanced wallet = WalletEvents.advance(c, walletId, stake);
                // The make's usage taken back in the make's own period, after the wallet row (DiscardService).
                Limits.bookUnchecked(c, player, usageDay, Limits.Booking.make(stake).reversed(), Instant.now());
                Instant now = Instant.now();
                WalletEvents.appendCreditCommand(c, discardId, walletId, player, betId, PendingCredit.DISCARD, stake, CURRENCY,
                        wallet.playerSeq(), now);
                WalletEvents.append(c, BetDiscarded.of(player, CURRENCY, stake, now, betId, discardId, makeTxId), discardId,
                        Position.of(wallet.playerSeq(), wallet.available()), now);
                // DiscardService's answer names no player: {"balance": available}.
                answer(c, "bet/discard", makeTxId, CloudEventJson.mapper().createObjectNode().put("balance", wallet.available()).toString(),
                        wallet.playerSeq());
                return wallet.available();
            });
        }

        /** The position of an event of a transaction that moved settled money: balance_after, sequence, player_seq, available_after. */
        private static Position moved(Ledger.Moved moved) {
            return Position.moved(moved.playerSeq(), moved.balanceAfter(), moved.version(), moved.available());
        }

        private static Wallet walletOf(Connection c, String player) throws SQLException {
            return Wallet.of(c, player);
        }

        /** The idempotency claim, first in the transaction (IdempotencyStore.claim); every key here is new. */
        private static void claim(Connection c, String endpoint, String key) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(CLAIM_SQL)) {
                ps.setString(1, endpoint);
                ps.setString(2, key);
                ps.setBytes(3, (endpoint + " " + key).getBytes(StandardCharsets.UTF_8));
                assertEquals(1, ps.executeUpdate(), endpoint + " " + key + " claimed");
            }
        }

        /** The stored answer (IdempotencyStore.complete): 200, the body, the player_seq its balance was read with. */
        private static void answer(Connection c, String endpoint, String key, String body, long playerSeq) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(COMPLETE_SQL)) {
                ps.setInt(1, 200);
                ps.setString(2, body);
                ps.setLong(3, playerSeq);
                ps.setString(4, endpoint);
                ps.setString(5, key);
                assertEquals(1, ps.executeUpdate(), endpoint + " " + key + " completed");
            }
        }

        /** The protocol's money body (Callbacks.moneyBody), fields in the documented order, balance = available. */
        private static String moneyBody(String id, String extTransactionId, String parentTransactionId, String player, String operation,
                long amount, long balance) {
            return CloudEventJson.mapper().createObjectNode().put("id", id).put("ext_transaction_id", extTransactionId)
                    .put("parent_transaction_id", parentTransactionId).put("user_id", player).put("operation", operation)
                    .put("amount", amount).put("currency", CURRENCY).put("balance", balance).toString();
        }

        @FunctionalInterface
        interface Work<T> {
            T run(Connection c) throws SQLException;
        }

        /** One transaction, one commit (unless the work rolled back itself). */
        private static <T> T tx(Work<T> work) throws SQLException {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
        }
    }
}
