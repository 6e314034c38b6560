package com.sportswallet.ingress.bonus;

import static com.sportswallet.ingress.OperatorApiTest.operator;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.Topics;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The operator's grant endpoints alone (no granting consumer runs here): a grant is recorded in one
 * transaction with its record-time rejections counted, each accepted player recorded PENDING once
 * with one bonus.grants record; a replay writes nothing, another body under the same request_id is
 * 409, bad input is 400 and writes nothing; the status and the player's bonus list.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class BonusGrantApiTest {

    @Test
    void aGrantIsRecordedOnceWithItsRejectionsAndReplaysByRequestId() {
        List<String> eur = Grants.players(5, "EUR");
        List<String> usd = Grants.players(1, "USD");
        List<String> entries = new ArrayList<>(eur);
        entries.add(eur.get(0)); // twice: a duplicate
        entries.add(usd.get(0)); // another currency
        entries.add("nobody-" + eur.get(0)); // unknown
        String requestId = Grants.requestId();
        ObjectNode body = Grants.body(requestId, "EUR", entries, 500);
        long outboxBefore = outboxIds();
        long bulkBefore = bulkOutboxIds();

        operator().body(body.toString()).post("/operator/bonus-grants").then().statusCode(202)
                .body("request_id", equalTo(requestId)).body("players_total", equalTo(8));
        assertEquals(5, Db.count("SELECT count(*) FROM bonus_grant_player WHERE status = 'PENDING' AND request_id = '" + requestId + "'"));
        assertEquals(5, outboxIds() - outboxBefore, "one bonus.grants record per accepted player");
        assertEquals(5, bulkOutboxIds() - bulkBefore, "in the outbox's bulk lane, behind nothing decided later");
        assertEquals(1, Db.count("SELECT count(*) FROM bonus_grant WHERE request_id = '" + requestId + "' AND players_total = 8"
                + " AND rejected_duplicate = 1 AND rejected_currency = 1 AND rejected_unknown_player = 1 AND rejected_excluded = 0"));

        // The same body again (its keys in another order: the same JSON) replays; nothing new is written.
        ObjectNode reordered = com.sportswallet.contracts.CloudEventJson.mapper().createObjectNode();
        reordered.set("players", body.get("players"));
        body.fieldNames().forEachRemaining(f -> reordered.set(f, body.get(f)));
        operator().body(reordered.toString()).post("/operator/bonus-grants").then().statusCode(202)
                .body("request_id", equalTo(requestId)).body("players_total", equalTo(8));
        ObjectNode other = Grants.body(requestId, "EUR", entries, 501);
        operator().body(other.toString()).post("/operator/bonus-grants").then().statusCode(409).body("error", equalTo("request_conflict"));
        assertEquals(5, Db.count("SELECT count(*) FROM bonus_grant_player WHERE request_id = '" + requestId + "'"));
        assertEquals(5, outboxIds() - outboxBefore, "the replay and the conflict wrote nothing");

        operator().get("/operator/bonus-grants/" + requestId).then().statusCode(200).body("players_total", equalTo(8))
                .body("players_granted", equalTo(0)).body("players_rejected", equalTo(3)).body("rejected.unknown_player", equalTo(1))
                .body("rejected.currency", equalTo(1)).body("rejected.duplicate", equalTo(1)).body("rejected.excluded", equalTo(0))
                .body("rejected.provider", equalTo(0)).body("status", equalTo("RUNNING"));
        operator().get("/operator/bonus-grants/no-such-grant").then().statusCode(404).body("error", equalTo("grant_not_found"));
        operator().get("/operator/players/" + eur.get(0) + "/bonuses").then().statusCode(200).body("bonuses.size()", equalTo(0));
        operator().get("/operator/players/nobody-" + eur.get(0) + "/bonuses").then().statusCode(404);
        operator().get("/operator/players/" + eur.get(0) + "/bonuses?limit=501").then().statusCode(400)
                .body("error", equalTo("invalid_limit"));
    }

    @Test
    void aGrantWhosePlayersAreAllRejectedIsDoneAtOnce() {
        List<String> usd = Grants.players(2, "USD");
        String requestId = Grants.requestId();
        operator().body(Grants.body(requestId, "EUR", usd, 100).toString()).post("/operator/bonus-grants").then().statusCode(202);
        operator().get("/operator/bonus-grants/" + requestId).then().statusCode(200).body("players_rejected", equalTo(2))
                .body("rejected.currency", equalTo(2)).body("status", equalTo("DONE"));
    }

    @Test
    void badInputIs400AndWritesNothing() {
        List<String> eur = Grants.players(2, "EUR");
        String before = footprint();
        String id = Grants.requestId();
        String good = Grants.body(id, "EUR", eur, 100).toString();
        refuse(good.replace("\"freebet_freemoney\"", "\"global_comboboost\""), "invalid_bonus_type");
        refuse(good.replace("\"EUR\"", "\"eur\""), "invalid_currency");
        refuse(good.replace("\"request_id\":\"" + id + "\"", "\"request_id\":\"bad id\""), "invalid_request_id");
        refuse(good.replace("\"request_id\":\"" + id + "\"", "\"request_id\":\"" + "x".repeat(101) + "\""), "invalid_request_id");
        refuse(good.replace("\"request_id\":\"" + id + "\"", "\"request_id\":\"promotion:" + id + "\""), "invalid_request_id");
        refuse(good.replace("\"amount\":100", "\"amount\":0"), "invalid_amount");
        refuse(good.replace("\"amount\":100", "\"amount\":\"100\""), "invalid_amount");
        refuse(good.replace("\"amount\":100", "\"amount\":1.5"), "invalid_amount");
        refuse(good.replace("\"player_id\":\"" + eur.get(1) + "\"", "\"player_id\":\"bad id\""), "invalid_player_id");
        ObjectNode past = Grants.body(id, "EUR", eur, 100).put("expires_at", java.time.Instant.now().minusSeconds(60).toString());
        refuse(past.toString(), "invalid_expires_at");
        refuse(Grants.body(id, "EUR", eur, 100).put("expires_at", "tomorrow").toString(), "invalid_expires_at");
        refuse(Grants.body(id, "EUR", List.of(), 100).toString(), "invalid_players");
        refuse("{\"request_id\":\"" + id + "\"", "malformed_json");
        refuse(good.replace("{\"request_id\"", "{\"request_id\":\"dup\",\"request_id\""), "malformed_json");
        given().contentType("application/json").body(good).post("/operator/bonus-grants").then().statusCode(401);
        assertEquals(before, footprint());
        assertEquals(0, Db.count("SELECT count(*) FROM bonus_grant WHERE request_id = '" + id + "'"));
    }

    @Test
    void onlyTheGrantEndpointTakesBodiesAbove256KiBAndItStopsAt8MiB() throws Exception {
        String pad = "x".repeat(300 * 1024);
        operator().body("{\"id\":\"big\",\"amount\":5,\"pad\":\"" + pad + "\"}").post("/operator/players/nobody/deposits").then()
                .statusCode(413);
        // 9 MiB of players: past the server's own limit, refused before any parsing.
        StringBuilder huge = new StringBuilder("{\"request_id\":\"huge\",\"players\":[");
        String entry = "{\"player_id\":\"p-0000000000000000000000000000000\",\"amount\":1},";
        while (huge.length() < 9 * 1024 * 1024) {
            huge.append(entry);
        }
        huge.setLength(huge.length() - 1);
        huge.append("]}");
        // The server answers 413 from the declared length and closes the connection: a client still
        // sending may see the close (a broken pipe) before it reads the answer. Either way, refused.
        try {
            operator().body(huge.toString()).post("/operator/bonus-grants").then().statusCode(413);
        } catch (Exception e) { // RestAssured rethrows the socket's own exception
            if (!(e instanceof java.net.SocketException) && !(e.getCause() instanceof java.net.SocketException)) {
                throw e;
            }
        }
        assertEquals(0, Db.count("SELECT count(*) FROM bonus_grant WHERE request_id = 'huge'"));
    }

    /** Outbox ids handed out so far, in both lanes (a sequence not used yet reports its start as its last value). */
    static long outboxIds() {
        return Db.count("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM outbox_id_seq") + bulkOutboxIds();
    }

    /** Outbox ids handed out in the bulk lane (V17) so far. */
    static long bulkOutboxIds() {
        return Db.count("SELECT CASE WHEN is_called THEN last_value - outbox_bulk_lane_start() + 1 ELSE 0 END FROM outbox_bulk_id_seq");
    }

    private static void refuse(String body, String error) {
        operator().body(body).post("/operator/bonus-grants").then().statusCode(400).body("error", equalTo(error));
    }

    private static String footprint() {
        return Db.count("SELECT count(*) FROM bonus_grant") + "/" + Db.count("SELECT count(*) FROM bonus_grant_player") + "/"
                + outboxIds() + "/" + Db.count("SELECT count(*) FROM outbox WHERE topic = '"
                        + Topics.BONUS_GRANTS + "'");
    }
}
