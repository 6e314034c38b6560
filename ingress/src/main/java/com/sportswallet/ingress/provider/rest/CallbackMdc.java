package com.sportswallet.ingress.provider.rest;

import org.jboss.logging.MDC;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.ingress.refusal.RefusalLog;

/**
 * What every log line about a callback carries (issue 17), in the MDC: its endpoint, player, provider
 * transaction id and bet, set once its token is verified and removed when it is answered
 * ({@link CallbackMetrics}). Quarkus keeps the MDC in the request's context, so it follows the callback
 * across threads until then. Values are cut to {@value #VALUE_CHARS_MAX} characters.
 */
final class CallbackMdc {
    static final String ENDPOINT = "endpoint";
    static final String PLAYER_ID = "player_id";
    static final String PROVIDER_TX_ID = "provider_tx_id";
    static final String BET_ID = "bet_id";
    static final int VALUE_CHARS_MAX = 128;

    private CallbackMdc() {
    }

    static void put(String endpoint, ObjectNode payload) {
        set(ENDPOINT, endpoint);
        set(PLAYER_ID, RefusalLog.text(payload, "player_id", "ext_player_id"));
        set(PROVIDER_TX_ID, RefusalLog.transactionId(payload));
        set(BET_ID, RefusalLog.text(payload, "bet_transaction_id"));
    }

    static void clear() {
        MDC.remove(ENDPOINT);
        MDC.remove(PLAYER_ID);
        MDC.remove(PROVIDER_TX_ID);
        MDC.remove(BET_ID);
    }

    private static void set(String key, String value) {
        if (value != null) {
            MDC.put(key, value.length() <= VALUE_CHARS_MAX ? value : value.substring(0, VALUE_CHARS_MAX));
        }
    }
}
