package com.sportswallet.ingress.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The provider token at the door of {@code POST /sportsbook/bet/make}: every hostile token or
 * malformed body is refused with HTTP 400 and the protocol's code, and writes nothing (the
 * footprint of every table a make touches, and the wallet balance, are unchanged). Plus key
 * rotation, aud, the body size limit, and the replay of a re-signed token.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class ProviderJwtTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long FUNDS = 10_000;
    private static final long STAKE = 500;

    // ---- helpers ----

    /** Funds the player through the operator API (a deposit with a fresh key). */
    static void deposit(String player, long amount) {
        OperatorApiTest.deposit(player, "fund-" + player + "-" + SEQ.incrementAndGet(), amount).then().statusCode(200);
    }

    /** Db.footprint() plus every table a provider callback writes (bets, credits, reference data). */
    static String footprint() {
        return Db.footprint() + "/" + Db.count("SELECT count(*) FROM bet") + "/" + Db.count("SELECT count(*) FROM bet_selection")
                + "/" + Db.count("SELECT count(*) FROM settlement") + "/" + Db.count("SELECT count(*) FROM credit")
                + "/" + Db.count("SELECT count(*) FROM sport") + "/" + Db.count("SELECT count(*) FROM category")
                + "/" + Db.count("SELECT count(*) FROM tournament") + "/" + Db.count("SELECT count(*) FROM sport_event");
    }

    /** A funded player and a valid make for them, naming a sport unique to this call (so even reference rows would show). */
    private static Map<String, Object> validMake(String player) {
        String sport = "jwt-sport-" + player;
        return Provider.make(player, Provider.txId(), STAKE, "EUR", sport, "Sport of " + player);
    }

    private static String fundedPlayer() {
        String player = OperatorApiTest.createPlayer("EUR");
        deposit(player, FUNDS);
        return player;
    }

    /** Signs arbitrary claims RS256 with the provider key p1 (for claims the Token builder cannot express). */
    private static String signClaims(ObjectNode claims) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        jws.setKeyIdHeaderValue(ProviderTokens.PROVIDER_KID);
        jws.setPayload(claims.toString());
        jws.setKey(ProviderTokens.PROVIDER.getPrivate());
        return jws.getCompactSerialization();
    }

    private static ObjectNode baseClaims() {
        long now = Instant.now().getEpochSecond();
        return JSON.createObjectNode().put("iss", ProviderTokens.OPERATOR_ID).put("iat", now).put("exp", now + 60)
                .put("jti", "jti-" + System.nanoTime());
    }

    private static void assertRefused(String label, Response r, int code, String player, String footprintBefore, long balanceBefore) {
        assertEquals(400, r.statusCode(), label + ": " + r.asString());
        assertEquals(code, r.jsonPath().getInt("code"), label + ": " + r.asString());
        String message = r.jsonPath().getString("message");
        assertNotNull(message, label + ": a message");
        assertFalse(message.isBlank(), label + ": a message");
        assertEquals(footprintBefore, footprint(), label + ": nothing written");
        assertEquals(balanceBefore, OperatorApiTest.balance(player), label + ": balance unchanged");
    }

    // ---- the hostile-token matrix ----

    @Test
    void hostileTokensAndMalformedBodiesAreRefusedAndWriteNothing() throws Exception {
        String player = fundedPlayer();
        Map<String, Object> p = validMake(player);
        Map<String, Object> other = Provider.make(player, Provider.txId(), 1, "EUR");
        long now = Instant.now().getEpochSecond();

        Map<String, String> jwt2005 = new LinkedHashMap<>();
        jwt2005.put("alg none", ProviderTokens.wrap(ProviderTokens.algNone(p)));
        jwt2005.put("HS256 keyed with the provider public key", ProviderTokens.wrap(ProviderTokens.hs256WithPublicKey(p)));
        jwt2005.put("signed by the rogue key (kid p1)", ProviderTokens.wrap(ProviderTokens.signedBy(ProviderTokens.ROGUE, p)));
        jwt2005.put("rogue key, no kid", ProviderTokens.wrap(ProviderTokens.token(p).key(ProviderTokens.ROGUE.getPrivate(), null).sign()));
        jwt2005.put("expired 300 s ago", ProviderTokens.wrap(ProviderTokens.expired(p)));
        jwt2005.put("expired 20 s ago (just beyond the 15 s skew)",
                ProviderTokens.wrap(ProviderTokens.token(p).issuedAt(now - 80).expiresAt(now - 20).sign()));
        jwt2005.put("not yet valid (iat and nbf +300 s)", ProviderTokens.wrap(ProviderTokens.notYetValid(p)));
        jwt2005.put("iat only, +300 s", ProviderTokens.wrap(ProviderTokens.token(p).issuedAt(now + 300).expiresAt(now + 360).sign()));
        jwt2005.put("nbf only, +300 s", ProviderTokens.wrap(ProviderTokens.token(p).notBefore(now + 300).expiresAt(now + 360).sign()));
        jwt2005.put("tampered payload (a valid make of another tx)", ProviderTokens.wrap(ProviderTokens.tamperedPayload(p, other)));
        jwt2005.put("garbage not.a.jwt", ProviderTokens.wrap(ProviderTokens.garbage()));
        jwt2005.put("empty string token", ProviderTokens.wrap(""));
        jwt2005.put("RS512 (provider key)", ProviderTokens.wrap(ProviderTokens.rs512(p)));
        jwt2005.put("wrong iss", ProviderTokens.wrap(ProviderTokens.token(p).issuer("another-operator").sign()));
        jwt2005.put("missing exp", ProviderTokens.wrap(ProviderTokens.token(p).omit("exp").sign()));
        jwt2005.put("missing iat", ProviderTokens.wrap(ProviderTokens.token(p).omit("iat").sign()));
        jwt2005.put("body without \"payload\"", "{\"token\":" + JSON.writeValueAsString(ProviderTokens.token(p).sign()) + "}");
        jwt2005.put("body {\"payload\": 123}", "{\"payload\":123}");
        jwt2005.put("body {\"payload\": null}", "{\"payload\":null}");
        jwt2005.put("body {\"payload\": {object}}", "{\"payload\":" + JSON.writeValueAsString(p) + "}");
        jwt2005.put("body is a JSON array", "[" + JSON.writeValueAsString(ProviderTokens.token(p).sign()) + "]");
        jwt2005.put("empty body", "");

        // A body that is not JSON at all: SportsbookResource.token() answers 2004 (malformed request),
        // PROTOCOL.md's "bad request: malformed payload"; the JWT itself was never reached.
        Map<String, String> bad2004 = new LinkedHashMap<>();
        bad2004.put("body not JSON", "this is not json");
        bad2004.put("body truncated JSON", "{\"payload\":\"abc");

        String before = footprint();
        long balanceBefore = OperatorApiTest.balance(player);
        assertEquals(FUNDS, balanceBefore);
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, String> e : jwt2005.entrySet()) {
            try {
                assertRefused(e.getKey(), Provider.post("bet/make", e.getValue()), 2005, player, before, balanceBefore);
            } catch (AssertionError err) {
                failures.add(err.getMessage());
            }
        }
        for (Map.Entry<String, String> e : bad2004.entrySet()) {
            try {
                assertRefused(e.getKey(), Provider.post("bet/make", e.getValue()), 2004, player, before, balanceBefore);
            } catch (AssertionError err) {
                failures.add(err.getMessage());
            }
        }
        assertEquals(List.of(), failures);

        // The payload itself was valid all along, and no refusal claimed its transaction id: signed properly, it is made.
        Response made = Provider.call("bet/make", p);
        assertEquals(200, made.statusCode(), made.asString());
        assertEquals(FUNDS - STAKE, OperatorApiTest.balance(player));
    }

    @Test
    void payloadClaimAbsentOrNotAnObjectIs2004AndWritesNothing() throws Exception {
        String player = fundedPlayer();
        Map<String, Object> p = validMake(player);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("payload claim absent", ProviderTokens.wrap(ProviderTokens.token(p).omit("payload").sign()));
        cases.put("payload claim 123", ProviderTokens.wrap(signClaims(baseClaims().put("payload", 123))));
        cases.put("payload claim a string", ProviderTokens.wrap(signClaims(baseClaims().put("payload", JSON.writeValueAsString(p)))));
        cases.put("payload claim null", ProviderTokens.wrap(signClaims(baseClaims().putNull("payload"))));
        ObjectNode array = baseClaims();
        array.putArray("payload").add(JSON.valueToTree(p));
        cases.put("payload claim an array", ProviderTokens.wrap(signClaims(array)));

        String before = footprint();
        long balanceBefore = OperatorApiTest.balance(player);
        for (Map.Entry<String, String> e : cases.entrySet()) {
            assertRefused(e.getKey(), Provider.post("bet/make", e.getValue()), 2004, player, before, balanceBefore);
        }
        // Control: the same claims with the payload object are accepted (so the refusals are about the claim's type).
        Response ok = Provider.post("bet/make", ProviderTokens.wrap(signClaims((ObjectNode) baseClaims().set("payload", JSON.valueToTree(p)))));
        assertEquals(200, ok.statusCode(), ok.asString());
    }

    // ---- key rotation ----

    @Test
    void bothRotatedKeysAreAcceptedAndAKidSelectsItsKey() {
        String player = fundedPlayer();
        long expected = FUNDS;

        Response p1 = Provider.post("bet/make", ProviderTokens.wrap(ProviderTokens.token(validMake(player)).sign()));
        assertEquals(200, p1.statusCode(), "kid p1, PROVIDER: " + p1.asString());
        expected -= STAKE;
        Response p2 = Provider.post("bet/make", ProviderTokens.wrap(ProviderTokens.token(validMake(player))
                .key(ProviderTokens.PROVIDER_NEXT.getPrivate(), ProviderTokens.PROVIDER_NEXT_KID).sign()));
        assertEquals(200, p2.statusCode(), "kid p2, PROVIDER_NEXT: " + p2.asString());
        expected -= STAKE;
        Response noKid = Provider.post("bet/make", ProviderTokens.wrap(ProviderTokens.token(validMake(player))
                .key(ProviderTokens.PROVIDER_NEXT.getPrivate(), null).sign()));
        assertEquals(200, noKid.statusCode(), "no kid, PROVIDER_NEXT (each configured key is tried): " + noKid.asString());
        expected -= STAKE;
        assertEquals(expected, OperatorApiTest.balance(player));
        assertEquals(3, Db.count("SELECT count(*) FROM bet WHERE player_id = '" + player + "'"));

        // kid p1 names PROVIDER's key: a token signed by PROVIDER_NEXT under that kid is refused, not tried against p2.
        String before = footprint();
        Response wrongKid = Provider.post("bet/make", ProviderTokens.wrap(ProviderTokens.signedBy(ProviderTokens.PROVIDER_NEXT, validMake(player))));
        assertRefused("kid p1 signed by PROVIDER_NEXT", wrongKid, 2005, player, before, expected);

        // A kid nobody configured: every configured key has a kid here, so none is a candidate,
        // even though the signature is PROVIDER's own.
        Response unknownKid = Provider.post("bet/make", ProviderTokens.wrap(ProviderTokens.token(validMake(player))
                .key(ProviderTokens.PROVIDER.getPrivate(), "p9").sign()));
        assertRefused("kid p9 (not configured) signed by PROVIDER", unknownKid, 2005, player, before, expected);
    }

    @Test
    void anyAudIsAcceptedWhenNoBrandIdsAreConfigured() {
        String player = fundedPlayer();
        Response r = Provider.post("bet/make", ProviderTokens.wrap(ProviderTokens.token(validMake(player)).audience("any-brand-" + player).sign()));
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals(FUNDS - STAKE, r.jsonPath().getLong("balance"));
        assertEquals(FUNDS - STAKE, OperatorApiTest.balance(player));
    }

    // ---- body size ----

    @Test
    void aBodyOver256KiBIs413AndWritesNothing() {
        String player = fundedPlayer();
        Map<String, Object> p = validMake(player);
        // An unknown field the make would ignore: without the limit this would be a valid, accepted make.
        p.put("pad", "x".repeat(300 * 1024));
        String body = ProviderTokens.body(p);
        assertEquals(true, body.length() > 256 * 1024);
        String before = footprint();
        Response r = Provider.post("bet/make", body);
        assertEquals(413, r.statusCode(), r.asString());
        assertEquals(before, footprint());
        assertEquals(FUNDS, OperatorApiTest.balance(player));
    }

    // ---- replay of a re-signed token ----

    @Test
    void aReSignedTokenReplaysTheIdenticalAnswerAndMovesMoneyOnce() {
        String player = fundedPlayer();
        Map<String, Object> p = validMake(player);
        @SuppressWarnings("unchecked")
        String tx = (String) ((Map<String, Object>) p.get("transaction")).get("id");
        long now = Instant.now().getEpochSecond();

        Response first = Provider.post("bet/make", ProviderTokens.wrap(ProviderTokens.token(p).jti("jti-first-" + tx).issuedAt(now - 5).sign()));
        assertEquals(200, first.statusCode(), first.asString());
        String footprintAfterFirst = footprint();
        Response again = Provider.post("bet/make", ProviderTokens.wrap(ProviderTokens.token(p).jti("jti-second-" + tx).issuedAt(now).sign()));
        assertEquals(200, again.statusCode(), again.asString());
        Response viaP2 = Provider.post("bet/make", ProviderTokens.wrap(ProviderTokens.token(p)
                .key(ProviderTokens.PROVIDER_NEXT.getPrivate(), ProviderTokens.PROVIDER_NEXT_KID).sign()));
        assertEquals(200, viaP2.statusCode(), viaP2.asString());

        assertArrayEquals(first.asByteArray(), again.asByteArray(), "byte-for-byte: " + first.asString() + " vs " + again.asString());
        assertArrayEquals(first.asByteArray(), viaP2.asByteArray(), "byte-for-byte: " + first.asString() + " vs " + viaP2.asString());
        assertEquals(Provider.operatorId("bet/make", tx), first.jsonPath().getString("id"));
        assertEquals(FUNDS - STAKE, first.jsonPath().getLong("balance"));
        assertEquals(FUNDS - STAKE, OperatorApiTest.balance(player));
        assertEquals(footprintAfterFirst, footprint(), "the replays wrote nothing");
        assertEquals(1, Db.count("SELECT count(*) FROM ledger_entry WHERE idempotency_key = 'bet/make:" + tx + "'"));
        assertEquals(1, Db.count("SELECT count(*) FROM bet WHERE provider_tx_id = '" + tx + "'"));
        assertEquals(0, Db.ledgerDiscrepancies());
    }
}
