package com.sportswallet.notifier;

import static com.sportswallet.notifier.streams.WalletEventsFixture.BASE;
import static com.sportswallet.notifier.streams.WalletEventsFixture.current;
import static com.sportswallet.notifier.streams.WalletEventsFixture.deposit;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.Topics;
import com.sportswallet.notifier.support.KafkaTestClients;
import com.sportswallet.testkit.OperatorKeys;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code GET /players/{id}/activity} tells a player's stake, win and net totals: like the operator
 * API it answers only the operator's RS256 token with group {@code operator}; a missing, garbage or
 * foreign token is a JSON 401, a token without the group a JSON 403.
 */
@QuarkusTest
@QuarkusTestResource(RealInfraResource.class)
@QuarkusTestResource(OperatorKeys.class)
class PlayerActivityAuthTest {

    @Test
    void activityNeedsTheOperatorsToken() throws Exception {
        NotifierEndToEndTest.awaitReady();
        String player = "auth-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaTestClients.produce(TestInfra.get().bootstrapServers(), Topics.WALLET_EVENTS,
                current(List.of(deposit(player, player + "-dep", 700, 700, 1, BASE))));
        String activity = "/players/" + player + "/activity";

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Response r = NotifierEndToEndTest.operator().get(activity);
        while (r.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = NotifierEndToEndTest.operator().get(activity);
        }
        r.then().statusCode(200).body("player_id", equalTo(player)).body("net", equalTo(0));

        unauthorized(given().get(activity));
        unauthorized(given().header("Authorization", "Bearer not-a-jwt").get(activity));
        unauthorized(given().header("Authorization", "Bearer " + OperatorKeys.operatorToken(OperatorKeys.ROGUE.getPrivate(), "operator"))
                .get(activity));
        given().header("Authorization", "Bearer " + OperatorKeys.operatorToken(OperatorKeys.OPERATOR.getPrivate(), "viewer")).get(activity)
                .then().statusCode(403).contentType("application/json").body("error", equalTo("forbidden"));
        // Reading is every operator role's (issue 17): support and finance too.
        for (String role : new String[] { "support", "finance" }) {
            given().header("Authorization", "Bearer " + OperatorKeys.operatorToken(OperatorKeys.OPERATOR.getPrivate(), role)).get(activity)
                    .then().statusCode(200).body("player_id", equalTo(player));
        }
        NotifierEndToEndTest.operator().get("/players/nobody-" + player + "/activity").then().statusCode(404);
        unauthorized(given().get("/players/nobody-" + player + "/activity")); // unknown or not: the same 401, nothing told
    }

    /** A 401 with the JSON refusal body, and the Bearer challenge (RFC 6750). */
    static void unauthorized(Response r) {
        r.then().statusCode(401).contentType("application/json").header("WWW-Authenticate", startsWith("Bearer"))
                .body("error", equalTo("unauthorized")).body("message", not(emptyOrNullString()));
    }
}
