package com.sportswallet.ingress.provider;

import static io.restassured.RestAssured.given;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.ingress.PlayerSessions;

import io.restassured.response.Response;

/**
 * The provider's side of the protocol for tests: builds request payloads the way PROTOCOL.md
 * describes them, signs them, and POSTs them to {@code /sportsbook/{endpoint}}.
 */
public final class Provider {
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime());

    private Provider() {
    }

    /** A fresh provider transaction id. */
    public static String txId() {
        return "tx-" + SEQ.incrementAndGet();
    }

    public static Response call(String endpoint, Map<String, Object> payload) {
        return post(endpoint, ProviderTokens.body(payload));
    }

    public static Response post(String endpoint, String body) {
        return given().contentType("application/json").body(body).post("/sportsbook/" + endpoint);
    }

    /** The operator transaction id the ingress derives for (endpoint, provider transaction id). */
    public static String operatorId(String endpoint, String providerTxId) {
        return CloudEventJson.stableId(endpoint, providerTxId);
    }

    public static Map<String, Object> make(String playerId, String txId, long amount, String currency) {
        return make(playerId, txId, amount, currency, "sport-1", "Football");
    }

    /** A single-selection make naming the given sport (category, tournament and event derive from it). */
    public static Map<String, Object> make(String playerId, String txId, long amount, String currency, String sportId, String sportName) {
        Map<String, Object> selection = new LinkedHashMap<>();
        selection.put("id", "sel-" + txId);
        selection.put("event_id", "ev-" + sportId);
        selection.put("sport_id", sportId);
        selection.put("sport_name", sportName);
        selection.put("category_id", "cat-" + sportId);
        selection.put("category_name", "Category of " + sportName);
        selection.put("tournament_id", "tour-" + sportId);
        selection.put("tournament_name", "Cup of " + sportName);
        selection.put("competitor_name", List.of("Home", "Away"));
        selection.put("market_name", "1x2");
        selection.put("outcome_name", "1");
        selection.put("live", false);
        selection.put("scheduled", 1_790_000_000L);
        selection.put("odds", "1.85");
        Map<String, Object> betslip = new LinkedHashMap<>();
        betslip.put("id", "slip-" + txId);
        betslip.put("timestamp", 1_790_000_000L);
        betslip.put("type", "single");
        betslip.put("sum", amount);
        betslip.put("k", "1.85");
        betslip.put("is_quick_bet", false);
        betslip.put("accept_odds_change", true);
        betslip.put("bets", new ArrayList<>(List.of(selection)));
        Map<String, Object> transaction = new LinkedHashMap<>();
        transaction.put("id", txId);
        transaction.put("betslip_id", "slip-" + txId);
        transaction.put("player_id", playerId);
        transaction.put("operator_id", ProviderTokens.OPERATOR_ID);
        transaction.put("operator_brand_id", "brand-1");
        transaction.put("ext_player_id", playerId);
        transaction.put("timestamp", 1_790_000_000L);
        transaction.put("amount", amount);
        transaction.put("currency", currency);
        transaction.put("operation", "bet");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("amount", amount);
        p.put("currency", currency);
        p.put("player_id", playerId);
        p.put("session_id", PlayerSessions.of(playerId));
        p.put("potential_win", amount * 185 / 100);
        p.put("transaction", transaction);
        p.put("betslip", betslip);
        return p;
    }

    /** A nested object of a payload built here ("betslip", "transaction"), for a test to change it. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> child(Map<String, Object> parent, String field) {
        return (Map<String, Object>) parent.get(field);
    }

    /** The first selection of a make's betslip. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> selection(Map<String, Object> make) {
        return ((List<Map<String, Object>>) child(make, "betslip").get("bets")).get(0);
    }

    public static Map<String, Object> win(String betId, String txId, long amount, String currency) {
        return settlement(betId, txId, amount, currency, "win");
    }

    public static Map<String, Object> cashout(String betId, String txId, long amount, String currency) {
        Map<String, Object> p = win(betId, txId, amount, currency);
        p.put("is_cashout", true);
        return p;
    }

    public static Map<String, Object> lost(String betId, String txId, String currency) {
        return settlement(betId, txId, 0, currency, "lost");
    }

    private static Map<String, Object> settlement(String betId, String txId, long amount, String currency, String operation) {
        Map<String, Object> transaction = new LinkedHashMap<>();
        transaction.put("id", txId);
        transaction.put("amount", amount);
        transaction.put("currency", currency);
        transaction.put("operation", operation);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("amount", amount);
        p.put("currency", currency);
        p.put("is_cashout", false);
        p.put("bet_transaction_id", betId);
        p.put("transaction", transaction);
        p.put("selections", List.of(Map.of("id", "sel-1", "event_id", "ev-1", "status", operation, "odds", "1.85")));
        return p;
    }

    public static Map<String, Object> refund(String betId, String txId, long amount) {
        Map<String, Object> transaction = new LinkedHashMap<>();
        transaction.put("id", txId);
        transaction.put("amount", amount);
        transaction.put("operation", "refund");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("bet_transaction_id", betId);
        p.put("reason", "event cancelled");
        p.put("reason_code", 1);
        p.put("transaction", transaction);
        return p;
    }

    /** The payload of a settlement of {@code kind} "win", "refund" or "lost" (amount ignored for lost). */
    public static Map<String, Object> settlement(String kind, String betId, String txId, long amount) {
        return switch (kind) {
            case "win" -> win(betId, txId, amount, "EUR");
            case "refund" -> refund(betId, txId, amount);
            case "lost" -> lost(betId, txId, "EUR");
            default -> throw new IllegalArgumentException("not a settlement: " + kind);
        };
    }

    public static Map<String, Object> rollback(String betId, String txId, String parentOperatorId) {
        Map<String, Object> transaction = new LinkedHashMap<>();
        transaction.put("id", txId);
        transaction.put("amount", 0);
        transaction.put("operation", "rollback");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("bet_transaction_id", betId);
        p.put("parent_transaction_id", parentOperatorId);
        p.put("transaction", transaction);
        return p;
    }

    public static Map<String, Object> discard(String playerId, String makeTxId) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("ext_player_id", playerId);
        p.put("transaction_id", makeTxId);
        p.put("reason", "provider error");
        return p;
    }

    public static Map<String, Object> commit(String betId) {
        return new LinkedHashMap<>(Map.of("bet_transaction_id", betId));
    }

    public static Map<String, Object> settlementStatus(String betId, String status) {
        return new LinkedHashMap<>(Map.of("bet_transaction_id", betId, "status", status));
    }

    public static Map<String, Object> balance(String playerId) {
        return new LinkedHashMap<>(Map.of("player_id", playerId));
    }
}
