package com.sportswallet.ingress.provider;

import static com.sportswallet.ingress.provider.Provider.call;
import static com.sportswallet.ingress.provider.Provider.operatorId;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import com.sportswallet.contracts.Topics;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.outbox.KafkaSettings;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;
import com.sportswallet.worker.settlement.SettlementConsumer;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The whole money path: the real ingress decides (HTTP), its outbox relay publishes the
 * commands to the real broker, and the real settlement consumer applies them. The rollback
 * chain of PROTOCOL.md, with rollbacks arriving after their credit was applied and before.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class SettlementEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The worker's consumer in this JVM, on the real topic and group. */
    static final class Worker implements AutoCloseable {
        final SettlementConsumer consumer;
        final Thread thread;
        final KafkaProducer<String, String> dlq;

        Worker() {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(TestInfra.get().jdbcUrl());
            ds.setUser(TestInfra.get().dbUser());
            ds.setPassword(TestInfra.get().dbPassword());
            Properties kafka = new Properties();
            kafka.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().bootstrapServers());
            kafka.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
            dlq = new KafkaProducer<>(KafkaSettings.relayProducer(TestInfra.get().bootstrapServers(), "e2e-dlq", 5000));
            consumer = new SettlementConsumer(ds, kafka, dlq, new SettlementConsumer.Config(500, 200, 100, 50, 1000, 5000,
                    Topics.SETTLEMENT_COMMANDS, SettlementConsumer.GROUP_ID), null, null);
            thread = new Thread(consumer, "e2e-settlement-consumer");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            consumer.close();
            thread.join(30_000);
            dlq.close();
        }
    }

    static void awaitNoPending(String betId) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && Db.count("SELECT count(*) FROM credit WHERE status = 'PENDING' AND bet_id = '" + betId + "'") > 0) {
            Thread.sleep(20);
        }
        assertEquals(0, Db.count("SELECT count(*) FROM credit WHERE status = 'PENDING' AND bet_id = '" + betId + "'"), "credits applied");
    }

    @Test
    void theRollbackChainThroughIngressRelayAndWorker() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "e2e-" + player, 1000).then().statusCode(200);
        String betId = call("bet/make", Provider.make(player, txId(), 100, "EUR")).then().statusCode(200).extract().jsonPath().getString("id");
        long expected = 900;
        String[] chain = { "win:500", "win:250", "refund:100", "lost:0" };

        // First round: the worker runs, so every rollback arrives after its credit was applied.
        try (Worker worker = new Worker()) {
            for (String step : chain) {
                String kind = step.split(":")[0];
                long amount = Long.parseLong(step.split(":")[1]);
                String tx = settle(betId, kind, amount);
                awaitNoPending(betId);
                assertEquals(expected + amount, OperatorApiTest.balance(player), "after " + kind);
                call("bet/rollback", Provider.rollback(betId, txId(), operatorId("bet/" + kind, tx))).then().statusCode(200);
                assertEquals(expected, OperatorApiTest.balance(player), "after the rollback of an applied " + kind);
            }
        }
        // Second round: no worker, so every rollback arrives while its credit is still pending.
        for (String step : chain) {
            String kind = step.split(":")[0];
            long amount = Long.parseLong(step.split(":")[1]);
            String tx = settle(betId, kind, amount);
            call("bet/rollback", Provider.rollback(betId, txId(), operatorId("bet/" + kind, tx))).then().statusCode(200);
            assertEquals(expected, OperatorApiTest.balance(player), "after the rollback of a pending " + kind);
        }
        try (Worker worker = new Worker()) {
            call("bet/refund", Provider.refund(betId, txId(), 100)).then().statusCode(200);
            awaitNoPending(betId);
            assertEquals(1000, OperatorApiTest.balance(player));
        }
        assertEquals(0, Db.count("SELECT count(*) FROM credit WHERE bet_id = '" + betId + "' AND status = 'PENDING'"));
        // Win, win and refund carry money (lost does not): three credits per round.
        assertEquals(3, Db.count("SELECT count(*) FROM credit WHERE bet_id = '" + betId + "' AND status = 'CANCELLED'"),
                "the second round's credits were cancelled, never applied");
        assertEquals(3 + 1, Db.count("SELECT count(*) FROM credit WHERE bet_id = '" + betId + "' AND status = 'APPLIED'"),
                "the first round's credits and the final refund were applied");
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    private static String settle(String betId, String kind, long amount) {
        String tx = txId();
        call("bet/" + kind, Provider.settlement(kind, betId, tx, amount)).then().statusCode(200);
        return tx;
    }
}
