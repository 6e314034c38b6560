package com.sportswallet.ingress.limits;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.ingress.service.LimitSettings;
import com.sportswallet.ingress.service.ReadPool;
import com.sportswallet.money.Limits;

/**
 * Limit changes and reads (issue 15). A change runs under the player row's lock and then the
 * player's wallet row's (so a player's changes are serial, and each is ordered wholly before or after
 * every make, which holds the player row FOR SHARE, and every deposit and settlement, which hold the
 * wallet row), at the {@link BonusClock}'s instant; {@link Limits.Limit#change} decides what takes
 * effect at once and what waits.
 */
@ApplicationScoped
public class LimitService {
    @Inject
    DataSource dataSource;
    @Inject
    ReadPool reads;
    @Inject
    BonusClock clock;
    @Inject
    LimitSettings settings;

    /** Applies the requested changes (kind -> period -> value, null: remove); the limits as they then stand. */
    @Transactional(rollbackOn = Exception.class)
    public ObjectNode set(String playerId, Map<String, Map<String, Long>> requested, String sub) throws SQLException {
        Instant at = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            if (!Limits.lock(c, playerId)) {
                throw ApiException.notFound("player " + playerId + " not found");
            }
            Map<String, Map<String, Limits.Limit>> stored = Limits.read(c, playerId);
            Map<String, Map<String, Limits.Limit>> changed = new LinkedHashMap<>();
            requested.forEach((kind, periods) -> periods.forEach((period, value) -> {
                Limits.Limit now = stored.getOrDefault(kind, Map.of()).getOrDefault(period, Limits.Limit.NONE);
                changed.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(period, now.change(value, at, settings.increaseDelay()));
            }));
            Limits.write(c, playerId, changed, at);
            // The target: what was asked, kind -> period -> value (at most 3 x 3 entries).
            OperatorAudit.record(c, sub, "limits.set", playerId, requested.toString(), null);
            return view(c, playerId, at);
        }
    }

    /** The player's limits and usage at the clock's instant (the reads pool); 404 for an unknown player. */
    public ObjectNode get(String playerId) throws SQLException {
        Instant at = clock.instant();
        try (Connection c = reads.connection()) {
            if (!playerExists(c, playerId)) {
                throw ApiException.notFound("player " + playerId + " not found");
            }
            return view(c, playerId, at);
        }
    }

    private static boolean playerExists(Connection c, String playerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM player WHERE id = ?")) {
            ps.setString(1, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * {@code {"player_id", "time_zone", "wager": {"day": {"value", "pending": {"value", "effective_at"} | null}, ...},
     * "loss": ..., "deposit": ..., "usage": {"day": {"period_start", "wager", "loss", "deposit"}, ...}}}: every kind and
     * period, a value null when there is no limit; a pending change only while it waits.
     */
    private ObjectNode view(Connection c, String playerId, Instant at) throws SQLException {
        ObjectNode n = CloudEventJson.mapper().createObjectNode().put("player_id", playerId).put("time_zone", settings.timeZone().getId());
        Map<String, Map<String, Limits.Limit>> stored = Limits.read(c, playerId);
        for (String kind : Limits.KINDS) {
            ObjectNode k = n.putObject(kind);
            for (String period : Limits.PERIODS) {
                Limits.Limit l = stored.getOrDefault(kind, Map.of()).getOrDefault(period, Limits.Limit.NONE).resolve(at);
                ObjectNode p = k.putObject(period);
                if (l.value() == null) {
                    p.putNull("value");
                } else {
                    p.put("value", l.value());
                }
                if (l.pendingEffectiveAt() == null) {
                    p.putNull("pending");
                } else {
                    ObjectNode pending = p.putObject("pending");
                    if (l.pendingValue() == null) {
                        pending.putNull("value");
                    } else {
                        pending.put("value", l.pendingValue());
                    }
                    pending.put("effective_at", l.pendingEffectiveAt().toString());
                }
            }
        }
        ObjectNode u = n.putObject("usage");
        for (Limits.Usage booked : Limits.usage(c, playerId, Limits.day(at, settings.timeZone()))) {
            u.putObject(booked.period()).put("period_start", booked.periodStart().toString()).put("wager", booked.wager())
                    .put("loss", booked.loss()).put("deposit", booked.deposit());
        }
        return n;
    }
}
