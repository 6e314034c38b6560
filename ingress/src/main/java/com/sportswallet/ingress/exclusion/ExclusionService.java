package com.sportswallet.ingress.exclusion;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.event.PlayerExcluded;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.ingress.service.ReadPool;
import com.sportswallet.money.Exclusions;
import com.sportswallet.money.Sessions;
import com.sportswallet.money.WalletEvents;

/**
 * Self-exclusion (issue 15): set or extend in one transaction (the player row, then the wallet row
 * for the event's player_seq: the lock order), with its {@code wallet.player.excluded} event.
 * Decided at the {@link BonusClock}'s instant, the wallet's one decision clock.
 */
@ApplicationScoped
public class ExclusionService {
    @Inject
    DataSource dataSource;
    @Inject
    ReadPool reads;
    @Inject
    BonusClock clock;

    /** What a PUT asked: an end, or indefinite. */
    public record Request(Instant until, boolean indefinitely, String reason) {
    }

    /**
     * @return 201 when set or extended (an event written), 200 when it was already so (nothing written)
     * @throws ApiException 400 {@code invalid_until} (an end not after now), 404 unknown player, 409
     *                      {@code excluded_until} (shortening or lifting the exclusion in force)
     */
    @Transactional(rollbackOn = Exception.class)
    public Result set(String playerId, Request r, String sub) throws SQLException {
        Instant at = clock.instant();
        if (!r.indefinitely() && !r.until().isAfter(at)) {
            throw ApiException.badRequest("invalid_until", "until must be after now (" + at + ") or null (indefinite)");
        }
        try (Connection c = dataSource.getConnection()) {
            Exclusions.Changed changed = Exclusions.set(c, playerId, r.until(), r.indefinitely(), r.reason(), at);
            if (changed == null) {
                Exclusions.Exclusion current = Exclusions.read(c, playerId, at);
                if (current == null) {
                    throw ApiException.notFound("player " + playerId + " not found");
                }
                if (current.sameEnd(r.until(), r.indefinitely())) {
                    return new Result(200, view(playerId, current));
                }
                throw new ApiException(409, "excluded_until", "player " + playerId + " is excluded "
                        + (current.indefinitely() ? "indefinitely" : "until " + current.until())
                        + ": a self-exclusion can be extended, never shortened or lifted before it ends");
            }
            // The player's open sessions end with it (after the player row, before the wallet: the lock order).
            Sessions.endAll(c, playerId, at);
            // The wallet after the player row (the lock order): the event's player_seq.
            long playerSeq = WalletEvents.advance(c, changed.walletId(), 0).playerSeq();
            WalletEvents.append(c, PlayerExcluded.of(playerId, changed.currency(), at, r.until(), r.reason()),
                    playerId + "#exclusion#" + changed.version(), Position.only(playerSeq), at);
            OperatorAudit.record(c, sub, "exclusion.set", playerId, r.indefinitely() ? "indefinitely" : "until " + r.until(), null);
            return new Result(201, view(playerId, Exclusions.read(c, playerId, at)));
        }
    }

    /** The player's exclusion at the clock's instant (the reads pool); 404 for an unknown player. */
    public ObjectNode get(String playerId) throws SQLException {
        try (Connection c = reads.connection()) {
            Exclusions.Exclusion e = Exclusions.read(c, playerId, clock.instant());
            if (e == null) {
                throw ApiException.notFound("player " + playerId + " not found");
            }
            return view(playerId, e);
        }
    }

    public record Result(int status, ObjectNode body) {
    }

    static ObjectNode view(String playerId, Exclusions.Exclusion e) {
        ObjectNode n = CloudEventJson.mapper().createObjectNode().put("player_id", playerId).put("excluded", e.inForce());
        if (e.until() == null) {
            n.putNull("until");
        } else {
            n.put("until", e.until().toString());
        }
        return n.put("indefinitely", e.indefinitely()).put("reason", e.reason());
    }
}
