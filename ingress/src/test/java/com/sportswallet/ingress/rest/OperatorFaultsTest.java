package com.sportswallet.ingress.rest;

import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Issue 12: a fault on our side of the operator API (here a lock timeout, SQLState 55P03, behind
 * the row lock another session holds on the player) is a 503 the operator retries, with a JSON
 * body and {@code Retry-After}, never a 500 carrying a stack trace; the refused call wrote nothing,
 * so its retry, once the lock is gone, is decided as if it were the first. The default profile's
 * 2 s lock timeout (below its 3 s statement timeout) ends the wait.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class OperatorFaultsTest {
    @Inject
    MeterRegistry meters;

    private double faults(String kind) {
        Counter c = meters.find(ErrorMappers.FAULTS_METRIC).tag("kind", kind).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aStatusChangeBehindAHeldPlayerLockIs503WritesNothingAndItsRetrySucceeds() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        State before = State.of(player);
        double unavailable = faults("unavailable");
        String status = "/operator/players/" + player + "/status";
        try (Connection holder = TestInfra.get().connect()) {
            holder.setAutoCommit(false);
            try (PreparedStatement ps = holder.prepareStatement("SELECT id FROM player WHERE id = ? FOR UPDATE")) {
                ps.setString(1, player);
                ps.executeQuery().close();
            }
            Response refused = OperatorApiTest.operator().body("{\"status\":\"BLOCKED\"}").put(status);
            refused.then().statusCode(503).contentType("application/json").header("Retry-After", "1")
                    .body("error", equalTo("unavailable")).body("message", not(emptyOrNullString()));
            String body = refused.asString();
            assertFalse(body.contains("at com.") || body.contains("at org.") || body.contains("Exception") || body.contains("SQLState")
                    || body.contains("lock timeout"), "no stack trace nor database message in the body: " + body);
            holder.rollback();
        }
        assertEquals(unavailable + 1, faults("unavailable"), "counted once as unavailable");
        assertEquals(before, State.of(player), "the refused status change wrote nothing");
        OperatorApiTest.operator().body("{\"status\":\"BLOCKED\"}").put(status).then().statusCode(200).body("status", equalTo("BLOCKED"));
        assertEquals(new State("BLOCKED", before.statusVersion() + 1, before.playerSeq() + 1), State.of(player),
                "the retry changed the status once, with one event");
    }

    /**
     * The provider callbacks keep their own mapper (SportsbookResource: resource-local mappers come
     * before the global ones): the same lock timeout, met by a make whose bet insert waits on the held
     * wallet row, is the protocol's 503, not the operator API's {"error": "unavailable"}.
     */
    @Test
    void aProviderCallbackBehindAHeldLockKeepsItsOwn503() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "d-" + player, 1_000).then().statusCode(200);
        double operatorFaults = faults("unavailable") + faults("internal");
        Counter callbackFaults = meters.counter("callback.faults");
        double callbackFaultsBefore = callbackFaults.count();
        try (Connection holder = TestInfra.get().connect()) {
            holder.setAutoCommit(false);
            try (PreparedStatement ps = holder.prepareStatement("SELECT id FROM wallet WHERE player_id = ? FOR UPDATE")) {
                ps.setString(1, player);
                ps.executeQuery().close();
            }
            Response r = Provider.call("bet/make", Provider.make(player, Provider.txId(), 100, "EUR"));
            r.then().statusCode(503).contentType("application/json").body("message", equalTo("temporarily unavailable, retry"))
                    .body("error", nullValue());
            holder.rollback();
        }
        assertEquals(callbackFaultsBefore + 1, callbackFaults.count(), "counted by the provider's mapper");
        assertEquals(operatorFaults, faults("unavailable") + faults("internal"), "not by the global one");
    }

    /** The player's status, its status_version and its player_seq (the events written about it), as the database has them. */
    record State(String status, long statusVersion, long playerSeq) {
        static State of(String player) throws SQLException {
            try (Connection c = TestInfra.get().connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT p.status, p.status_version, w.player_seq FROM player p JOIN wallet w ON w.player_id = p.id WHERE p.id = ?")) {
                ps.setString(1, player);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new State(rs.getString(1), rs.getLong(2), rs.getLong(3));
                }
            }
        }
    }
}
