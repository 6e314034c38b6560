package com.sportswallet.ingress.bonus;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.testkit.TestInfra;

/** Fixtures of the grant tests: many players at once (SQL, not 10,000 HTTP calls) and grant bodies. */
final class Grants {
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime());

    private Grants() {
    }

    /** {@code n} new players with an empty CASH wallet in {@code currency}, created in one transaction. */
    static List<String> players(int n, String currency) {
        String prefix = "g" + SEQ.incrementAndGet() + "-";
        try (Connection c = TestInfra.get().connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO player (id) SELECT ? || g FROM generate_series(1, ?) g");
                    PreparedStatement w = c.prepareStatement(
                            "INSERT INTO wallet (player_id, currency, kind) SELECT ? || g, ?, 'CASH' FROM generate_series(1, ?) g")) {
                p.setString(1, prefix);
                p.setInt(2, n);
                p.executeUpdate();
                w.setString(1, prefix);
                w.setString(2, currency);
                w.setInt(3, n);
                w.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        List<String> ids = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            ids.add(prefix + i);
        }
        return ids;
    }

    /** A fresh request id. */
    static String requestId() {
        return "grant-" + SEQ.incrementAndGet();
    }

    /** An expiry a month from now (never an absolute date). */
    static Instant expiry() {
        return Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
    }

    /** A grant body giving each player {@code amount}. */
    static ObjectNode body(String requestId, String currency, List<String> players, long amount) {
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("request_id", requestId).put("bonus_type", "freebet_freemoney")
                .put("currency", currency).put("expires_at", expiry().toString());
        ArrayNode list = body.putArray("players");
        players.forEach(p -> list.addObject().put("player_id", p).put("amount", amount));
        return body;
    }
}
