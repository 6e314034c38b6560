package com.sportswallet.ingress.provider;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.Await;
import com.sportswallet.testkit.OperatorKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Issue 17's operator lookups, over HTTP, after a real bet history: the player search, a player's bets
 * (selections, settlements, rollbacks, credits) and pending credits, the ledger's cursor paging, the
 * transaction status lookup by provider and by operator id, the refusal log, and the audit of operator writes.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class OperatorLookupsTest {
    private static final long FUNDS = 1_000;

    private static Response ok(String endpoint, Map<String, Object> payload) {
        Response r = ProviderConcurrencyTest.callAsProvider(endpoint, payload);
        assertEquals(200, r.statusCode(), () -> endpoint + ": " + r.asString());
        return r;
    }

    private static RequestSpecification as(String role) {
        return given().header("Authorization", "Bearer " + OperatorKeys.operatorToken(OperatorKeys.OPERATOR.getPrivate(), role));
    }

    private static JsonPath get(String role, String path) {
        Response r = as(role).get(path);
        assertEquals(200, r.statusCode(), () -> path + ": " + r.asString());
        return r.jsonPath();
    }

    @Test
    void aBetHistoryIsFoundByPlayerBetTransactionAndRefusal() throws InterruptedException {
        String player = OperatorApiTest.createPlayer("EUR");
        String depositKey = "dep-" + UUID.randomUUID();
        OperatorApiTest.deposit(player, depositKey, FUNDS).then().statusCode(200);

        // Bet 1: made, won (its credit pending until a worker applies it).
        String make1 = Provider.txId();
        String bet1 = ok("bet/make", Provider.make(player, make1, 100, "EUR")).jsonPath().getString("id");
        String win1 = Provider.txId();
        ok("bet/win", Provider.win(bet1, win1, 250, "EUR"));
        // Bet 2: made, lost, the loss rolled back (the bet is OPEN again).
        String make2 = Provider.txId();
        String bet2 = ok("bet/make", Provider.make(player, make2, 200, "EUR")).jsonPath().getString("id");
        String lost2 = Provider.txId();
        ok("bet/lost", Provider.lost(bet2, lost2, "EUR"));
        String rollback2 = Provider.txId();
        ok("bet/rollback", Provider.rollback(bet2, rollback2, Provider.operatorId("bet/lost", lost2)));
        // A make refused for want of money: nothing stored, but logged for support.
        String refusedTx = Provider.txId();
        Response refused = Provider.call("bet/make", Provider.make(player, refusedTx, 1_000_000, "EUR"));
        assertEquals(400, refused.statusCode(), refused::asString);
        assertEquals(2001, refused.jsonPath().getInt("code"));

        // Search by prefix finds the player, with its balances.
        JsonPath found = get(OperatorRoles.SUPPORT, "/operator/players?prefix=" + player);
        assertEquals(List.of(player), found.getList("players.player_id"));
        assertEquals(FUNDS - 100 + 250 - 200, found.getLong("players[0].balance"));

        // Bets, newest first, with what happened to them.
        JsonPath bets = get(OperatorRoles.SUPPORT, "/operator/players/" + player + "/bets");
        assertEquals(List.of(bet2, bet1), bets.getList("bets.id"));
        assertEquals(make2, bets.getString("bets[0].provider_transaction_id"));
        assertEquals("OPEN", bets.getString("bets[0].state"));
        assertEquals("ROLLED_BACK", bets.getString("bets[0].settlements[0].state"));
        assertEquals(lost2, bets.getString("bets[0].settlements[0].provider_transaction_id"));
        assertEquals(Provider.operatorId("bet/rollback", rollback2), bets.getString("bets[0].settlements[0].rolled_back_by"));
        assertEquals(1, bets.getList("bets[0].selections").size());
        assertEquals("WON", bets.getString("bets[1].state"));
        assertEquals(250, bets.getLong("bets[1].credits[0].amount"));
        assertEquals(Provider.operatorId("bet/win", win1), bets.getString("bets[1].credits[0].id"));
        assertNull(bets.get("next_before"));
        // Paged: one bet a page, the cursor leading to the older one, then the filter by state.
        JsonPath page1 = get(OperatorRoles.SUPPORT, "/operator/players/" + player + "/bets?limit=1");
        assertEquals(List.of(bet2), page1.getList("bets.id"));
        JsonPath page2 = get(OperatorRoles.SUPPORT, "/operator/players/" + player + "/bets?limit=1&before=" + page1.getString("next_before"));
        assertEquals(List.of(bet1), page2.getList("bets.id"));
        assertEquals(List.of(bet1), get(OperatorRoles.FINANCE, "/operator/players/" + player + "/bets?state=WON").getList("bets.id"));

        // Pending credits: the player's PENDING rows. Read before the table: a credit only ever leaves PENDING, so every
        // row still PENDING after the answer was in it, and nothing else was (the win's credit is the only one).
        JsonPath credits = get(OperatorRoles.SUPPORT, "/operator/players/" + player + "/credits?status=PENDING");
        String stillPending = ProviderConcurrencyTest.text("SELECT coalesce(string_agg(id, ','), '') FROM credit WHERE player_id = ?"
                + " AND status = 'PENDING'", player);
        List<String> listed = credits.getList("credits.id");
        assertTrue(listed.size() <= 1 && (listed.isEmpty() || listed.get(0).equals(Provider.operatorId("bet/win", win1))), credits.prettify());
        assertTrue(stillPending.isEmpty() || listed.contains(stillPending), stillPending + " vs " + listed);

        // The transaction lookup by the provider's id: the make, its bet and its debit.
        JsonPath byProvider = get(OperatorRoles.SUPPORT, "/operator/transactions?provider_transaction_id=" + make1);
        assertEquals(List.of("bet/make"), byProvider.getList("transactions.endpoint"));
        assertEquals(bet1, byProvider.getString("transactions[0].id"));
        assertEquals(bet1, byProvider.getString("transactions[0].bet.id"));
        assertEquals(bet1, byProvider.getString("transactions[0].response_body.id"));
        assertEquals(List.of(-100), byProvider.getList("transactions[0].ledger_entries.amount"));
        // ... an operator deposit, by its own id: its entry.
        JsonPath deposit = get(OperatorRoles.FINANCE, "/operator/transactions?provider_transaction_id=" + depositKey);
        assertEquals(List.of("operator/deposit"), deposit.getList("transactions.endpoint"));
        assertEquals(List.of((int) FUNDS), deposit.getList("transactions[0].ledger_entries.amount"));
        // ... by the operator id the wallet answered: the win with its credit, the rollback with its bet.
        JsonPath win = get(OperatorRoles.SUPPORT, "/operator/transactions/" + Provider.operatorId("bet/win", win1));
        assertEquals("bet/win", win.getString("endpoint"));
        assertEquals(win1, win.getString("provider_transaction_id"));
        assertEquals(250, win.getLong("credit.amount"));
        assertEquals(bet1, win.getString("bet.id"));
        JsonPath rollback = get(OperatorRoles.SUPPORT, "/operator/transactions/" + Provider.operatorId("bet/rollback", rollback2));
        assertEquals("bet/rollback", rollback.getString("endpoint"));
        assertEquals(bet2, rollback.getString("bet.id"));
        assertEquals(bet2, get(OperatorRoles.SUPPORT, "/operator/transactions/" + bet2).getString("bet.id"));
        as(OperatorRoles.SUPPORT).get("/operator/transactions/" + UUID.randomUUID()).then().statusCode(404);
        // ... and the refused make: no transaction, its refusal logged (by a writer thread, after the answer).
        Await.until(Duration.ofSeconds(10), () -> !get(OperatorRoles.SUPPORT, "/operator/transactions?provider_transaction_id=" + refusedTx)
                .getList("refusals").isEmpty(), "the refusal is logged");
        JsonPath refusal = get(OperatorRoles.SUPPORT, "/operator/transactions?provider_transaction_id=" + refusedTx);
        assertEquals(List.of(), refusal.getList("transactions"));
        assertEquals(2001, refusal.getInt("refusals[0].code"));
        assertEquals("bet/make", refusal.getString("refusals[0].endpoint"));
        assertEquals(player, refusal.getString("refusals[0].player_id"));

        // The ledger pages by its cursor; the deposit names who made it (the test token's sub), the make does not.
        JsonPath ledger1 = get(OperatorRoles.SUPPORT, "/operator/players/" + player + "/ledger?limit=2");
        assertEquals(2, ledger1.getList("entries").size());
        long cursor = ledger1.getLong("next_before");
        JsonPath older = get(OperatorRoles.SUPPORT, "/operator/players/" + player + "/ledger?limit=50&before=" + cursor);
        List<Integer> olderSequences = older.getList("entries.sequence");
        assertTrue(olderSequences.stream().allMatch(s -> s < cursor), olderSequences.toString());
        assertEquals("deposit", older.getString("entries[-1].operation"));
        assertEquals("ops-test", older.getString("entries[-1].operator_sub"));
        assertEquals(List.of(cursor - 1), older.getList("entries.sequence", Long.class), "the deposit; the win's credit is not applied");
        assertEquals("bet", ledger1.getString("entries[0].operation"));
        assertNull(ledger1.get("entries[0].operator_sub"));
        assertNull(older.get("next_before"));

        // The audit: the player's creation, its session (createPlayer opens one) and the deposit, with the sub, newest first.
        JsonPath audit = get(OperatorRoles.SUPPORT, "/operator/audit?player_id=" + player);
        assertEquals(List.of("deposit", "session.open", "player.create"), audit.getList("entries.action"));
        assertEquals(List.of("ops-test", "ops-test", "ops-test"), audit.getList("entries.sub"));
        assertEquals("deposit:" + depositKey, audit.getString("entries[0].ledger_key"));
        // A replayed deposit changes nothing and is not audited again.
        OperatorApiTest.deposit(player, depositKey, FUNDS).then().statusCode(200);
        assertEquals(3, get(OperatorRoles.SUPPORT, "/operator/audit?player_id=" + player).getList("entries").size());
    }

    @Test
    void everyOperatorWriteIsAuditedOnceWithTheSubOfItsToken() {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.operator().body("{\"wager\":{\"day\":200}}").put("/operator/players/" + player + "/limits").then().statusCode(200);
        OperatorApiTest.operator().body("{\"status\":\"BLOCKED\"}").put("/operator/players/" + player + "/status").then().statusCode(200);
        // The same status again changes nothing: not audited.
        OperatorApiTest.operator().body("{\"status\":\"BLOCKED\"}").put("/operator/players/" + player + "/status").then().statusCode(200);
        // A write support may not make: 403, nothing written, nothing audited.
        as(OperatorRoles.SUPPORT).body("{\"status\":\"ACTIVE\"}").contentType("application/json").put("/operator/players/" + player + "/status")
                .then().statusCode(403);
        JsonPath audit = get(OperatorRoles.OPERATOR, "/operator/audit?player_id=" + player);
        assertEquals(List.of("player.status", "limits.set", "session.open", "player.create"), audit.getList("entries.action"));
        assertEquals("BLOCKED", audit.getString("entries[0].target"));
        // Paged by its cursor.
        JsonPath first = get(OperatorRoles.OPERATOR, "/operator/audit?player_id=" + player + "&limit=3");
        JsonPath rest = get(OperatorRoles.OPERATOR, "/operator/audit?player_id=" + player + "&before=" + first.getLong("next_before"));
        assertEquals(List.of("player.create"), rest.getList("entries.action"));
    }

    @Test
    void thePrefixSearchTakesWildcardsLiterally() {
        String base = "lk" + System.nanoTime();
        OperatorApiTest.operator().body("{\"currency\":\"EUR\"}").put("/operator/players/" + base + "-a_b").then().statusCode(201);
        OperatorApiTest.operator().body("{\"currency\":\"EUR\"}").put("/operator/players/" + base + "-axb").then().statusCode(201);
        assertEquals(List.of(base + "-a_b"), get(OperatorRoles.OPERATOR, "/operator/players?prefix=" + base + "-a_").getList("players.player_id"));
        assertEquals(List.of(base + "-a_b", base + "-axb"),
                get(OperatorRoles.OPERATOR, "/operator/players?prefix=" + base + "-a").getList("players.player_id"));
        assertEquals(1, get(OperatorRoles.OPERATOR, "/operator/players?prefix=" + base + "&limit=1").getList("players").size());
    }

    @Test
    void badLookupsAreClearErrors() {
        String player = OperatorApiTest.createPlayer("EUR");
        as(OperatorRoles.SUPPORT).get("/operator/players?prefix=a%25").then().statusCode(400);
        as(OperatorRoles.SUPPORT).get("/operator/players?limit=0").then().statusCode(400);
        as(OperatorRoles.SUPPORT).get("/operator/players/" + player + "/bets?state=MAYBE").then().statusCode(400);
        as(OperatorRoles.SUPPORT).get("/operator/players/" + player + "/credits?status=APPLIED").then().statusCode(400);
        as(OperatorRoles.SUPPORT).get("/operator/players/" + player + "/ledger?before=x").then().statusCode(400);
        as(OperatorRoles.SUPPORT).get("/operator/players/nobody-" + System.nanoTime() + "/bets").then().statusCode(404);
        as(OperatorRoles.SUPPORT).get("/operator/players/nobody-" + System.nanoTime() + "/credits").then().statusCode(404);
        as(OperatorRoles.SUPPORT).get("/operator/transactions").then().statusCode(400);
        as(OperatorRoles.SUPPORT).get("/operator/audit?before=x").then().statusCode(400);
        given().get("/operator/transactions?provider_transaction_id=x").then().statusCode(401);
        // A player with no bets: an empty page, not a 404.
        assertEquals(List.of(), get(OperatorRoles.SUPPORT, "/operator/players/" + player + "/bets").getList("bets"));
    }
}
