package com.sportswallet.ingress.provider;

import static com.sportswallet.ingress.provider.Provider.child;
import static com.sportswallet.ingress.provider.Provider.selection;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * A retry is the same request when its payload is the same JSON value (issue 12, finding 6):
 * compared as RFC 8785 canonical JSON, so {@code 100} and {@code 100.0} are one value, but with
 * every integer compared by its exact decimal, never through a double. Duplicate keys make a
 * payload no value at all: 2004, nothing written. A record stored before the comparison changed
 * (hash_version 1) is still compared the way it was stored.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class CanonicalRetryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long FUNDS = 10_000;
    private static final long STAKE = 100;

    private static String fundedPlayer() {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "fund-" + player, FUNDS).then().statusCode(200);
        return player;
    }

    private static String ledgerEntriesOf(String tx) {
        return Long.toString(Db.count("SELECT count(*) FROM ledger_entry WHERE idempotency_key = 'bet/make:" + tx + "'"));
    }

    @Test
    void theSameValueInAnotherNumberFormReplaysTheFirstAnswer() {
        String player = fundedPlayer();
        String tx = txId();
        Map<String, Object> first = Provider.make(player, tx, STAKE, "EUR");
        child(first, "betslip").put("sum", STAKE);
        selection(first).put("odds", new BigDecimal("1.85"));
        String answer = Provider.call("bet/make", first).then().statusCode(200).extract().asString();

        Map<String, Object> again = Provider.make(player, tx, STAKE, "EUR");
        child(again, "betslip").put("sum", (double) STAKE);          // written 100.0
        selection(again).put("odds", new BigDecimal("1.850"));      // written 1.850
        Response retry = Provider.call("bet/make", again);
        assertEquals(200, retry.statusCode(), "100.0 is 100 and 1.850 is 1.85: " + retry.asString());
        assertEquals(answer, retry.asString(), "the first answer, byte for byte");
        assertEquals("1", ledgerEntriesOf(tx), "one effect");
        assertEquals(FUNDS - STAKE, OperatorApiTest.balance(player));
        assertEquals(2, Db.count("SELECT hash_version FROM idempotency_record WHERE endpoint = 'bet/make' AND key = '" + tx + "'"),
                "a new record is stored with the current comparison");
    }

    /**
     * Integers written with a zero fraction are the same integers: a retry whose timestamps and
     * amounts read {@code 1790000000.0} and {@code 100.0} is the same request (found by chaos:
     * loadgen's re-signed copies of makes were refused 2004 "must be an integer of unix seconds").
     */
    @Test
    void integersWrittenAsDecimalsAreTheSameIntegersInTheChecksAndTheComparison() {
        String player = fundedPlayer();
        String tx = txId();
        String answer = Provider.call("bet/make", Provider.make(player, tx, STAKE, "EUR")).then().statusCode(200).extract().asString();

        Map<String, Object> again = Provider.make(player, tx, STAKE, "EUR");
        child(again, "betslip").put("timestamp", 1_790_000_000.0);
        child(again, "transaction").put("timestamp", 1_790_000_000.0);
        again.put("amount", (double) STAKE);
        Response retry = Provider.call("bet/make", again);
        assertEquals(200, retry.statusCode(), retry.asString());
        assertEquals(answer, retry.asString(), "the first answer, byte for byte");
        assertEquals("1", ledgerEntriesOf(tx), "one effect");
    }

    @Test
    void payloadsDifferingOnlyInAnIntegerNoDoubleHoldsAreDifferentRequests() {
        String player = fundedPlayer();
        // Each pair is one double (JCS writes both as the same number): compared exactly, they differ.
        long[][] pairs = { { 1234567890123456789L, 1234567890123456788L }, { (1L << 53) + 1, 1L << 53 }, { -(1L << 53) - 1, -(1L << 53) } };
        List<String> failures = new ArrayList<>();
        for (long[] pair : pairs) {
            String tx = txId();
            Map<String, Object> first = Provider.make(player, tx, STAKE, "EUR");
            first.put("ext_reference", pair[0]); // a field the make ignores (session_id must name an open session)
            Provider.call("bet/make", first).then().statusCode(200);
            Map<String, Object> other = Provider.make(player, tx, STAKE, "EUR");
            other.put("ext_reference", pair[1]);
            String before = ProviderJwtTest.footprint();
            Response r = Provider.call("bet/make", other);
            if (r.statusCode() != 400 || !r.asString().contains("\"code\":2004")) {
                failures.add(pair[0] + " then " + pair[1] + ": HTTP " + r.statusCode() + " " + r.asString());
            }
            assertEquals(before, ProviderJwtTest.footprint(), "nothing written");
        }
        assertEquals(List.of(), failures);
        assertEquals(FUNDS - pairs.length * STAKE, OperatorApiTest.balance(player));
    }

    @Test
    void duplicateKeysAre2004OnceTheTokenIsValidAndWriteNothing() {
        String player = fundedPlayer();
        String tx = txId();
        String payload = ProviderTokens.asciiJson(Provider.make(player, tx, STAKE, "EUR"));
        String topLevel = payload.replaceFirst("\\{\"amount\":" + STAKE + ",", "{\"amount\":" + STAKE + ",\"amount\":" + (STAKE + 1) + ",");
        String nested = payload.replaceFirst("\"operation\":\"bet\"", "\"operation\":\"bet\",\"operation\":\"bet\"");
        assertEquals(false, topLevel.equals(payload) || nested.equals(payload), "the duplicates are in: " + topLevel + " " + nested);
        long now = Instant.now().getEpochSecond();

        String before = ProviderJwtTest.footprint();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, String> c : Map.of("a top-level key twice", topLevel, "a key twice in transaction", nested).entrySet()) {
            Response r = Provider.post("bet/make", ProviderTokens.bodyWithRawPayload(c.getValue()));
            if (r.statusCode() != 400 || !r.asString().contains("\"code\":2004")) {
                failures.add(c.getKey() + ": HTTP " + r.statusCode() + " " + r.asString());
            }
        }
        // The token is judged first: the same claims signed by a key we do not trust, or expired, are still 2005.
        Map<String, String> invalid = Map.of(
                "rogue key", ProviderTokens.wrap(ProviderTokens.signRawClaims(ProviderTokens.rawClaims(nested, now + 60),
                        ProviderTokens.ROGUE.getPrivate())),
                "expired", ProviderTokens.wrap(ProviderTokens.signRawClaims(ProviderTokens.rawClaims(nested, now - 300))));
        for (Map.Entry<String, String> c : invalid.entrySet()) {
            Response r = Provider.post("bet/make", c.getValue());
            if (r.statusCode() != 400 || !r.asString().contains("\"code\":2005")) {
                failures.add(c.getKey() + " with a duplicate key: HTTP " + r.statusCode() + " " + r.asString());
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(before, ProviderJwtTest.footprint(), "nothing written");
        // Nothing claimed the key: the payload without duplicates is made.
        Provider.post("bet/make", ProviderTokens.bodyWithRawPayload(payload)).then().statusCode(200);
        assertEquals(FUNDS - STAKE, OperatorApiTest.balance(player));
    }

    /**
     * The request hash the ingress stored before hash_version existed: SHA-256 of the payload's
     * JSON text as Jackson writes it, with object keys sorted recursively.
     */
    static byte[] version1Hash(Map<String, Object> payload) throws Exception {
        JsonNode parsed = JSON.readTree(JSON.writeValueAsString(payload));
        return MessageDigest.getInstance("SHA-256").digest(sortKeys(parsed).toString().getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode sortKeys(JsonNode node) {
        if (node.isObject()) {
            ObjectNode sorted = JSON.createObjectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            names.forEach(name -> sorted.set(name, sortKeys(node.get(name))));
            return sorted;
        }
        if (node.isArray()) {
            ArrayNode array = JSON.createArrayNode();
            node.forEach(element -> array.add(sortKeys(element)));
            return array;
        }
        return node;
    }

    /** Turns a stored record into what the ingress wrote before hash_version: the version-1 hash (the column's default, 1). */
    private static void storeAsVersion1(String endpoint, String key, Map<String, Object> payload) throws Exception {
        try (Connection c = TestInfra.get().connect(); PreparedStatement ps = c.prepareStatement(
                "UPDATE idempotency_record SET request_hash = ?, hash_version = 1 WHERE endpoint = ? AND key = ?")) {
            ps.setBytes(1, version1Hash(payload));
            ps.setString(2, endpoint);
            ps.setString(3, key);
            assertEquals(1, ps.executeUpdate(), endpoint + " " + key);
        }
    }

    @Test
    void aRetryOfARequestStoredBeforeHashVersion2StillReplays() throws Exception {
        String player = fundedPlayer();
        String tx = txId();
        Map<String, Object> make = Provider.make(player, tx, STAKE, "EUR");
        String answer = Provider.call("bet/make", make).then().statusCode(200).extract().asString();
        String betId = Provider.operatorId("bet/make", tx);
        String winTx = txId();
        Map<String, Object> win = Provider.win(betId, winTx, 300, "EUR");
        String winAnswer = Provider.call("bet/win", win).then().statusCode(200).extract().asString();
        storeAsVersion1("bet/make", tx, make);
        storeAsVersion1("bet/win", winTx, win);

        String before = ProviderJwtTest.footprint();
        Response retry = Provider.call("bet/make", make);
        assertEquals(200, retry.statusCode(), retry.asString());
        assertEquals(answer, retry.asString(), "the version-1 record replays");
        Response winRetry = Provider.call("bet/win", win);
        assertEquals(200, winRetry.statusCode(), winRetry.asString());
        assertEquals(winAnswer, winRetry.asString());
        // Version 1 compared the text: 100.0 was another request then, and stays one for that record.
        Map<String, Object> reformatted = Provider.make(player, tx, STAKE, "EUR");
        child(reformatted, "betslip").put("sum", (double) STAKE);
        Response refused = Provider.call("bet/make", reformatted);
        assertEquals(400, refused.statusCode(), refused.asString());
        assertEquals(2004, refused.jsonPath().getInt("code"));
        assertEquals(before, ProviderJwtTest.footprint(), "replays and the refusal wrote nothing");
        assertEquals(FUNDS - STAKE + 300, OperatorApiTest.balance(player));
    }
}
