package com.sportswallet.ingress.session;

import static com.sportswallet.ingress.OperatorApiTest.operator;
import static com.sportswallet.ingress.provider.Provider.call;
import static com.sportswallet.ingress.provider.Provider.operatorId;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.PlayerSessions;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Player sessions (issue 15, its first slice; docs/PROTOCOL.md "Player sessions"), against the real
 * ingress, PostgreSQL and Kafka: each kind of bad session on bet/make is 1007 and writes nothing (no
 * bet, ledger entry, outbox row or stored answer; the balance unchanged), in PROTOCOL.md's precedence;
 * settlements, rollbacks and discards go through on an expired session; the operator's open, extend
 * and end, and the bounds of {@code ttl_seconds}. Expiry is reached by moving the wallet's clock
 * ({@link BonusClock}), never by waiting.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class SessionsTest {
    private static final long FUNDS = 10_000;
    private static final long STAKE = 100;

    @Inject
    BonusClock clock;

    @AfterEach
    void clockBack() {
        clock.shift(Duration.ZERO);
    }

    /** A funded player with a day-long session the provider's makes name (the shared fixture). */
    private static String player() {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "sess-dep-" + player, FUNDS).then().statusCode(200);
        return player;
    }

    static Response open(String player, Object ttl) {
        return operator().body("{\"ttl_seconds\":" + ttl + "}").post("/operator/players/" + player + "/sessions");
    }

    static Response extend(String player, String session, Object ttl) {
        return operator().body("{\"ttl_seconds\":" + ttl + "}").put("/operator/players/" + player + "/sessions/" + session);
    }

    static Response end(String player, String session) {
        return operator().delete("/operator/players/" + player + "/sessions/" + session);
    }

    private static String opened(String player, long ttl) {
        return open(player, ttl).then().statusCode(201).extract().path("session_id");
    }

    /** A make naming {@code session} (null: without session_id), with a sport of its own so that even reference rows would show. */
    private static Map<String, Object> make(String player, String tx, String session) {
        Map<String, Object> p = Provider.make(player, tx, STAKE, "EUR", "sess-sport-" + tx, "Sport of " + tx);
        if (session == null) {
            p.remove("session_id");
        } else {
            p.put("session_id", session);
        }
        return p;
    }

    /**
     * Every row a make writes, wherever it writes it (ledger, stored answers, outbox ids, balances, bets, reference data).
     * Not the outbox's row count: the relay deletes what it published whenever it runs, so the count could fall
     * between the two readings (it did in CI: the event of the session ended just before); outbox_id_seq's
     * last_value, in {@link Db#footprint()}, already moves with any outbox row a make writes, published or not.
     */
    private static String footprint() {
        return Db.footprint() + "/" + Db.count("SELECT count(*) FROM bet") + "/" + Db.count("SELECT count(*) FROM bet_selection")
                + "/" + Db.count("SELECT count(*) FROM sport") + "/" + Db.count("SELECT count(*) FROM sport_event");
    }

    /** The make is refused with {@code code}, its message naming {@code why}, and writes nothing. */
    private static void refusedWritingNothing(String player, Map<String, Object> make, int code, String why) {
        String before = footprint();
        long balance = OperatorApiTest.balance(player);
        Response r = call("bet/make", make);
        r.then().statusCode(400).body("code", equalTo(code)).body("message", containsString(why));
        assertEquals(before, footprint(), "nothing written: " + why);
        assertEquals(balance, OperatorApiTest.balance(player), "balance unchanged: " + why);
        String tx = (String) Provider.child(make, "transaction").get("id");
        assertEquals(0, Db.count("SELECT count(*) FROM bet WHERE provider_tx_id = '" + tx + "'"));
        assertEquals(0, Db.count("SELECT count(*) FROM ledger_entry WHERE idempotency_key = 'bet/make:" + tx + "'"));
        assertEquals(0, Db.count("SELECT count(*) FROM idempotency_record WHERE endpoint = 'bet/make' AND key = '" + tx + "'"));
    }

    @Test
    void everyKindOfBadSessionIs1007AndWritesNothing() {
        String player = player();
        String other = player();
        String ended = opened(player, 3600);
        end(player, ended).then().statusCode(200);
        String expiring = opened(player, 60);

        refusedWritingNothing(player, make(player, txId(), null), 1007, "needs the session_id");
        refusedWritingNothing(player, make(player, txId(), UUID.randomUUID().toString()), 1007, "is unknown");
        refusedWritingNothing(player, make(player, txId(), "not-a-session"), 1007, "is unknown");
        refusedWritingNothing(player, make(player, txId(), ended), 1007, "has ended");
        refusedWritingNothing(player, make(player, txId(), PlayerSessions.of(other)), 1007, "is not player " + player);

        String tx = txId();
        call("bet/make", make(player, txId(), expiring)).then().statusCode(200); // open for the next 60 s
        clock.shift(Duration.ofSeconds(60));
        refusedWritingNothing(player, make(player, tx, expiring), 1007, "has expired");
        clock.shift(Duration.ZERO);

        // Nothing was written, so the same transaction goes through with an open session.
        Map<String, Object> good = make(player, tx, PlayerSessions.of(player));
        call("bet/make", good).then().statusCode(200).body("balance", equalTo((int) (FUNDS - 2 * STAKE)));
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void sessionRefusalsKeepProtocolPrecedence() {
        String player = player();
        String ended = opened(player, 3600);
        end(player, ended).then().statusCode(200);
        // 1007 before 2002: a make in another currency on an ended session is refused for its session.
        Map<String, Object> otherCurrency = make(player, txId(), ended);
        otherCurrency.put("currency", "USD");
        Provider.child(otherCurrency, "transaction").put("currency", "USD");
        refusedWritingNothing(player, otherCurrency, 1007, "has ended");
        // ... and with an open session, for its currency.
        otherCurrency.put("session_id", PlayerSessions.of(player));
        refusedWritingNothing(player, otherCurrency, 2002, "currency");
        // 1006 and 1005 before 1007.
        refusedWritingNothing(player, make("nobody-" + txId(), txId(), ended), 1006, "not found");
        operator().body("{\"status\":\"BLOCKED\"}").put("/operator/players/" + player + "/status").then().statusCode(200);
        refusedWritingNothing(player, make(player, txId(), ended), 1005, "blocked");
        operator().body("{\"status\":\"ACTIVE\"}").put("/operator/players/" + player + "/status").then().statusCode(200);
        // Idempotency first: a make accepted on its session replays after that session ended.
        String tx = txId();
        String session = opened(player, 3600);
        Map<String, Object> accepted = make(player, tx, session);
        String answer = call("bet/make", accepted).then().statusCode(200).extract().asString();
        end(player, session).then().statusCode(200);
        assertEquals(answer, call("bet/make", accepted).then().statusCode(200).extract().asString(), "the first answer, byte for byte");
        refusedWritingNothing(player, make(player, txId(), session), 1007, "has ended");
    }

    @Test
    void settlementsRollbacksAndDiscardsAreAcceptedOnAnExpiredSession() {
        String player = player();
        String session = opened(player, 60);
        String wonTx = txId();
        String discardedTx = txId();
        String lostTx = txId();
        String refundedTx = txId();
        for (String tx : List.of(wonTx, discardedTx, lostTx, refundedTx)) {
            call("bet/make", make(player, tx, session)).then().statusCode(200);
        }
        clock.shift(Duration.ofHours(2));
        refusedWritingNothing(player, make(player, txId(), session), 1007, "has expired");

        String winTx = txId();
        call("bet/win", Provider.win(operatorId("bet/make", wonTx), winTx, 250, "EUR")).then().statusCode(200)
                .body("balance", equalTo((int) (FUNDS - 4 * STAKE + 250)));
        call("bet/rollback", Provider.rollback(operatorId("bet/make", wonTx), txId(), operatorId("bet/win", winTx))).then().statusCode(200)
                .body("balance", equalTo((int) (FUNDS - 4 * STAKE)));
        call("bet/lost", Provider.lost(operatorId("bet/make", lostTx), txId(), "EUR")).then().statusCode(200);
        call("bet/refund", Provider.refund(operatorId("bet/make", refundedTx), txId(), STAKE)).then().statusCode(200);
        call("bet/discard", Provider.discard(player, discardedTx)).then().statusCode(200)
                .body("balance", equalTo((int) (FUNDS - 2 * STAKE)));
        assertEquals(FUNDS - 2 * STAKE, OperatorApiTest.balance(player));
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void anExtendedSessionOutlivesItsFirstExpiryAndAnEndedOneStopsMakes() {
        String player = player();
        Instant before = clock.instant();
        Response opened = open(player, 60);
        opened.then().statusCode(201).body("player_id", equalTo(player)).body("ended_at", equalTo(null));
        String session = opened.path("session_id");
        Instant expires = Instant.parse(opened.path("expires_at"));
        // PostgreSQL keeps microseconds: a millisecond either way.
        assertTrue(!expires.isBefore(before.plusSeconds(60).minusMillis(1)) && !expires.isAfter(clock.instant().plusSeconds(60).plusMillis(1)),
                "expires in 60 s: " + expires);

        Response extended = extend(player, session, 3600);
        extended.then().statusCode(200).body("session_id", equalTo(session));
        Instant longer = Instant.parse(extended.path("expires_at"));
        assertTrue(!longer.isBefore(before.plusSeconds(3600).minusMillis(1)), "extended to an hour: " + longer);
        // An extension never shortens it.
        assertEquals(longer, Instant.parse(extend(player, session, 1).then().statusCode(200).extract().path("expires_at")));

        clock.shift(Duration.ofSeconds(120)); // past the first expiry, within the extension
        call("bet/make", make(player, txId(), session)).then().statusCode(200);

        Response ended = end(player, session);
        ended.then().statusCode(200).body("session_id", equalTo(session));
        String endedAt = ended.path("ended_at");
        assertNotNull(endedAt);
        refusedWritingNothing(player, make(player, txId(), session), 1007, "has ended");
        // A repeated end answers the session as it was ended; an ended session cannot be extended.
        end(player, session).then().statusCode(200).body("ended_at", equalTo(endedAt));
        extend(player, session, 60).then().statusCode(409).body("error", equalTo("session_ended"));

        // An expired session cannot be extended either (it never comes back), and can still be ended.
        String expiring = opened(player, 60);
        clock.shift(Duration.ofSeconds(120 + 60));
        extend(player, expiring, 3600).then().statusCode(409).body("error", equalTo("session_expired"));
        refusedWritingNothing(player, make(player, txId(), expiring), 1007, "has expired");
        end(player, expiring).then().statusCode(200);
    }

    @Test
    void unknownPlayersAndSessionsAre404() {
        String player = player();
        String other = player();
        String session = PlayerSessions.of(player);
        long sessions = Db.count("SELECT count(*) FROM player_session");
        open("nobody-" + txId(), 60).then().statusCode(404).body("error", equalTo("player_not_found"));
        assertEquals(sessions, Db.count("SELECT count(*) FROM player_session"), "nothing written");
        for (String unknown : List.of(UUID.randomUUID().toString(), "not-a-session")) {
            extend(player, unknown, 60).then().statusCode(404).body("error", equalTo("session_not_found"));
            end(player, unknown).then().statusCode(404).body("error", equalTo("session_not_found"));
        }
        // Another player's session is no session of this player.
        extend(other, session, 60).then().statusCode(404).body("error", equalTo("session_not_found"));
        end(other, session).then().statusCode(404).body("error", equalTo("session_not_found"));
        assertNull(Db.text("SELECT ended_at FROM player_session WHERE id = '" + session + "'"), "still open");
        call("bet/make", make(player, txId(), session)).then().statusCode(200);
    }

    @Test
    void ttlSecondsIsAnIntegerFromOneSecondToADay() {
        String player = player();
        String session = PlayerSessions.of(player);
        String expiresAt = Db.text("SELECT expires_at FROM player_session WHERE id = '" + session + "'");
        long sessions = Db.count("SELECT count(*) FROM player_session");
        List<String> wrong = new ArrayList<>();
        for (Object ttl : List.of(0, -1, 86_401, 9_223_372_036_854_775_807L, 1.5, "\"60\"", "null", "true", "{}")) {
            Response opened = open(player, ttl);
            Response extended = extend(player, session, ttl);
            for (Response r : List.of(opened, extended)) {
                if (r.statusCode() != 400 || !"invalid_ttl_seconds".equals(r.path("error"))) {
                    wrong.add(ttl + ": HTTP " + r.statusCode() + " " + r.asString());
                }
            }
        }
        operator().body("{}").post("/operator/players/" + player + "/sessions").then().statusCode(400).body("error", equalTo("invalid_ttl_seconds"));
        assertEquals(List.of(), wrong);
        assertEquals(sessions, Db.count("SELECT count(*) FROM player_session"), "no session opened");
        assertEquals(expiresAt, Db.text("SELECT expires_at FROM player_session WHERE id = '" + session + "'"), "none extended");
        open(player, 1).then().statusCode(201);
        open(player, 86_400).then().statusCode(201);
    }
}
