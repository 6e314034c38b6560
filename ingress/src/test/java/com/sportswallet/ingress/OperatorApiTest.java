package com.sportswallet.ingress;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
public class OperatorApiTest {
    private static final AtomicInteger SEQ = new AtomicInteger();

    public static String newPlayerId() {
        return "p-" + System.nanoTime() + "-" + SEQ.incrementAndGet();
    }

    public static RequestSpecification operator() {
        return given().header("Authorization", "Bearer " + TestKeys.operatorToken()).contentType("application/json");
    }

    /** A new player with its CASH wallet in {@code currency} and an open session (bet/make needs one: issue 15). */
    public static String createPlayer(String currency) {
        String id = newPlayerId();
        operator().body("{\"currency\":\"" + currency + "\"}").put("/operator/players/" + id).then().statusCode(201);
        PlayerSessions.open(id);
        return id;
    }

    public static Response deposit(String player, String key, Object amount) {
        return operator().body("{\"id\":\"" + key + "\",\"amount\":" + amount + "}").post("/operator/players/" + player + "/deposits");
    }

    public static Response withdraw(String player, String key, Object amount) {
        return operator().body("{\"id\":\"" + key + "\",\"amount\":" + amount + "}").post("/operator/players/" + player + "/withdrawals");
    }

    /** The available balance (settled + pending) the operator API shows. */
    public static long balance(String player) {
        return operator().get("/operator/players/" + player + "/wallet").then().statusCode(200).extract().jsonPath().getLong("balance");
    }

    /** The settled balance (the sum of the ledger; pending credits excluded). */
    public static long settledBalance(String player) {
        return operator().get("/operator/players/" + player + "/wallet").then().statusCode(200).extract().jsonPath()
                .getLong("settled_balance");
    }

    /** Runs the calls at once (all threads released together) and returns their results in order. */
    public static <T> List<T> concurrently(List<Callable<T>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> call : calls) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingOrForeignTokenIs401AndMissingGroupIs403() {
        String player = createPlayer("EUR");
        String wallet = "/operator/players/" + player + "/wallet";
        // README: refusals are JSON {"error": code, "message": text}, the 401s and the 403 too.
        unauthorized(given().get(wallet));
        unauthorized(given().header("Authorization", "Bearer not-a-jwt").get(wallet));
        String foreign = TestKeys.operatorToken(TestKeys.ROGUE.getPrivate(), "operator");
        unauthorized(given().header("Authorization", "Bearer " + foreign).get(wallet));
        unauthorized(given().contentType("application/json").body("{\"id\":\"k\",\"amount\":1}")
                .post("/operator/players/" + player + "/deposits"));
        given().header("Authorization", "Bearer " + TestKeys.operatorToken(TestKeys.OPERATOR.getPrivate(), "viewer")).get(wallet)
                .then().statusCode(403).contentType("application/json")
                .body("error", equalTo("forbidden")).body("message", not(emptyOrNullString()));
        operator().get(wallet).then().statusCode(200)
                .body("player_id", equalTo(player)).body("currency", equalTo("EUR")).body("balance", equalTo(0));
    }

    /** A 401 with the JSON refusal body the README promises, and the Bearer challenge (RFC 6750). */
    static void unauthorized(Response r) {
        r.then().statusCode(401).contentType("application/json").header("WWW-Authenticate", startsWith("Bearer"))
                .body("error", equalTo("unauthorized")).body("message", not(emptyOrNullString()));
    }

    @Test
    void createIsIdempotentAndRefusesAnotherCurrency() {
        String id = newPlayerId();
        String first = operator().body("{\"currency\":\"EUR\"}").put("/operator/players/" + id).then().statusCode(201).extract().asString();
        String again = operator().body("{\"currency\":\"EUR\"}").put("/operator/players/" + id).then().statusCode(200).extract().asString();
        assertEquals(first, again);
        operator().body("{\"currency\":\"USD\"}").put("/operator/players/" + id).then().statusCode(409)
                .body("error", equalTo("currency_conflict"));
        assertEquals(1, Db.count("SELECT count(*) FROM wallet WHERE player_id = '" + id + "'"));
    }

    @Test
    void twentyConcurrentCreatesOfOneIdMakeOneWalletAndNo500() throws Exception {
        String id = newPlayerId();
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(() -> operator().body("{\"currency\":\"EUR\"}").put("/operator/players/" + id));
        }
        List<Response> results = concurrently(calls);
        Map<Integer, Long> byStatus = results.stream().collect(Collectors.groupingBy(Response::statusCode, Collectors.counting()));
        assertEquals(Map.of(201, 1L, 200, 19L), byStatus);
        assertEquals(1, results.stream().map(r -> r.jsonPath().getString("currency") + r.jsonPath().getLong("balance")).distinct().count());
        assertEquals(1, Db.count("SELECT count(*) FROM wallet WHERE player_id = '" + id + "'"));
        assertEquals(1, Db.count("SELECT count(*) FROM player WHERE id = '" + id + "'"));
    }

    @Test
    void concurrentCreatesWithDifferentCurrenciesLeaveExactlyOneWallet() throws Exception {
        String id = newPlayerId();
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String currency = i % 2 == 0 ? "EUR" : "USD";
            calls.add(() -> operator().body("{\"currency\":\"" + currency + "\"}").put("/operator/players/" + id));
        }
        List<Response> results = concurrently(calls);
        assertTrue(results.stream().allMatch(r -> r.statusCode() == 200 || r.statusCode() == 201 || r.statusCode() == 409),
                () -> results.stream().map(r -> r.statusCode() + " " + r.asString()).toList().toString());
        assertEquals(1, Db.count("SELECT count(*) FROM wallet WHERE player_id = '" + id + "'"));
    }

    @Test
    void depositReplaysByteForByteAndAnotherAmountIs409WithNoEffect() {
        String player = createPlayer("EUR");
        String first = deposit(player, "dep-1", 1500).then().statusCode(200).body("balance", equalTo(1500)).extract().asString();
        String replay = deposit(player, "dep-1", 1500).then().statusCode(200).extract().asString();
        assertEquals(first, replay);
        deposit(player, "dep-1", 1600).then().statusCode(409).body("error", equalTo("idempotency_conflict"));
        assertEquals(1500, balance(player));
        assertEquals(1, Db.count("SELECT count(*) FROM ledger_entry WHERE idempotency_key = 'deposit:dep-1'"));
        // The same id used for another player is the same idempotency key with another body.
        String other = createPlayer("EUR");
        deposit(other, "dep-1", 1500).then().statusCode(409);
        assertEquals(0, balance(other));
    }

    @Test
    void sixIdenticalDepositsAtOnceMoveMoneyOnceWithIdenticalAnswers() throws Exception {
        String player = createPlayer("EUR");
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(() -> deposit(player, "same-dep", 700));
        }
        List<Response> results = concurrently(calls);
        assertTrue(results.stream().allMatch(r -> r.statusCode() == 200), () -> results.get(0).asString());
        assertEquals(1, results.stream().map(Response::asString).distinct().count());
        assertEquals(700, balance(player));
    }

    @Test
    void twentyConcurrentWithdrawalsWithFundsForTenNeverOverdraw() throws Exception {
        String player = createPlayer("EUR");
        deposit(player, "fund-" + player, 1000).then().statusCode(200);
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String key = "wd-" + player + "-" + i;
            calls.add(() -> withdraw(player, key, 100));
        }
        List<Response> results = concurrently(calls);
        Map<Integer, Long> byStatus = results.stream().collect(Collectors.groupingBy(Response::statusCode, Collectors.counting()));
        assertEquals(Map.of(200, 10L, 422, 10L), byStatus);
        results.stream().filter(r -> r.statusCode() == 422)
                .forEach(r -> assertEquals("insufficient_funds", r.jsonPath().getString("error")));
        assertEquals(0, balance(player));
        assertEquals(0, Db.count("SELECT count(*) FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE w.player_id = '" + player
                + "' AND l.balance_after < 0"), "this player's withdrawals never overdrew (other tests' rollbacks may go below zero)");
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void badInputGetsAClearErrorAndWritesNothing() {
        String player = createPlayer("EUR");
        deposit(player, "seed-" + player, 100).then().statusCode(200);
        String before = Db.footprint();

        List<String> badAmounts = List.of("0", "-5", "1.5", "\"100\"", "1000000000001", "null", "1e3", "99999999999999999999", "true");
        for (String amount : badAmounts) {
            deposit(player, "bad-" + badAmounts.indexOf(amount), amount).then().statusCode(400).body("error", equalTo("invalid_amount"));
            withdraw(player, "bad-" + badAmounts.indexOf(amount), amount).then().statusCode(400).body("error", equalTo("invalid_amount"));
        }
        deposit("nobody-" + player, "k", 100).then().statusCode(404).body("error", equalTo("player_not_found"));
        withdraw("nobody-" + player, "k", 100).then().statusCode(404).body("error", equalTo("player_not_found"));
        operator().body("{\"id\":\"k\",\"amount\":").post("/operator/players/" + player + "/deposits").then().statusCode(400)
                .body("error", equalTo("malformed_json"));
        operator().body("[1,2]").post("/operator/players/" + player + "/deposits").then().statusCode(400)
                .body("error", equalTo("malformed_json"));
        operator().body("{\"amount\":5}").post("/operator/players/" + player + "/deposits").then().statusCode(400)
                .body("error", equalTo("invalid_id"));
        operator().body("{\"currency\":\"ABC\"}").put("/operator/players/" + newPlayerId()).then().statusCode(400)
                .body("error", equalTo("invalid_currency"));
        operator().body("{\"currency\":\"eur\"}").put("/operator/players/" + newPlayerId()).then().statusCode(400)
                .body("error", equalTo("invalid_currency"));
        operator().body("{\"currency\":\"EUR\"}").put("/operator/players/bad%20id").then().statusCode(400)
                .body("error", equalTo("invalid_player_id"));
        operator().body("{\"status\":\"SUSPENDED\"}").put("/operator/players/" + player + "/status").then().statusCode(400)
                .body("error", equalTo("invalid_status"));
        operator().body("{\"status\":\"BLOCKED\"}").put("/operator/players/nobody-" + player + "/status").then().statusCode(404);
        operator().get("/operator/players/" + player + "/ledger?limit=0").then().statusCode(400).body("error", equalTo("invalid_limit"));
        operator().get("/operator/players/" + player + "/ledger?limit=x").then().statusCode(400);
        String huge = "{\"id\":\"big\",\"amount\":5,\"pad\":\"" + "x".repeat(300 * 1024) + "\"}";
        operator().body(huge).post("/operator/players/" + player + "/deposits").then().statusCode(413);

        assertEquals(before, Db.footprint());
        assertEquals(100, balance(player));
    }

    @Test
    void statusChangesAreRecordedOnceEachWithAnEvent() {
        String player = createPlayer("EUR");
        long outboxBefore = Db.count("SELECT last_value FROM outbox_id_seq");
        operator().body("{\"status\":\"BLOCKED\"}").put("/operator/players/" + player + "/status").then().statusCode(200)
                .body("status", equalTo("BLOCKED"));
        operator().body("{\"status\":\"BLOCKED\"}").put("/operator/players/" + player + "/status").then().statusCode(200);
        operator().get("/operator/players/" + player + "/wallet").then().body("status", equalTo("BLOCKED"));
        assertEquals(1, Db.count("SELECT last_value FROM outbox_id_seq") - outboxBefore, "one event: the second call changed nothing");
        assertEquals(1, Db.count("SELECT status_version FROM player WHERE id = '" + player + "'"));
        // Operator money still moves for a blocked player (the operator decided it).
        deposit(player, "blocked-dep-" + player, 50).then().statusCode(200);
    }

    @Test
    void ledgerListsNewestFirstWithALimitAndMatchesTheBalance() {
        String player = createPlayer("EUR");
        deposit(player, "l1-" + player, 1000).then().statusCode(200);
        withdraw(player, "l2-" + player, 300).then().statusCode(200);
        deposit(player, "l3-" + player, 5).then().statusCode(200);
        Response page = operator().get("/operator/players/" + player + "/ledger?limit=2");
        page.then().statusCode(200).body("entries.size()", equalTo(2))
                .body("entries[0].operation", equalTo("deposit")).body("entries[0].amount", equalTo(5))
                .body("entries[0].balance_after", equalTo(705)).body("entries[0].idempotency_key", equalTo("deposit:l3-" + player))
                .body("entries[1].amount", equalTo(-300)).body("entries[1].balance_after", equalTo(700));
        Response all = operator().get("/operator/players/" + player + "/ledger");
        List<Integer> amounts = all.jsonPath().getList("entries.amount");
        assertEquals(705, amounts.stream().mapToInt(Integer::intValue).sum());
        assertEquals(705, balance(player));
        assertEquals(0, Db.ledgerDiscrepancies());
    }
}
