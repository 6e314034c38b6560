package com.sportswallet.ingress.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.PlayerSessions;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * An event its topic would refuse is refused when it is written, before anything is: a make whose
 * wallet.bet.placed would not fit is a 2004 (HTTP 400) and writes nothing, so no unsendable row
 * ever reaches the outbox.
 * With the default limit (1 MiB) no legal callback gets near it, so this runs the ingress with
 * OUTBOX_MESSAGE_BYTES_MAX at its lowest, 1024 bytes (the producer's max.request.size: the same
 * check as a topic's max.message.bytes), and the relay off (it would refuse other tests' rows).
 */
@QuarkusTest
@TestProfile(OversizeEventTest.SmallMessagesProfile.class)
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class OversizeEventTest {
    public static class SmallMessagesProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("wallet.outbox.message-bytes-max", "1024", "wallet.outbox.enabled", "false");
        }
    }

    /** A player id of {@code length} characters (1..64 are accepted), with a funded CASH wallet. */
    static String player(int length) {
        String unique = Long.toString(System.nanoTime(), 36);
        String id = unique + "x".repeat(Math.max(0, length - unique.length()));
        OperatorApiTest.operator().body("{\"currency\":\"EUR\"}").put("/operator/players/" + id).then().statusCode(201);
        PlayerSessions.open(id);
        OperatorApiTest.deposit(id, "f" + unique, 10_000).then().statusCode(200);
        return id;
    }

    @Test
    void aMakeWhoseEventWouldNotFitItsTopicIs2004AndWritesNothing() {
        // An ordinary make fits: the check refuses only what Kafka would.
        String shortPlayer = player(10);
        Provider.call("bet/make", Provider.make(shortPlayer, "t" + Long.toString(System.nanoTime(), 36), 100, "EUR")).then().statusCode(200);

        // Ids within every bound the protocol sets (player 64, transaction 128 characters), the event over 1024 bytes.
        String longPlayer = player(64);
        String footprint = Db.footprint();
        String longTx = "t" + Long.toString(System.nanoTime(), 36) + "-" + "7".repeat(100);
        Response r = Provider.call("bet/make", Provider.make(longPlayer, longTx, 100, "EUR"));
        assertEquals(400, r.statusCode(), r::asString);
        assertEquals(2004, r.jsonPath().getInt("code"), r::asString);
        assertTrue(r.jsonPath().getString("message").contains("bytes"), r::asString);
        assertEquals(footprint, Db.footprint(), "nothing written: no ledger entry, answer, outbox row or balance change");
        assertEquals(0, Db.count("SELECT count(*) FROM bet WHERE provider_tx_id = '" + longTx + "'"), "no bet");
        assertEquals(10_000, OperatorApiTest.balance(longPlayer));
    }
}
