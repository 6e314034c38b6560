package com.sportswallet.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Provider callback payloads as docs/PROTOCOL.md describes them (the same shapes as the ingress
 * tests' Provider): what goes into the JWT's {@code payload} claim.
 */
final class Payloads {
    private static final ObjectMapper JSON = new ObjectMapper();

    // The small fixed set of reference data: reference upserts mostly hit existing rows.
    // scripts/bench-make's pgbench script uses the same ids.
    static final String[] SPORTS = { "Football", "Tennis", "Basketball", "Ice Hockey", "Volleyball" };
    static final int EVENTS_PER_SPORT = 20;
    /** Decimal odds of every selection, as text and as the potential win's factor in percent. */
    private static final String ODDS = "1.85";
    private static final long ODDS_PERCENT = 185;
    private static final long SCHEDULED_BASE = 1_790_000_000L;

    private Payloads() {
    }

    /**
     * A realistic single-selection make: sport {@code sport} (1..SPORTS.length), event {@code event}
     * (1..EVENTS_PER_SPORT), stake {@code stake} minor units.
     */
    static ObjectNode make(String operatorId, String currency, String player, String txId, long stake, int sport, int event,
            long timestamp) {
        String sportName = SPORTS[sport - 1];
        ObjectNode selection = JSON.createObjectNode()
                .put("id", "sel-" + txId)
                .put("event_id", "bench-ev-" + sport + "-" + event)
                .put("sport_id", "bench-sport-" + sport)
                .put("sport_name", sportName)
                .put("category_id", "bench-cat-" + sport)
                .put("category_name", "Category of " + sportName)
                .put("tournament_id", "bench-tour-" + sport)
                .put("tournament_name", "Cup of " + sportName);
        selection.putArray("competitor_name").add("Home " + sport + "-" + event).add("Away " + sport + "-" + event);
        selection.put("market_name", "1x2")
                .put("outcome_name", "1")
                .put("live", false)
                .put("scheduled", SCHEDULED_BASE + event * 3600L)
                .put("odds", ODDS);
        ObjectNode betslip = JSON.createObjectNode()
                .put("id", "slip-" + txId)
                .put("timestamp", timestamp)
                .put("type", "single")
                .put("sum", stake)
                .put("k", ODDS)
                .put("is_quick_bet", false)
                .put("accept_odds_change", true);
        betslip.putArray("bets").add(selection);
        ObjectNode transaction = JSON.createObjectNode()
                .put("id", txId)
                .put("betslip_id", "slip-" + txId)
                .put("player_id", player)
                .put("operator_id", operatorId)
                .put("operator_brand_id", "brand-1")
                .put("ext_player_id", player)
                .put("timestamp", timestamp)
                .put("amount", stake)
                .put("currency", currency)
                .put("operation", "bet");
        ObjectNode payload = JSON.createObjectNode()
                .put("amount", stake)
                .put("currency", currency)
                .put("player_id", player)
                .putNull("session_id") // the player's session, set by withSession once the setup opened it (PlayerSessions)
                .put("potential_win", stake * ODDS_PERCENT / 100);
        payload.set("transaction", transaction);
        payload.set("betslip", betslip);
        return payload;
    }

    /** Names {@code sessionId}, the player's open session (issue 15: a make without one is 1007), in a make. */
    static ObjectNode withSession(ObjectNode make, String sessionId) {
        return make.put("session_id", sessionId);
    }

    /**
     * A make placed with bonus {@code bonusId} of {@code bonusType} (docs/PROTOCOL.md, "Bonuses on
     * bet/make"): the id at the top level and in the transaction; a comboboost names its boosted
     * potential win (a tenth above the plain one).
     */
    static void withBonus(ObjectNode make, String bonusType, String bonusId, long stake) {
        make.put("bonus_type", bonusType).put("bonus_id", bonusId);
        ((ObjectNode) make.get("transaction")).put("bonus_id", bonusId);
        if (bonusType.endsWith("comboboost")) {
            make.put("potential_comboboost_win", stake * ODDS_PERCENT * 110 / 10_000);
        }
    }

    /** bet/win ({@code operation} "win", amount &gt; 0) or bet/lost ("lost", amount 0) of bet {@code betId}. */
    static ObjectNode settle(String operation, String currency, String betId, String txId, long amount) {
        ObjectNode transaction = JSON.createObjectNode()
                .put("id", txId)
                .put("amount", amount)
                .put("currency", currency)
                .put("operation", operation);
        ObjectNode payload = JSON.createObjectNode()
                .put("amount", amount)
                .put("currency", currency)
                .put("is_cashout", false)
                .put("bet_transaction_id", betId);
        payload.set("transaction", transaction);
        payload.putArray("selections").addObject()
                .put("id", "sel-1").put("event_id", "ev-1").put("status", operation).put("odds", ODDS);
        return payload;
    }

    /** bet/refund of {@code amount} (&lt;= the stake); transaction.amount decides. */
    static ObjectNode refund(String betId, String txId, long amount) {
        ObjectNode payload = JSON.createObjectNode()
                .put("bet_transaction_id", betId)
                .put("reason", "event cancelled")
                .put("reason_code", 1);
        payload.putObject("transaction").put("id", txId).put("amount", amount).put("operation", "refund");
        return payload;
    }

    /** bet/rollback of the settlement whose operator id is {@code parentOperatorId}; the amount is informational. */
    static ObjectNode rollback(String betId, String txId, String parentOperatorId, long amount) {
        ObjectNode payload = JSON.createObjectNode()
                .put("bet_transaction_id", betId)
                .put("parent_transaction_id", parentOperatorId);
        payload.putObject("transaction").put("id", txId).put("amount", amount).put("operation", "rollback");
        return payload;
    }

    /** bet/discard of the make {@code makeTxId} (the provider's transaction id). */
    static ObjectNode discard(String player, String makeTxId) {
        return JSON.createObjectNode()
                .put("ext_player_id", player)
                .put("transaction_id", makeTxId)
                .put("reason", "provider error");
    }
}
