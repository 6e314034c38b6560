package com.sportswallet.ingress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sportswallet.money.Sessions;

/**
 * The tests' player sessions (issue 15): bet/make needs an open session of its player, so every
 * fixture that creates a player opens one ({@link OperatorApiTest#createPlayer}), and the provider's
 * make payload ({@code provider/Provider.make}) names it. A day long (the longest allowed), so no test
 * that moves the wallet clock by hours sees it expire.
 */
public final class PlayerSessions {
    private static final Map<String, String> OPEN = new ConcurrentHashMap<>();

    private PlayerSessions() {
    }

    /** Opens a session of a day for {@code player} through the operator API; the provider's makes name it from now on. */
    public static String open(String player) {
        String id = OperatorApiTest.operator().body("{\"ttl_seconds\":" + Sessions.TTL_SECONDS_MAX + "}")
                .post("/operator/players/" + player + "/sessions").then().statusCode(201).extract().path("session_id");
        OPEN.put(player, id);
        return id;
    }

    /**
     * The session {@link #open} opened for {@code player}, or an id that names none (the make is then
     * refused with 1007, saying so: a fixture forgot to open one).
     */
    public static String of(String player) {
        return OPEN.getOrDefault(player, "no-session-opened-for-" + player);
    }
}
