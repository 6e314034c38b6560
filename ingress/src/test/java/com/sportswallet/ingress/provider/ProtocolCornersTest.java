package com.sportswallet.ingress.provider;

import static com.sportswallet.ingress.provider.Provider.call;
import static com.sportswallet.ingress.provider.Provider.operatorId;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The protocol's small corners (issue 12, finding 8): a discard tombstone is no bet for commit
 * (2004), rollback or settlement (2003); every money body field has a value; a make racing a
 * status change to BLOCKED is decided as if one came wholly before the other.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class ProtocolCornersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STAKE = 100;
    /** Rounds of a make racing a block: each round is a few HTTP calls. */
    private static final int RACE_ROUNDS = 20;
    /** How long the staged race waits for the make to queue behind the held reference row (under the 2 s lock_timeout). */
    private static final long QUEUED_WAIT_MS_MAX = 1_500;

    private static String player(long funds) {
        return ProtocolStateTableTest.player(funds);
    }

    private static void refused(Response r, int code) {
        ProtocolStateTableTest.refused(r, code);
    }

    @Test
    void aDiscardTombstoneIsNoBetForCommitRollbackOrSettlement() {
        String player = player(1000);
        String tx = txId();
        call("bet/discard", Provider.discard(player, tx)).then().statusCode(200);
        String tombstone = operatorId("bet/make", tx);
        assertEquals("DISCARDED", ProtocolStateTableTest.state(tombstone));

        String before = ProviderJwtTest.footprint();
        List<String> failures = new ArrayList<>();
        Map<String, Response> answers = Map.of(
                "commit (2004)", call("bet/commit", Provider.commit(tombstone)),
                "settlement (2003)", call("bet/settlement", Provider.settlementStatus(tombstone, "won")),
                "rollback (2003)", call("bet/rollback", Provider.rollback(tombstone, txId(), operatorId("bet/win", txId()))));
        answers.forEach((label, r) -> {
            String expected = label.substring(label.indexOf('(') + 1, label.indexOf(')'));
            if (r.statusCode() != 400 || !r.asString().contains("\"code\":" + expected)) {
                failures.add(label + ": HTTP " + r.statusCode() + " " + r.asString());
            }
        });
        assertEquals(List.of(), failures);
        assertEquals(before, ProviderJwtTest.footprint(), "nothing written: no rollback tombstone, no record");
        assertEquals("f", ProtocolStateTableTest.text("SELECT confirmed FROM bet WHERE id = '" + tombstone + "'"));
        assertEquals(null, ProtocolStateTableTest.text("SELECT provider_status FROM bet WHERE id = '" + tombstone + "'"));
        // The late make is still refused, as before. Its debit ran in the round trip that found the tombstone (issue 16:
        // a lone cash make sends its debit with its bet) and was rolled back with everything else: no money, no entry, no event.
        String seq = "SELECT player_seq FROM wallet WHERE player_id = '" + player + "' AND kind = 'CASH'";
        long seqBefore = Db.count(seq);
        long balanceBefore = OperatorApiTest.balance(player);
        refused(call("bet/make", Provider.make(player, tx, STAKE, "EUR")), 2004);
        assertEquals(balanceBefore, OperatorApiTest.balance(player), "the refused make's debit was rolled back");
        assertEquals(seqBefore, Db.count(seq), "no event of the refused make");
        assertEquals(0, Db.count("SELECT count(*) FROM ledger_entry WHERE idempotency_key = 'bet/make:" + tx + "'"), "no ledger entry");
        assertEquals(0, Db.count("SELECT count(*) FROM idempotency_record WHERE endpoint = 'bet/make' AND key = '" + tx + "'"), "no stored answer");
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    /** Every field of a money body has a value; parent_transaction_id names the bet (null only on make, as PROTOCOL.md says). */
    private static void assertMoneyBody(String label, Response r, boolean make) throws Exception {
        assertEquals(200, r.statusCode(), label + ": " + r.asString());
        JsonNode body = JSON.readTree(r.asString());
        List<String> fields = List.of("id", "ext_transaction_id", "parent_transaction_id", "user_id", "operation", "amount", "currency",
                "balance");
        List<String> names = new ArrayList<>();
        body.fieldNames().forEachRemaining(names::add);
        assertEquals(fields, names, label + ": the documented fields in order");
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            boolean documentedNull = make && f.getKey().equals("parent_transaction_id");
            assertEquals(documentedNull, f.getValue().isNull(), label + ": " + f.getKey() + " in " + body);
        }
    }

    @Test
    void everyMoneyBodyFieldHasAValue() throws Exception {
        String player = player(1000);
        String tx = txId();
        assertMoneyBody("make", call("bet/make", Provider.make(player, tx, STAKE, "EUR")), true);
        String betId = operatorId("bet/make", tx);
        String winTx = txId();
        assertMoneyBody("win", call("bet/win", Provider.win(betId, winTx, 300, "EUR")), false);
        assertMoneyBody("rollback of the win", call("bet/rollback", Provider.rollback(betId, txId(), operatorId("bet/win", winTx))), false);
        assertMoneyBody("rollback of an unknown settlement", call("bet/rollback", Provider.rollback(betId, txId(), "unknown-" + txId())),
                false);
        assertMoneyBody("lost", call("bet/lost", Provider.lost(betId, txId(), "EUR")), false);
        String refundedTx = txId();
        call("bet/make", Provider.make(player, refundedTx, STAKE, "EUR")).then().statusCode(200);
        assertMoneyBody("refund without a currency", call("bet/refund", Provider.refund(operatorId("bet/make", refundedTx), txId(), STAKE)),
                false);
        // A bet discarded after it was made is a bet (its player known): a rollback naming it answers in full.
        String discardedTx = txId();
        call("bet/make", Provider.make(player, discardedTx, STAKE, "EUR")).then().statusCode(200);
        call("bet/discard", Provider.discard(player, discardedTx)).then().statusCode(200);
        assertMoneyBody("rollback naming a discarded bet",
                call("bet/rollback", Provider.rollback(operatorId("bet/make", discardedTx), txId(), "unknown-" + txId())), false);
    }

    // ---- a make racing a status change ----

    private static long playerSeq(String player) {
        return ProviderConcurrencyTest.number("SELECT player_seq FROM wallet WHERE player_id = ? AND kind = 'CASH'", player);
    }

    /** The player_seq stored with the make's answer: its place in the player's order (null when refused). */
    private static String makeSeq(String tx) {
        return ProviderConcurrencyTest.text("SELECT player_seq FROM idempotency_record WHERE endpoint = 'bet/make' AND key = ?", tx);
    }

    private static Response setStatus(String player, String status) {
        return OperatorApiTest.operator().body("{\"status\":\"" + status + "\"}").put("/operator/players/" + player + "/status");
    }

    /**
     * The make and the block agree with one serial order: an accepted make precedes the block in
     * the player's order (its event takes player_seq base + 1, the block's base + 2); a make
     * after the block is refused with 1005.
     */
    private static String serialOrderViolation(Response make, String tx, long base) {
        if (make.statusCode() == 200) {
            String seq = makeSeq(tx);
            return Long.toString(base + 1).equals(seq) ? null
                    : "make accepted at player_seq " + seq + ", after the block's status change (base " + base + "): " + make.asString();
        }
        return make.statusCode() == 400 && make.asString().contains("\"code\":1005") ? null
                : "make answered HTTP " + make.statusCode() + " " + make.asString();
    }

    @Test
    void aMakeWhoseStatusReadABlockOvertookIsRefused() throws Exception {
        String player = player(1000);
        String tx = txId();
        String sport = "held-sport-" + tx;
        long base = playerSeq(player);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Response make;
        try (Connection hold = TestInfra.get().connect(); Connection watch = TestInfra.get().connect()) {
            // The make's reference row is held by an open insert: the make reads the player ACTIVE in its first round
            // trip, then queues in its second, behind this transaction.
            hold.setAutoCommit(false);
            int holder;
            try (Statement s = hold.createStatement()) {
                s.executeUpdate("INSERT INTO sport (id, name) VALUES ('" + sport + "', 'held')");
                try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    holder = rs.getInt(1);
                }
            }
            Future<Response> pending = pool.submit(() -> call("bet/make", Provider.make(player, tx, STAKE, "EUR", sport, "Held")));
            assertTrue(awaitBlockedBy(watch, holder), "the make queued behind the held reference row");
            // Meanwhile the operator blocks the player: committed before the make goes on.
            setStatus(player, "BLOCKED").then().statusCode(200);
            hold.rollback();
            make = pending.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(null, serialOrderViolation(make, tx, base));
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    /** Whether some backend waits on {@code holder}'s locks, polled for at most {@link #QUEUED_WAIT_MS_MAX}. */
    private static boolean awaitBlockedBy(Connection watch, int holder) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUEUED_WAIT_MS_MAX);
        try (PreparedStatement ps = watch.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
            ps.setInt(1, holder);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return true;
                    }
                }
                Thread.sleep(5);
            }
        }
        return false;
    }

    @Test
    void makesRacingABlockAgreeWithASerialOrder() throws Exception {
        String player = player(RACE_ROUNDS * STAKE);
        List<String> violations = new ArrayList<>();
        int accepted = 0;
        for (int round = 0; round < RACE_ROUNDS; round++) {
            long base = playerSeq(player);
            String tx = txId();
            List<Callable<Response>> calls = List.of(() -> call("bet/make", Provider.make(player, tx, STAKE, "EUR")),
                    () -> setStatus(player, "BLOCKED"));
            List<Response> answers = OperatorApiTest.concurrently(calls);
            assertEquals(200, answers.get(1).statusCode(), "the block: " + answers.get(1).asString());
            String violation = serialOrderViolation(answers.get(0), tx, base);
            if (violation != null) {
                violations.add("round " + round + ": " + violation);
            }
            accepted += answers.get(0).statusCode() == 200 ? 1 : 0;
            assertEquals(base + 2 - (answers.get(0).statusCode() == 200 ? 0 : 1), playerSeq(player), "round " + round);
            setStatus(player, "ACTIVE").then().statusCode(200);
        }
        System.out.printf("[make-vs-block] %d rounds: %d makes accepted before the block, %d refused after it%n", RACE_ROUNDS, accepted,
                RACE_ROUNDS - accepted);
        assertEquals(List.of(), violations);
        assertEquals((RACE_ROUNDS - accepted) * STAKE, OperatorApiTest.balance(player));
        assertEquals(0, Db.ledgerDiscrepancies());
    }
}
