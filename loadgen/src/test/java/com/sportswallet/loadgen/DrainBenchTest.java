package com.sportswallet.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.stream.LongStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import com.sportswallet.testkit.TestInfra;

/**
 * DrainBench's seeding, drain and ledger check on a small backlog, against the testkit's PostgreSQL
 * and Kafka: the seeded credits are on their wallets' pending as the ingress would have put them, the
 * real worker moves all of it to the balance, and the check tells the two states apart. No timing
 * is asserted.
 */
class DrainBenchTest {
    private static final int PLAYERS = 7;
    private static final int CREDITS = 60;

    @Test
    void theSeededCreditsArePendingOnTheirWalletsAndTheDrainLeavesNothingPending() throws Exception {
        TestInfra infra = TestInfra.get();
        infra.migrate();
        DrainBench.Options o = new DrainBench.Options();
        o.jdbcUrl = infra.jdbcUrl();
        o.dbUser = infra.dbUser();
        o.dbPassword = infra.dbPassword();
        o.bootstrap = infra.bootstrapServers();
        o.players = PLAYERS;
        o.credits = CREDITS;
        o.batchSizeMax = 25;
        o.partitions = 3;
        o.timeoutSeconds = 90;
        String run = "t" + Long.toString(System.nanoTime(), 36);
        String prefix = "drain-" + run + "-";
        String topic = "settlement.commands.bench-" + run;
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(o.jdbcUrl);
        pg.setUser(o.dbUser);
        pg.setPassword(o.dbPassword);

        try {
            seedDrainAndCheck(o, pg, run, prefix, topic);
        } finally {
            removeTheRun(pg, o.bootstrap, prefix, topic, "drain-bench-" + run);
        }
    }

    private static void seedDrainAndCheck(DrainBench.Options o, PGSimpleDataSource pg, String run, String prefix, String topic)
            throws Exception {
        Map<Long, Long> walletOfPlayer = DrainBench.seed(pg, prefix, PLAYERS, CREDITS);
        long seeded = LongStream.rangeClosed(1, CREDITS).map(j -> 100 + j % 900).sum(); // the seeding's amounts
        assertEquals(seeded, number(pg, "SELECT coalesce(sum(pending), 0) FROM wallet WHERE player_id LIKE ?", prefix + "%"));
        assertEquals(0, number(pg, "SELECT count(*) FROM wallet w WHERE w.player_id LIKE ?"
                + " AND w.pending <> (SELECT coalesce(sum(amount), 0) FROM credit c WHERE c.wallet_id = w.id AND c.status = 'PENDING')",
                prefix + "%"), "each wallet's pending = its credits");
        assertEquals(0, number(pg, "SELECT coalesce(sum(balance), 0) FROM wallet WHERE player_id LIKE ?", prefix + "%"));
        DrainBench.Check before = DrainBench.check(pg, prefix, CREDITS);
        assertTrue(before.problems.stream().anyMatch(p -> p.equals(PLAYERS + " of " + PLAYERS
                + " wallets still have pending money after the drain (" + seeded + " in all), expected 0")), before.problems::toString);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(o.partitions), Optional.empty()))).all().get();
        }
        DrainBench.produce(o, run, topic, prefix, walletOfPlayer);
        DrainBench.Drain drain = DrainBench.drain(o, pg, run, topic, "drain-bench-" + run);
        assertFalse(drain.timedOut);
        assertEquals(CREDITS, drain.applied);

        DrainBench.Check after = DrainBench.check(pg, prefix, CREDITS);
        assertEquals(List.of(), after.problems);
        assertEquals(CREDITS, after.ledgerEntries);
        assertEquals(0, number(pg, "SELECT coalesce(sum(pending), 0) FROM wallet WHERE player_id LIKE ?", prefix + "%"));
        assertEquals(seeded, number(pg, "SELECT coalesce(sum(balance), 0) FROM wallet WHERE player_id LIKE ?", prefix + "%"));
    }

    /**
     * The run's synthetic players go with everything they own (as scripts/bench-drain removes them), so the
     * other test classes of this JVM (ReconcileTest's world) never see bets without a debit or credits
     * without a command; and its topic and consumer group.
     */
    private static void removeTheRun(PGSimpleDataSource pg, String bootstrap, String prefix, String topic, String group) throws Exception {
        try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            String like = "'" + prefix + "%'";
            s.executeUpdate("DELETE FROM outbox WHERE msg_key LIKE " + like);
            s.executeUpdate("DELETE FROM ledger_entry WHERE wallet_id IN (SELECT id FROM wallet WHERE player_id LIKE " + like + ")");
            s.executeUpdate("DELETE FROM credit WHERE player_id LIKE " + like);
            s.executeUpdate("DELETE FROM bet WHERE player_id LIKE " + like);
            s.executeUpdate("DELETE FROM wallet WHERE player_id LIKE " + like);
            s.executeUpdate("DELETE FROM player WHERE id LIKE " + like);
            c.commit();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.deleteConsumerGroups(List.of(group)).all().get();
            admin.deleteTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
            // Harmless, as in DrainBench: no check reads this run's own topic or group.
        }
    }

    private static long number(PGSimpleDataSource ds, String sql, String param) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
