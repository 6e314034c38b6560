package com.sportswallet.ingress.provider;

import static com.sportswallet.ingress.input.InputBounds.ID_CHARS_MAX;
import static com.sportswallet.ingress.input.InputBounds.NAME_CHARS_MAX;
import static com.sportswallet.ingress.input.InputBounds.SELECTIONS_MAX;
import static com.sportswallet.ingress.input.InputBounds.UNIX_SECONDS_MAX;
import static com.sportswallet.ingress.input.InputBounds.UNIX_SECONDS_MIN;
import static com.sportswallet.ingress.provider.Provider.child;
import static com.sportswallet.ingress.provider.Provider.operatorId;
import static com.sportswallet.ingress.provider.Provider.selection;
import static com.sportswallet.ingress.provider.Provider.txId;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Input PostgreSQL cannot store as sent (issue 12, finding 5) is refused up front, on every
 * provider callback and on the operator API: a NUL character, a lone UTF-16 surrogate (which
 * the driver would write as '?', so two distinct ids would become one), a number beyond 64
 * bits, a timestamp outside PostgreSQL's range, an id over 128 characters, a name over 512, a
 * betslip over 100 selections. HTTP 400 with the caller's own error shape, never a 5xx (which a
 * provider retries forever), and nothing written.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class UnstorableInputTest {
    private static final long FUNDS = 100_000;
    private static final long STAKE = 100;

    private static String fundedPlayer() {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "fund-" + player, FUNDS).then().statusCode(200);
        return player;
    }

    /** A valid make (its own sport, so reference rows would show in the footprint) changed by {@code change}. */
    private static Map<String, Object> make(String player, Consumer<Map<String, Object>> change) {
        String tx = txId();
        Map<String, Object> p = Provider.make(player, tx, STAKE, "EUR", "sport-" + tx, "Sport " + tx);
        change.accept(p);
        return p;
    }

    /** Sends each case (signed, its payload written with non-ASCII escaped) and lists those not refused with 2004. */
    private static List<String> notRefusedWith2004(String endpoint, Map<String, Map<String, Object>> cases) {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : cases.entrySet()) {
            Response r = Provider.post(endpoint, ProviderTokens.bodyWithRawPayload(ProviderTokens.asciiJson(e.getValue())));
            if (r.statusCode() != 400 || !r.asString().contains("\"code\":2004")) {
                failures.add(endpoint + " " + e.getKey() + ": HTTP " + r.statusCode() + " " + r.asString());
            }
        }
        return failures;
    }

    @Test
    void aNulCharacterIs2004OnEveryCallbackAndWritesNothing() {
        String player = fundedPlayer();
        String makeTx = txId();
        String betId = Provider.call("bet/make", Provider.make(player, makeTx, STAKE, "EUR")).then().statusCode(200).extract()
                .jsonPath().getString("id");
        String nul = "nul\u0000";
        Map<String, Map<String, Map<String, Object>>> byEndpoint = new LinkedHashMap<>();
        byEndpoint.put("bet/make", Map.of(
                "in transaction.id", make(player, p -> child(p, "transaction").put("id", nul + txId())),
                "in a market name", make(player, p -> selection(p).put("market_name", nul)),
                "in a field the make ignores", make(player, p -> p.put("session_id", nul))));
        byEndpoint.put("bet/win", Map.of("in transaction.id", Provider.win(betId, nul + txId(), 10, "EUR")));
        byEndpoint.put("bet/lost", Map.of("in transaction.id", Provider.lost(betId, nul + txId(), "EUR")));
        byEndpoint.put("bet/refund", Map.of("in transaction.id", Provider.refund(betId, nul + txId(), 10)));
        byEndpoint.put("bet/rollback", Map.of("in parent_transaction_id", Provider.rollback(betId, txId(), nul)));
        byEndpoint.put("bet/discard", Map.of("in transaction_id", Provider.discard(player, nul + txId())));
        byEndpoint.put("bet/commit", Map.of("in bet_transaction_id", Provider.commit(betId + nul)));
        byEndpoint.put("bet/settlement", Map.of("in bet_transaction_id", Provider.settlementStatus(betId + nul, "won")));
        byEndpoint.put("balance", Map.of("in player_id", Provider.balance(player + nul)));

        String before = ProviderJwtTest.footprint();
        List<String> failures = new ArrayList<>();
        byEndpoint.forEach((endpoint, cases) -> failures.addAll(notRefusedWith2004(endpoint, cases)));
        assertEquals(List.of(), failures);
        assertEquals(before, ProviderJwtTest.footprint(), "nothing written");
        assertEquals(FUNDS - STAKE, OperatorApiTest.balance(player));
        assertEquals("OPEN", ProtocolStateTableTest.state(betId));
    }

    @Test
    void loneSurrogatesAre2004SoTwoProviderIdsCannotBecomeOne() {
        String player = fundedPlayer();
        String tx = txId();
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        // PostgreSQL would store both ids as tx + "-?": the second would replay the first's answer.
        cases.put("lone high surrogate in transaction.id", Provider.make(player, tx + "-\uD800", STAKE, "EUR"));
        cases.put("another lone high surrogate in transaction.id", Provider.make(player, tx + "-\uDBFF", STAKE, "EUR"));
        cases.put("lone low surrogate in an outcome name", make(player, p -> selection(p).put("outcome_name", "\uDC00 wins")));
        cases.put("reversed pair in a tournament name", make(player, p -> selection(p).put("tournament_name", "\uDE00\uD83D")));
        String before = ProviderJwtTest.footprint();
        assertEquals(List.of(), notRefusedWith2004("bet/make", cases));
        assertEquals(before, ProviderJwtTest.footprint(), "nothing written");

        // A well-formed pair (outside the BMP) is an ordinary character, stored as sent.
        Map<String, Object> ok = make(player, p -> selection(p).put("market_name", "Goals \uD83D\uDE00"));
        Response r = Provider.post("bet/make", ProviderTokens.bodyWithRawPayload(ProviderTokens.asciiJson(ok)));
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("Goals \uD83D\uDE00", ProtocolStateTableTest.text("SELECT market_name FROM bet_selection WHERE bet_id = '"
                + r.jsonPath().getString("id") + "'"));
    }

    @Test
    void numbersBeyond64BitsAndTimestampsOutsidePostgresqlsRangeAre2004() {
        String player = fundedPlayer();
        BigInteger beyond64Bits = BigInteger.ONE.shiftLeft(64);
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        cases.put("scheduled 2^64", make(player, p -> selection(p).put("scheduled", beyond64Bits)));
        cases.put("scheduled after 294276 AD", make(player, p -> selection(p).put("scheduled", UNIX_SECONDS_MAX + 1)));
        cases.put("scheduled before 4714 BC", make(player, p -> selection(p).put("scheduled", UNIX_SECONDS_MIN - 1)));
        cases.put("scheduled a fraction", make(player, p -> selection(p).put("scheduled", 1_790_000_000.5)));
        cases.put("transaction.timestamp after 294276 AD",
                make(player, p -> child(p, "transaction").put("timestamp", UNIX_SECONDS_MAX + 1)));
        cases.put("betslip.timestamp -2^64", make(player, p -> child(p, "betslip").put("timestamp", beyond64Bits.negate())));
        cases.put("a numeric id beyond 64 bits", make(player, p -> p.put("session_id", beyond64Bits)));
        cases.put("an integer beyond 64 bits in an ignored field", make(player, p -> child(p, "betslip").put("sum", beyond64Bits)));
        String before = ProviderJwtTest.footprint();
        List<String> failures = notRefusedWith2004("bet/make", cases);
        // A number no double holds (1e400): written by hand, Jackson would not write it.
        Map<String, Object> infinite = make(player, p -> selection(p).put("odds", 7));
        String text = ProviderTokens.asciiJson(infinite).replace("\"odds\":7", "\"odds\":1e400");
        Response r = Provider.post("bet/make", ProviderTokens.bodyWithRawPayload(text));
        if (r.statusCode() != 400 || !r.asString().contains("\"code\":2004")) {
            failures.add("bet/make odds 1e400: HTTP " + r.statusCode() + " " + r.asString());
        }
        assertEquals(List.of(), failures);
        assertEquals(before, ProviderJwtTest.footprint(), "nothing written");

        // PostgreSQL's own bounds are accepted, and stored as sent.
        for (long scheduled : new long[] { UNIX_SECONDS_MIN, UNIX_SECONDS_MAX }) {
            Map<String, Object> ok = make(player, p -> selection(p).put("scheduled", scheduled));
            Provider.call("bet/make", ok).then().statusCode(200);
            assertEquals(Long.toString(scheduled), ProtocolStateTableTest.text("SELECT scheduled FROM sport_event WHERE id = '"
                    + selection(ok).get("event_id") + "'"));
        }
    }

    @Test
    void idsOver128NamesOver512AndBetslipsOver100SelectionsAre2004() {
        String player = fundedPlayer();
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        cases.put("an id of 129 characters the make ignores", make(player, p -> p.put("session_id", "s".repeat(ID_CHARS_MAX + 1))));
        cases.put("transaction.operator_brand_id of 129 characters",
                make(player, p -> child(p, "transaction").put("operator_brand_id", "b".repeat(ID_CHARS_MAX + 1))));
        cases.put("a market name of 513 characters", make(player, p -> selection(p).put("market_name", "m".repeat(NAME_CHARS_MAX + 1))));
        cases.put("a sport name of 513 characters", make(player, p -> selection(p).put("sport_name", "s".repeat(NAME_CHARS_MAX + 1))));
        cases.put("a competitor name of 513 characters",
                make(player, p -> selection(p).put("competitor_name", List.of("Home", "c".repeat(NAME_CHARS_MAX + 1)))));
        cases.put("101 selections", make(player, p -> {
            @SuppressWarnings("unchecked")
            List<Object> bets = (List<Object>) child(p, "betslip").get("bets");
            for (int i = 1; i <= SELECTIONS_MAX; i++) {
                bets.add(new LinkedHashMap<>(selection(p)));
            }
        }));
        String before = ProviderJwtTest.footprint();
        assertEquals(List.of(), notRefusedWith2004("bet/make", cases));
        Provider.call("bet/refund", Provider.refund(operatorId("bet/make", txId()), "r".repeat(ID_CHARS_MAX + 1), 10)).then()
                .statusCode(400).body("code", equalTo(2004));
        assertEquals(before, ProviderJwtTest.footprint(), "nothing written");

        // At the bounds: accepted and stored whole, never truncated. Characters are code points: 512 of them
        // outside the BMP are 1024 UTF-16 units, still a name of 512 characters.
        String id128 = "i".repeat(ID_CHARS_MAX);
        String name512 = "\uD83D\uDE00".repeat(NAME_CHARS_MAX);
        Map<String, Object> ok = make(player, p -> {
            child(p, "betslip").put("id", id128);
            child(p, "transaction").put("betslip_id", id128);
            @SuppressWarnings("unchecked")
            List<Object> bets = (List<Object>) child(p, "betslip").get("bets");
            for (int i = 1; i < SELECTIONS_MAX; i++) {
                bets.add(new LinkedHashMap<>(selection(p)));
            }
            selection(p).put("market_name", name512);
        });
        Response r = Provider.post("bet/make", ProviderTokens.bodyWithRawPayload(ProviderTokens.asciiJson(ok)));
        assertEquals(200, r.statusCode(), r.asString());
        String betId = r.jsonPath().getString("id");
        assertEquals(id128, ProtocolStateTableTest.text("SELECT betslip_id FROM bet WHERE id = '" + betId + "'"));
        assertEquals(name512, ProtocolStateTableTest.text("SELECT market_name FROM bet_selection WHERE bet_id = '" + betId
                + "' AND position = 0"));
        assertEquals(SELECTIONS_MAX, Db.count("SELECT count(*) FROM bet_selection WHERE bet_id = '" + betId + "'"));
    }

    @Test
    void theOperatorApiRefusesUnstorableInputWithItsOwnErrorsAndWritesNothing() {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "seed-" + player, 100).then().statusCode(200);
        String deposits = "/operator/players/" + player + "/deposits";
        String before = Db.footprint();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"id\":\"nul\\u0000" + player + "\",\"amount\":5}", "invalid_id");
        cases.put("{\"id\":\"" + player + "\\ud800\",\"amount\":5}", "invalid_id");
        cases.put("{\"id\":\"" + player + "-note\",\"amount\":5,\"note\":\"\\u0000\"}", "invalid_input");
        cases.put("{\"id\":\"" + player + "-wide\",\"amount\":5,\"ref\":18446744073709551616}", "invalid_input");
        List<String> failures = new ArrayList<>();
        cases.forEach((body, error) -> {
            Response r = OperatorApiTest.operator().body(body).post(deposits);
            if (r.statusCode() != 400 || !error.equals(r.jsonPath().getString("error"))) {
                failures.add(body + ": HTTP " + r.statusCode() + " " + r.asString() + " (expected 400 " + error + ")");
            }
        });
        Response status = OperatorApiTest.operator().body("{\"status\":\"BLOCKED\",\"reason\":\"\\udfff\"}")
                .put("/operator/players/" + player + "/status");
        if (status.statusCode() != 400 || !"invalid_input".equals(status.jsonPath().getString("error"))) {
            failures.add("status with a lone surrogate: HTTP " + status.statusCode() + " " + status.asString());
        }
        assertEquals(List.of(), failures);
        assertEquals(before, Db.footprint(), "nothing written");
        assertEquals(100, OperatorApiTest.balance(player));
    }
}
