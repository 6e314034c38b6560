package com.sportswallet.providersim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.ProviderSignature;

/** The simulator over real HTTP: grants, idempotency by request_id (across a restart), signatures, faults, revokes. */
class ProviderSimulatorTest {
    private static final String CID = "test-operator";
    private static final String SECRET = ProviderSimulator.DEV_SECRET;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void aGrantIsIdempotentByRequestIdAndAnotherBodyUnderTheSameIdIsAConflict() throws Exception {
        try (ProviderSimulator sim = start(null)) {
            ObjectNode grant = grant("req-1", 500, "p1", "p2", "p3");
            HttpResponse<String> first = post(sim, ProviderSimulator.APPLY_PATH, grant, SECRET);
            assertEquals(200, first.statusCode(), first.body());
            JsonNode items = JSON.readTree(first.body()).get("items");
            assertEquals(Set.of(BonusBook.bonusId("req-1", "p1"), BonusBook.bonusId("req-1", "p2"), BonusBook.bonusId("req-1", "p3")),
                    fieldNames(items));
            assertEquals("active", items.get(BonusBook.bonusId("req-1", "p2")).get("status").asText());
            assertEquals(500, items.get(BonusBook.bonusId("req-1", "p2")).get("freebetData").get("betAmount").asLong());

            HttpResponse<String> again = post(sim, ProviderSimulator.APPLY_PATH, grant, SECRET);
            assertEquals(200, again.statusCode());
            assertEquals(JSON.readTree(first.body()), JSON.readTree(again.body()), "a repeated request answers the same bonuses");
            assertEquals(3, stats(sim).get("bonuses").asLong());

            HttpResponse<String> other = post(sim, ProviderSimulator.APPLY_PATH, grant("req-1", 600, "p1", "p2", "p3"), SECRET);
            assertEquals(409, other.statusCode(), other.body());
            assertEquals("request_conflict", JSON.readTree(other.body()).get("code").asText());
            assertEquals(400, post(sim, ProviderSimulator.APPLY_PATH, grant("req-2", 500, "p1", "p1"), SECRET).statusCode(),
                    "a player twice in one request");
            assertEquals(3, stats(sim).get("bonuses").asLong(), "refused requests granted nothing");
        }
    }

    @Test
    void moreThanAThousandPlayersABadSignatureOrAnotherPartnerGrantNothing() throws Exception {
        try (ProviderSimulator sim = start(null)) {
            String[] players = new String[ProviderSimulator.PLAYERS_PER_CALL_MAX + 1];
            for (int i = 0; i < players.length; i++) {
                players[i] = "p" + i;
            }
            HttpResponse<String> tooMany = post(sim, ProviderSimulator.APPLY_PATH, grant("big", 100, players), SECRET);
            assertEquals(400, tooMany.statusCode());
            assertEquals("too_many_players", JSON.readTree(tooMany.body()).get("code").asText());
            assertEquals(200, post(sim, ProviderSimulator.APPLY_PATH, grant("full", 100, java.util.Arrays.copyOf(players, 1000)), SECRET)
                    .statusCode(), "exactly the limit is accepted");

            assertEquals(401, post(sim, ProviderSimulator.APPLY_PATH, grant("forged", 100, "x"), SECRET + "-not-it").statusCode());
            ObjectNode otherPartner = grant("other", 100, "x").put("cid", "someone-else");
            assertEquals(401, post(sim, ProviderSimulator.APPLY_PATH, otherPartner, SECRET).statusCode());
            HttpResponse<String> unsigned = HTTP.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + ProviderSimulator.APPLY_PATH))
                    .POST(HttpRequest.BodyPublishers.ofString(grant("unsigned", 100, "x").toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, unsigned.statusCode());
            assertEquals(1000, stats(sim).get("bonuses").asLong());
        }
    }

    @Test
    void injectedFaultsFailBeforeOrAfterApplyingAndARetryGrantsEachPlayerOnce() throws Exception {
        try (ProviderSimulator sim = start(null)) {
            fault(sim, "applyBatch", 1, 503, false);
            ObjectNode grant = grant("req-f", 200, "a", "b");
            assertEquals(503, post(sim, ProviderSimulator.APPLY_PATH, grant, SECRET).statusCode());
            assertEquals(0, stats(sim).get("bonuses").asLong(), "failed before applying: nothing granted");

            fault(sim, "applyBatch", 1, 500, true);
            assertEquals(500, post(sim, ProviderSimulator.APPLY_PATH, grant, SECRET).statusCode());
            assertEquals(2, stats(sim).get("bonuses").asLong(), "failed after applying: granted, the answer lost");

            HttpResponse<String> retry = post(sim, ProviderSimulator.APPLY_PATH, grant, SECRET);
            assertEquals(200, retry.statusCode());
            assertEquals(Set.of(BonusBook.bonusId("req-f", "a"), BonusBook.bonusId("req-f", "b")),
                    fieldNames(JSON.readTree(retry.body()).get("items")));
            JsonNode s = stats(sim);
            assertEquals(2, s.get("bonuses").asLong(), "the retry granted nobody twice");
            assertEquals(3, s.get("calls").get("applyBatch").asLong());
            assertEquals(2, s.get("failed_calls").get("applyBatch").asLong());
        }
    }

    @Test
    void theBonusesAndTheirIdempotencySurviveARestartAndATornLastLine() throws Exception {
        Path state = dir.resolve("sim/bonuses.jsonl");
        ObjectNode grant = grant("req-r", 300, "p1", "p2");
        String firstBody;
        try (ProviderSimulator sim = start(state)) {
            firstBody = post(sim, ProviderSimulator.APPLY_PATH, grant, SECRET).body();
            assertEquals(200, post(sim, ProviderSimulator.REVOKE_PATH, revoke(BonusBook.bonusId("req-r", "p1")), SECRET).statusCode());
        }
        // A crash in the middle of writing a change: the last line is torn.
        Files.writeString(state, "{\"op\":\"granted\",\"bonuses\":[{\"id\":", StandardOpenOption.APPEND);
        try (ProviderSimulator sim = start(state)) {
            JsonNode s = stats(sim);
            assertEquals(2, s.get("bonuses").asLong());
            assertEquals(1, s.get("by_status").get("revoked").asLong());
            HttpResponse<String> again = post(sim, ProviderSimulator.APPLY_PATH, grant, SECRET);
            assertEquals(200, again.statusCode());
            assertEquals(fieldNames(JSON.readTree(firstBody).get("items")), fieldNames(JSON.readTree(again.body()).get("items")));
            assertEquals(409, post(sim, ProviderSimulator.APPLY_PATH, grant("req-r", 301, "p1", "p2"), SECRET).statusCode(),
                    "the conflict check survives the restart");
            assertEquals(200, post(sim, ProviderSimulator.APPLY_PATH, grant("req-s", 300, "p3"), SECRET).statusCode());
        }
        try (ProviderSimulator sim = start(state)) {
            assertEquals(3, stats(sim).get("bonuses").asLong(), "the line written after the torn one reads back");
        }
    }

    @Test
    void onlyUnusedBonusesAreRevokedAndARepeatedRevokeAnswersTheRevokedBonus() throws Exception {
        try (ProviderSimulator sim = start(null)) {
            post(sim, ProviderSimulator.APPLY_PATH, grant("req-v", 100, "u1", "u2"), SECRET);
            String active = BonusBook.bonusId("req-v", "u1");
            String used = BonusBook.bonusId("req-v", "u2");
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/control/bonuses/" + used + "/use"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            JsonNode first = JSON.readTree(post(sim, ProviderSimulator.REVOKE_PATH, revoke(active, used, "999"), SECRET).body());
            assertEquals("revoked", first.get("items").get(active).get("status").asText());
            assertEquals(Set.of("used:" + used, "not_found:999"), errors(first));
            JsonNode again = JSON.readTree(post(sim, ProviderSimulator.REVOKE_PATH, revoke(active), SECRET).body());
            assertEquals("revoked", again.get("items").get(active).get("status").asText());
            JsonNode u2 = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/control/bonuses?user_id=u2")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("used", u2.get("bonuses").get(0).get("status").asText());
        }
    }

    // ------------------------------------------------------------------ helpers

    private static ProviderSimulator start(Path state) throws Exception {
        return new ProviderSimulator("127.0.0.1", 0, CID, SECRET, state);
    }

    private static ObjectNode grant(String requestId, long amount, String... players) {
        ObjectNode n = JSON.createObjectNode().put("cid", CID).put("request_id", requestId).put("bonus_type", "freebet_freemoney")
                .put("expires_at", "2099-01-01T00:00:00Z");
        ArrayNode data = n.putArray("playersData");
        for (String p : players) {
            data.addObject().put("userId", p).put("currency", "EUR").put("betAmount", amount);
        }
        return n;
    }

    private static ObjectNode revoke(String... ids) {
        ObjectNode n = JSON.createObjectNode().put("cid", CID);
        ArrayNode a = n.putArray("bonusesIds");
        for (String id : ids) {
            a.add(id);
        }
        return n;
    }

    private static HttpResponse<String> post(ProviderSimulator sim, String path, JsonNode body, String secret) throws Exception {
        byte[] bytes = JSON.writeValueAsBytes(body);
        return HTTP.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).header("Content-Type", "application/json")
                .header(ProviderSimulator.SIGNATURE_HEADER, ProviderSignature.sign(bytes, secret))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void fault(ProviderSimulator sim, String endpoint, int count, int status, boolean after) throws Exception {
        ObjectNode f = JSON.createObjectNode().put("endpoint", endpoint).put("count", count).put("status", status).put("after", after);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/control/faults"))
                .POST(HttpRequest.BodyPublishers.ofString(f.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, r.statusCode(), r.body());
    }

    private static JsonNode stats(ProviderSimulator sim) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/control/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> s = new TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    private static Set<String> errors(JsonNode answer) {
        Set<String> s = new TreeSet<>();
        for (JsonNode e : answer.get("errors")) {
            s.add(e.get("code").asText() + ":" + e.get("id").asText());
        }
        assertTrue(!s.isEmpty());
        return s;
    }
}
