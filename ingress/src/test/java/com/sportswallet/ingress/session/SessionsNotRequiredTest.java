package com.sportswallet.ingress.session;

import static com.sportswallet.ingress.provider.Provider.call;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * SESSIONS_REQUIRED=false (issue 15's off switch): the wallet does not own sessions, so a make's
 * {@code session_id} is not looked at, present or not, and the make is decided as before sessions
 * existed. The one test profile of the switch: every other test runs with sessions required.
 */
@QuarkusTest
@TestProfile(SessionsNotRequiredTest.NotRequiredProfile.class)
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class SessionsNotRequiredTest {
    /** SESSIONS_REQUIRED=false (a restart of the ingress with that setting). */
    public static class NotRequiredProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("wallet.sessions.required", "false");
        }
    }

    @Test
    void aMakeWithoutSessionOrWithOneTheWalletDoesNotKnowIsAccepted() {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "nosess-dep-" + player, 1_000).then().statusCode(200);
        Map<String, Object> without = Provider.make(player, txId(), 100, "EUR");
        without.remove("session_id");
        call("bet/make", without).then().statusCode(200).body("balance", equalTo(900));
        Map<String, Object> foreign = Provider.make(player, txId(), 100, "EUR");
        foreign.put("session_id", "operator-kept-" + UUID.randomUUID());
        call("bet/make", foreign).then().statusCode(200).body("balance", equalTo(800));
        // The operator API keeps working; a session ended here does not stop makes either.
        String session = SessionsTest.open(player, 60).then().statusCode(201).extract().path("session_id");
        SessionsTest.end(player, session).then().statusCode(200);
        Map<String, Object> ended = Provider.make(player, txId(), 100, "EUR");
        ended.put("session_id", session);
        call("bet/make", ended).then().statusCode(200).body("balance", equalTo(700));
        // Not looked at, whatever its form (a number, a blank string: as before sessions existed).
        Map<String, Object> numeric = Provider.make(player, txId(), 100, "EUR");
        numeric.put("session_id", 1234567890123456789L);
        call("bet/make", numeric).then().statusCode(200).body("balance", equalTo(600));
        Map<String, Object> blank = Provider.make(player, txId(), 100, "EUR");
        blank.put("session_id", " ");
        call("bet/make", blank).then().statusCode(200).body("balance", equalTo(500));
        assertEquals(0, Db.ledgerDiscrepancies());
    }
}
