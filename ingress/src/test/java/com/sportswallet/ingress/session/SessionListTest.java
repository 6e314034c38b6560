package com.sportswallet.ingress.session;

import static com.sportswallet.ingress.OperatorApiTest.operator;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.testkit.OperatorKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * {@code GET /operator/players/{id}/sessions} (issue 17, the console's player page), against the real ingress and
 * PostgreSQL: newest first, each session's state at the wallet clock's instant (ENDED before EXPIRED, as a make
 * decides), the state filter, the limit and its bounds, 404 for an unknown player, and every role reads. Expiry is
 * reached by moving the wallet's clock ({@link BonusClock}), never by waiting.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class SessionListTest {
    @Inject
    BonusClock clock;

    @AfterEach
    void clockBack() {
        clock.shift(Duration.ZERO);
    }

    private static RequestSpecification as(String role) {
        return given().header("Authorization", "Bearer " + OperatorKeys.operatorToken(OperatorKeys.OPERATOR.getPrivate(), role));
    }

    private static JsonPath list(String role, String player, String query) {
        Response r = as(role).get("/operator/players/" + player + "/sessions" + query);
        assertEquals(200, r.statusCode(), () -> query + ": " + r.asString());
        return r.jsonPath();
    }

    /** A player without the fixture's session (OperatorApiTest.createPlayer opens one): this test opens its own. */
    private static String playerWithoutSessions() {
        String player = OperatorApiTest.newPlayerId();
        operator().body("{\"currency\":\"EUR\"}").put("/operator/players/" + player).then().statusCode(201);
        return player;
    }

    private static Map<String, Object> open(String player, long ttlSeconds) {
        return SessionsTest.open(player, ttlSeconds).then().statusCode(201).extract().jsonPath().getMap("");
    }

    @Test
    void aPlayersSessionsNewestFirstWithTheirStates() {
        String player = playerWithoutSessions();
        assertEquals(List.of(), list(OperatorRoles.SUPPORT, player, "").getList("sessions"));

        // Opened in this order, so newest first is the reverse: ended (then past its expiry too), expired, open.
        Map<String, Object> ended = open(player, 60);
        Map<String, Object> expired = open(player, 60);
        Map<String, Object> open = open(player, 3600);
        String endedId = (String) ended.get("session_id");
        String expiredId = (String) expired.get("session_id");
        String openId = (String) open.get("session_id");
        String endedAt = SessionsTest.end(player, endedId).then().statusCode(200).extract().path("ended_at");
        clock.shift(Duration.ofSeconds(120));

        JsonPath all = list(OperatorRoles.SUPPORT, player, "");
        assertEquals(player, all.getString("player_id"));
        assertEquals(List.of(openId, expiredId, endedId), all.getList("sessions.session_id"));
        assertEquals(List.of("OPEN", "EXPIRED", "ENDED"), all.getList("sessions.state"));
        // The fields as the writes answered them.
        assertEquals(open.get("created_at"), all.getString("sessions[0].created_at"));
        assertEquals(open.get("expires_at"), all.getString("sessions[0].expires_at"));
        assertEquals(player, all.getString("sessions[0].player_id"));
        assertNull(all.get("sessions[0].ended_at"));
        assertNull(all.get("sessions[1].ended_at"));
        assertNotNull(endedAt);
        assertEquals(endedAt, all.getString("sessions[2].ended_at"));
        assertEquals(ended.get("expires_at"), all.getString("sessions[2].expires_at"));

        // Every role reads; the limit keeps the newest; the filter takes each state.
        assertEquals(List.of(openId, expiredId), list(OperatorRoles.FINANCE, player, "?limit=2").getList("sessions.session_id"));
        assertEquals(List.of(openId, expiredId, endedId), list(OperatorRoles.OPERATOR, player, "?limit=100").getList("sessions.session_id"));
        assertEquals(List.of(openId), list(OperatorRoles.SUPPORT, player, "?state=OPEN").getList("sessions.session_id"));
        assertEquals(List.of(expiredId), list(OperatorRoles.SUPPORT, player, "?state=EXPIRED").getList("sessions.session_id"));
        assertEquals(List.of(endedId), list(OperatorRoles.SUPPORT, player, "?state=ENDED&limit=1").getList("sessions.session_id"));

        // The state is computed at the clock's instant, never stored: at the real time the 60 s session has not expired yet.
        clock.shift(Duration.ZERO);
        assertEquals(List.of("OPEN", "OPEN", "ENDED"), list(OperatorRoles.SUPPORT, player, "").getList("sessions.state"));
    }

    @Test
    void refusalsInTheReadsWords() {
        String player = playerWithoutSessions();
        for (String limit : List.of("0", "101", "-1", "x")) {
            as(OperatorRoles.SUPPORT).get("/operator/players/" + player + "/sessions?limit=" + limit).then().statusCode(400)
                    .body("error", equalTo("invalid_limit"));
        }
        for (String state : List.of("open", "UNKNOWN", "OTHER_PLAYER")) {
            as(OperatorRoles.SUPPORT).get("/operator/players/" + player + "/sessions?state=" + state).then().statusCode(400)
                    .body("error", equalTo("invalid_state"));
        }
        as(OperatorRoles.SUPPORT).get("/operator/players/no-such-" + player + "/sessions").then().statusCode(404)
                .body("error", equalTo("player_not_found"));
        as(OperatorRoles.SUPPORT).get("/operator/players/not%20an%20id/sessions").then().statusCode(400)
                .body("error", equalTo("invalid_player_id"));
        given().get("/operator/players/" + player + "/sessions").then().statusCode(401);
    }
}
