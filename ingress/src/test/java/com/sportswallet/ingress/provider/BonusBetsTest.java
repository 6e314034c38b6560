package com.sportswallet.ingress.provider;

import static com.sportswallet.ingress.provider.Provider.call;
import static com.sportswallet.ingress.provider.Provider.operatorId;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.Topics;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.OutboxKafkaTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Bets placed with a bonus (issue 14; PROTOCOL.md "Bonuses"): for every bonus type, the cash and
 * the bonus's state after make, win, lost, refund, rollback and discard; the refusals (3001, 4002)
 * that write nothing; one bonus in 20 concurrent makes (exactly one redeems); a rollback whose
 * released bonus was used since (bonus_rebind_failed). The bonuses are inserted as the granting
 * consumer records them (the grant pipeline has its own tests).
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class BonusBetsTest {
    private static final long DEPOSIT = 1_000;

    @Inject
    BonusClock clock;
    @Inject
    com.sportswallet.ingress.provider.lane.MakeLanes lanes;

    /** One player with {@link #DEPOSIT} and the bonuses a test grants them. */
    static final class Player {
        final String id = OperatorApiTest.createPlayer("EUR");

        Player() {
            OperatorApiTest.deposit(id, "bonus-dep-" + id, DEPOSIT).then().statusCode(200);
        }

        String grant(String type, long amount) {
            return BonusBetsTest.grant(id, type, amount, Duration.ofHours(1));
        }

        Response make(String tx, long stake, String bonusType, String bonusId) {
            Map<String, Object> p = Provider.make(id, tx, stake, "EUR");
            p.put("bonus_type", bonusType);
            if (bonusId != null) {
                p.put("bonus_id", bonusId);
                Provider.child(p, "transaction").put("bonus_id", bonusId);
            }
            if (bonusType.endsWith("comboboost")) {
                p.put("potential_comboboost_win", stake * 3);
            }
            return call("bet/make", p);
        }

        /** A make that must succeed: its bet id; the answer's balance must be {@code balance}. */
        String made(String tx, long stake, String bonusType, String bonusId, long balance) {
            Response r = make(tx, stake, bonusType, bonusId);
            assertEquals(200, r.statusCode(), r::asString);
            assertEquals(balance, r.jsonPath().getLong("balance"), r::asString);
            return r.jsonPath().getString("id");
        }
    }

    static String grant(String player, String type, long amount, Duration expiresIn) {
        String bonusId = "bonus-" + System.nanoTime();
        String requestId = "grant-" + bonusId;
        try (Connection c = TestInfra.get().connect()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus_grant (request_id, request_hash, bonus_type, currency, expires_at,"
                    + " players_total) VALUES (?, '\\x00', ?, 'EUR', now() + ? * interval '1 second', 1)")) {
                ps.setString(1, requestId);
                ps.setString(2, type);
                ps.setLong(3, expiresIn.toSeconds());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus (id, player_id, wallet_id, bonus_type, amount, currency, expires_at,"
                    + " request_id) SELECT ?, ?, w.id, ?, ?, 'EUR', now() + ? * interval '1 second', ? FROM wallet w WHERE w.player_id = ?"
                    + " AND w.kind = 'CASH'")) {
                ps.setString(1, bonusId);
                ps.setString(2, player);
                ps.setString(3, type);
                ps.setLong(4, amount);
                ps.setLong(5, expiresIn.toSeconds());
                ps.setString(6, requestId);
                ps.setString(7, player);
                assertEquals(1, ps.executeUpdate());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return bonusId;
    }

    static String bonusStatus(String bonusId) {
        return text("SELECT status || '/' || coalesce(bet_id, '-') FROM bonus WHERE id = '" + bonusId + "'");
    }

    static String text(String sql) {
        try (Connection c = TestInfra.get().connect(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static Response send(String endpoint, Map<String, Object> payload, long balance) {
        Response r = call(endpoint, payload);
        assertEquals(200, r.statusCode(), () -> endpoint + ": " + r.asString());
        if (r.jsonPath().get("balance") != null) {
            assertEquals(balance, r.jsonPath().getLong("balance"), () -> endpoint + ": " + r.asString());
        }
        return r;
    }

    @Test
    void freemoneyFreebetStakesNoCashWinsAsSentAndARollbackRestoresItsBonus() throws Exception {
        Player p = new Player();
        String bonus = p.grant("freebet_freemoney", 500);
        String tx = txId();
        String bet = p.made(tx, 500, "freebet_freemoney", bonus, DEPOSIT);
        assertEquals("USED/" + bet, bonusStatus(bonus));
        assertEquals("0/500/freebet_freemoney/" + bonus, text("SELECT stake || '/' || bonus_stake || '/' || bonus_type || '/' || bonus_id FROM bet"
                + " WHERE id = '" + bet + "'"));
        String winTx = txId();
        send("bet/win", Provider.win(bet, winTx, 1_200, "EUR"), DEPOSIT + 1_200);
        assertEquals("DONE/" + bet, bonusStatus(bonus));
        send("bet/rollback", Provider.rollback(bet, txId(), operatorId("bet/win", winTx)), DEPOSIT);
        assertEquals("USED/" + bet, bonusStatus(bonus));
        send("bet/lost", Provider.lost(bet, txId(), "EUR"), DEPOSIT);
        assertEquals("DONE/" + bet, bonusStatus(bonus));
        assertEquals(DEPOSIT, OperatorApiTest.balance(p.id));
        assertEquals(0, Db.ledgerDiscrepancies());
        // make (placed, redeemed), win (won, done), rollback, lost (lost, done): each on its own player_seq.
        assertEquals(List.of(EventTypes.DEPOSIT, EventTypes.BET_PLACED, EventTypes.BONUS_REDEEMED, EventTypes.BET_WON, EventTypes.BONUS_DONE,
                EventTypes.BET_ROLLED_BACK, EventTypes.BET_LOST, EventTypes.BONUS_DONE), eventTypes(p.id));
    }

    @Test
    void noRiskFreebetCreditsOnlyTheProfit() {
        Player p = new Player();
        String bonus = p.grant("freebet_no_risk", 500);
        String bet = p.made(txId(), 500, "freebet_no_risk", bonus, DEPOSIT);
        send("bet/win", Provider.win(bet, txId(), 1_200, "EUR"), DEPOSIT + 700);
        assertEquals("DONE/" + bet, bonusStatus(bonus));
        // A win below the stake is no profit: credit 0, no credit row.
        String bonus2 = p.grant("freebet_no_risk", 500);
        String bet2 = p.made(txId(), 400, "freebet_no_risk", bonus2, DEPOSIT + 700);
        send("bet/win", Provider.win(bet2, txId(), 300, "EUR"), DEPOSIT + 700);
        assertEquals(0, Db.count("SELECT count(*) FROM credit WHERE bet_id = '" + bet2 + "'"));
        assertEquals("DONE/" + bet2, bonusStatus(bonus2));
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void freebetRefundsCreditNoCashAFullOneReleasesTheBonusAndItsRollbackBindsItAgain() {
        Player p = new Player();
        String bonus = p.grant("freebet_refund", 500);
        String bet = p.made(txId(), 500, "freebet_refund", bonus, DEPOSIT);
        String refundTx = txId();
        send("bet/refund", Provider.refund(bet, refundTx, 500), DEPOSIT);
        // Released: ACTIVE again, still naming the bet that released it last.
        assertEquals("ACTIVE/" + bet, bonusStatus(bonus));
        send("bet/rollback", Provider.rollback(bet, txId(), operatorId("bet/refund", refundTx)), DEPOSIT);
        assertEquals("USED/" + bet, bonusStatus(bonus));
        assertEquals("OPEN", text("SELECT state FROM bet WHERE id = '" + bet + "'"));
        // A partial refund ends the bonus, still without cash.
        send("bet/refund", Provider.refund(bet, txId(), 200), DEPOSIT);
        assertEquals("DONE/" + bet, bonusStatus(bonus));
        // A refund above the freebet's stake is 2004.
        String bonus2 = p.grant("freebet_refund", 500);
        String bet2 = p.made(txId(), 300, "freebet_refund", bonus2, DEPOSIT);
        Response over = call("bet/refund", Provider.refund(bet2, txId(), 301));
        assertEquals(2004, over.jsonPath().getInt("code"), over::asString);
        assertEquals(0, Db.count("SELECT count(*) FROM credit c JOIN bet b ON b.id = c.bet_id WHERE b.player_id = '" + p.id + "'"));
        assertEquals(DEPOSIT, OperatorApiTest.balance(p.id));
    }

    @Test
    void aDiscardedFreebetReleasesItsBonusAndAReleaseAfterExpiryExpiresIt() {
        Player p = new Player();
        String bonus = p.grant("freebet_freemoney", 500);
        String tx = txId();
        String bet = p.made(tx, 250, "freebet_freemoney", bonus, DEPOSIT);
        send("bet/discard", Provider.discard(p.id, tx), DEPOSIT);
        assertEquals("ACTIVE/" + bet, bonusStatus(bonus));
        assertEquals(0, Db.count("SELECT count(*) FROM credit WHERE id = '" + operatorId("bet/discard", tx) + "'"));
        // Released again at or after its expiry (the injected clock two hours on): EXPIRED.
        String tx2 = txId();
        String bet2 = p.made(tx2, 250, "freebet_freemoney", bonus, DEPOSIT);
        clock.shift(Duration.ofHours(2));
        try {
            send("bet/discard", Provider.discard(p.id, tx2), DEPOSIT);
            assertEquals("EXPIRED/" + bet2, bonusStatus(bonus));
            // And an expired bonus cannot be redeemed.
            String bonus2 = p.grant("freebet_freemoney", 500);
            Response expired = p.make(txId(), 100, "freebet_freemoney", bonus2);
            assertEquals(3001, expired.jsonPath().getInt("code"), expired::asString);
        } finally {
            clock.shift(Duration.ZERO);
        }
    }

    @Test
    void comboboostsDebitCashAndOnlyTheGrantedOneRedeemsABonus() {
        Player p = new Player();
        String bonus = p.grant("comboboost", 100);
        String bet = p.made(txId(), 300, "comboboost", bonus, DEPOSIT - 300);
        assertEquals("USED/" + bet, bonusStatus(bonus));
        assertEquals("300/0/900", text("SELECT stake || '/' || bonus_stake || '/' || potential_comboboost_win FROM bet WHERE id = '" + bet + "'"));
        send("bet/win", Provider.win(bet, txId(), 900, "EUR"), DEPOSIT + 600);
        assertEquals("DONE/" + bet, bonusStatus(bonus));
        // A full refund of a comboboost returns its cash stake and releases the boost.
        String bonus2 = p.grant("comboboost", 100);
        String bet2 = p.made(txId(), 200, "comboboost", bonus2, DEPOSIT + 400);
        send("bet/refund", Provider.refund(bet2, txId(), 200), DEPOSIT + 600);
        assertEquals("ACTIVE/" + bet2, bonusStatus(bonus2));
        // global_comboboost: cash, no bonus.
        String bet3 = p.made(txId(), 100, "global_comboboost", null, DEPOSIT + 500);
        assertEquals("global_comboboost/-", text("SELECT bonus_type || '/' || coalesce(bonus_id, '-') FROM bet WHERE id = '" + bet3 + "'"));
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void unusableBonusesAre3001AStakeAboveTheBonusIs4002AndNothingIsWritten() {
        Player p = new Player();
        Player other = new Player();
        String bonus = p.grant("freebet_freemoney", 500);
        String othersBonus = other.grant("freebet_freemoney", 500);
        String revoking = p.grant("freebet_freemoney", 500);
        Db.count("WITH u AS (UPDATE bonus SET status = 'REVOKING' WHERE id = '" + revoking + "' RETURNING 1) SELECT count(*) FROM u");
        String footprint = Db.footprint();
        long bets = Db.count("SELECT count(*) FROM bet");
        for (Object[] c : List.of(new Object[] { "never-granted-" + System.nanoTime(), "freebet_freemoney", 100L, 3001 },
                new Object[] { othersBonus, "freebet_freemoney", 100L, 3001 }, new Object[] { revoking, "freebet_freemoney", 100L, 3001 },
                new Object[] { bonus, "freebet_no_risk", 100L, 3001 }, new Object[] { bonus, "freebet_freemoney", 501L, 4002 })) {
            Response r = p.make(txId(), (Long) c[2], (String) c[1], (String) c[0]);
            assertEquals(400, r.statusCode(), r::asString);
            assertEquals((int) c[3], r.jsonPath().getInt("code"), () -> c[0] + " " + c[1] + ": " + r.asString());
        }
        assertEquals(footprint, Db.footprint());
        assertEquals(bets, Db.count("SELECT count(*) FROM bet"));
        assertEquals("ACTIVE/-", bonusStatus(bonus));
        // Malformed: a bonus_id without its type, a type without its id, an unknown type, transaction.bonus_id disagreeing.
        Map<String, Object> noType = Provider.make(p.id, txId(), 100, "EUR");
        noType.put("bonus_id", bonus);
        Map<String, Object> noId = Provider.make(p.id, txId(), 100, "EUR");
        noId.put("bonus_type", "freebet_refund");
        Map<String, Object> unknown = Provider.make(p.id, txId(), 100, "EUR");
        unknown.put("bonus_type", "freebet_unlimited");
        unknown.put("bonus_id", bonus);
        Map<String, Object> disagree = Provider.make(p.id, txId(), 100, "EUR");
        disagree.put("bonus_type", "freebet_freemoney");
        disagree.put("bonus_id", bonus);
        Provider.child(disagree, "transaction").put("bonus_id", othersBonus);
        for (Map<String, Object> m : List.of(noType, noId, unknown, disagree)) {
            Response r = call("bet/make", m);
            assertEquals(2004, r.jsonPath().getInt("code"), r::asString);
        }
        assertEquals(footprint, Db.footprint());
    }

    @Test
    void twentyConcurrentMakesWithOneBonusRedeemItExactlyOnce() throws Exception {
        Player p = new Player();
        String bonus = p.grant("freebet_freemoney", 500);
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String tx = txId();
            calls.add(() -> p.make(tx, 500, "freebet_freemoney", bonus));
        }
        List<Response> answers = OperatorApiTest.concurrently(calls);
        Map<Integer, Integer> byCode = new TreeMap<>();
        String winner = null;
        for (Response r : answers) {
            int code = r.statusCode() == 200 ? 200 : r.jsonPath().getInt("code");
            byCode.merge(code, 1, Integer::sum);
            if (code == 200) {
                winner = r.jsonPath().getString("id");
            }
        }
        assertEquals(Map.of(200, 1, 3001, 19), byCode);
        assertEquals("USED/" + winner, bonusStatus(bonus));
        assertEquals(1, Db.count("SELECT count(*) FROM bet WHERE bonus_id = '" + bonus + "'"));
        assertEquals(DEPOSIT, OperatorApiTest.balance(p.id));
    }

    /**
     * Issue 16: bonus makes are decided in the batches of their player's makes, beside cash makes. One burst: six cash
     * makes, two freebets naming one bonus (one wins, the other is 3001), a comboboost whose cash stake the balance
     * never covers (2001: its redemption is undone with it, its bonus stays ACTIVE and unbound), a comboboost that
     * fits and a global_comboboost. Each refusal fails no other member and leaves nothing; the accepted ones take
     * consecutive player_seq values.
     */
    @Test
    void bonusMakesShareBatchesWithCashMakesAndARefusalUndoesOnlyItsOwnRedemption() throws Exception {
        Player p = new Player();
        String freebet = p.grant("freebet_freemoney", 500);
        String tooBig = p.grant("comboboost", 100);
        String fits = p.grant("comboboost", 100);
        long seqBefore = Db.count("SELECT player_seq FROM wallet WHERE player_id = '" + p.id + "' AND kind = 'CASH'");
        double batchesBefore = lanes.batchSizes().count();
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String tx = txId();
            calls.add(() -> call("bet/make", Provider.make(p.id, tx, 100, "EUR")));
        }
        for (int i = 0; i < 2; i++) {
            String tx = txId();
            calls.add(() -> p.make(tx, 500, "freebet_freemoney", freebet));
        }
        String tooBigTx = txId();
        calls.add(() -> p.make(tooBigTx, DEPOSIT + 1, "comboboost", tooBig));
        String fitsTx = txId();
        calls.add(() -> p.make(fitsTx, 100, "comboboost", fits));
        String globalTx = txId();
        calls.add(() -> p.make(globalTx, 100, "global_comboboost", null));
        List<Response> answers = OperatorApiTest.concurrently(calls);
        Map<String, Integer> byCode = new TreeMap<>();
        for (int i = 0; i < answers.size(); i++) {
            Response r = answers.get(i);
            String kind = i < 6 ? "cash" : i < 8 ? "freebet" : i == 8 ? "tooBig" : i == 9 ? "fits" : "global";
            byCode.merge(kind + "/" + (r.statusCode() == 200 ? 200 : r.jsonPath().getInt("code")), 1, Integer::sum);
        }
        assertEquals(Map.of("cash/200", 6, "freebet/200", 1, "freebet/3001", 1, "tooBig/2001", 1, "fits/200", 1, "global/200", 1), byCode,
                () -> answers.stream().map(Response::asString).toList().toString());
        assertEquals(DEPOSIT - 800, OperatorApiTest.balance(p.id));
        assertEquals("ACTIVE/-", bonusStatus(tooBig), "the refused comboboost's redemption was undone with it");
        assertEquals("USED/" + operatorId("bet/make", fitsTx), bonusStatus(fits));
        assertEquals(1, Db.count("SELECT count(*) FROM bet WHERE bonus_id = '" + freebet + "' AND bonus_stake = 500 AND stake = 0"));
        assertEquals(0, Db.count("SELECT count(*) FROM bet WHERE provider_tx_id = '" + tooBigTx + "'"), "a refused make leaves no bet");
        assertEquals(0, Db.count("SELECT count(*) FROM idempotency_record WHERE endpoint = 'bet/make' AND key = '" + tooBigTx + "'"),
                "nor its claim");
        assertEquals(9, Db.count("SELECT count(*) FROM bet WHERE player_id = '" + p.id + "'"));
        // Cash makes and the global comboboost take one player_seq each, the freebet and the granted comboboost two
        // (placed, redeemed); the refused ones none.
        assertEquals(seqBefore + 11, Db.count("SELECT player_seq FROM wallet WHERE player_id = '" + p.id + "' AND kind = 'CASH'"));
        assertEquals(0, Db.ledgerDiscrepancies());
        assertTrue(lanes.batchSizes().count() - batchesBefore < answers.size(), "some of the burst's makes shared a batch");
    }

    @Test
    void aRollbackWhoseReleasedBonusWasUsedSinceReopensTheBetUnbackedAndAlerts() throws Exception {
        Player p = new Player();
        String bonus = p.grant("freebet_freemoney", 500);
        String bet = p.made(txId(), 500, "freebet_freemoney", bonus, DEPOSIT);
        String refundTx = txId();
        send("bet/refund", Provider.refund(bet, refundTx, 500), DEPOSIT);
        String bet2 = p.made(txId(), 500, "freebet_freemoney", bonus, DEPOSIT);
        send("bet/rollback", Provider.rollback(bet, txId(), operatorId("bet/refund", refundTx)), DEPOSIT);
        assertEquals("OPEN", text("SELECT state FROM bet WHERE id = '" + bet + "'"));
        assertEquals("USED/" + bet2, bonusStatus(bonus));
        List<JsonNode> events = events(p.id);
        JsonNode last = events.get(events.size() - 1);
        assertEquals(EventTypes.ALERT, last.get("type").asText());
        assertEquals("bonus_rebind_failed", last.path("data").path("reason").asText());
        assertEquals(bet, last.path("data").path("bet_id").asText());
        // The unbacked bet still settles: its win is credited, no bonus changes.
        send("bet/win", Provider.win(bet, txId(), 800, "EUR"), DEPOSIT + 800);
        assertEquals("USED/" + bet2, bonusStatus(bonus));
        assertNull(text("SELECT id FROM bonus WHERE bet_id = '" + bet + "'"));
    }

    @Test
    void aReleasedBonusThatAnotherBetUsedAndReleasedSinceBindsOnlyToThatBetsRollback() throws Exception {
        // The model test's seed -6593551761169057766: released by a, redeemed and released again by b.
        Player p = new Player();
        String bonus = p.grant("freebet_freemoney", 500);
        String a = p.made(txId(), 500, "freebet_freemoney", bonus, DEPOSIT);
        String refundA = txId();
        send("bet/refund", Provider.refund(a, refundA, 500), DEPOSIT);
        String b = p.made(txId(), 500, "freebet_freemoney", bonus, DEPOSIT);
        String refundB = txId();
        send("bet/refund", Provider.refund(b, refundB, 500), DEPOSIT);
        assertEquals("ACTIVE/" + b, bonusStatus(bonus));
        // a's rollback: the bonus was taken since a released it: a reopens unbacked, alerted; the bonus stays b's to take back.
        send("bet/rollback", Provider.rollback(a, txId(), operatorId("bet/refund", refundA)), DEPOSIT);
        assertEquals("ACTIVE/" + b, bonusStatus(bonus));
        List<JsonNode> events = events(p.id);
        assertEquals("bonus_rebind_failed", events.get(events.size() - 1).path("data").path("reason").asText());
        // b's rollback binds it again.
        send("bet/rollback", Provider.rollback(b, txId(), operatorId("bet/refund", refundB)), DEPOSIT);
        assertEquals("USED/" + b, bonusStatus(bonus));
        assertEquals("OPEN/OPEN", text("SELECT string_agg(state, '/') FROM bet WHERE id IN ('" + a + "', '" + b + "')"));
    }

    private static List<String> eventTypes(String player) throws Exception {
        return events(player).stream().map(e -> e.get("type").asText()).toList();
    }

    /** The player's wallet.events in player_seq order, 1..the wallet's counter, each exactly once (bounded wait). */
    private static List<JsonNode> events(String player) throws Exception {
        long counter = Db.count("SELECT player_seq FROM wallet WHERE player_id = '" + player + "' AND kind = 'CASH'");
        Map<Long, JsonNode> bySeq = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (KafkaConsumer<String, String> consumer = OutboxKafkaTest.consumer(List.of(Topics.WALLET_EVENTS))) {
            while (bySeq.size() < counter && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (player.equals(r.key())) {
                        JsonNode e = CloudEventJson.mapper().readTree(r.value());
                        bySeq.putIfAbsent(e.path("data").path("player_seq").asLong(), e);
                    }
                }
            }
        }
        assertEquals(counter, bySeq.size(), "the player's events: " + bySeq.keySet());
        assertEquals(counter, bySeq.keySet().stream().mapToLong(Long::longValue).max().orElse(0), "player_seq 1.." + counter);
        return new ArrayList<>(bySeq.values());
    }
}
