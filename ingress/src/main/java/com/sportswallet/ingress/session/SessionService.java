package com.sportswallet.ingress.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.money.Exclusions;
import com.sportswallet.money.Sessions;

/**
 * Player sessions (issue 15) over {@link Sessions}: each public method is ONE transaction with ONE
 * commit; a refusal throws {@link ApiException}, which rolls back whatever the call wrote. Time comes
 * from the injected {@link BonusClock}, the wallet's one decision clock, which bet/make's session check
 * uses too.
 */
@ApplicationScoped
public class SessionService {
    @Inject
    DataSource dataSource;
    @Inject
    BonusClock clock;

    @Transactional(rollbackOn = Exception.class)
    public Sessions.Session open(String playerId, long ttlSeconds, String sub) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Instant now = clock.instant();
            Sessions.Session s = Sessions.open(c, playerId, ttlSeconds, now);
            if (s == null) {
                if (Exclusions.inForce(c, playerId, now)) {
                    throw new ApiException(422, "excluded", "player " + playerId + " is self-excluded: no sessions");
                }
                throw ApiException.notFound("player " + playerId + " not found");
            }
            OperatorAudit.record(c, sub, "session.open", playerId, s.id(), null);
            return s;
        }
    }

    @Transactional(rollbackOn = Exception.class)
    public Sessions.Session extend(String playerId, String sessionId, long ttlSeconds, String sub) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Instant now = clock.instant();
            Sessions.Session s = Sessions.extend(c, playerId, sessionId, ttlSeconds, now);
            if (s != null) {
                OperatorAudit.record(c, sub, "session.extend", playerId, sessionId, null);
                return s;
            }
            // Nothing changed: why, from a read that starts after the UPDATE (a concurrent end it waited for included).
            Sessions.Session found = Sessions.read(c, sessionId);
            if (found == null || !found.playerId().equals(playerId)) {
                throw notFound(playerId, sessionId);
            }
            if (found.endedAt() != null) {
                throw new ApiException(409, "session_ended", "session " + sessionId + " ended at " + found.endedAt()
                        + "; a session cannot be reopened: open a new one");
            }
            throw new ApiException(409, "session_expired", "session " + sessionId + " expired at " + found.expiresAt()
                    + "; a session cannot be reopened: open a new one");
        }
    }

    @Transactional(rollbackOn = Exception.class)
    public Sessions.Session end(String playerId, String sessionId, String sub) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Sessions.Session s = Sessions.end(c, playerId, sessionId, clock.instant());
            if (s != null) {
                OperatorAudit.record(c, sub, "session.end", playerId, sessionId, null);
                return s;
            }
            // Already ended (a repeat answers the session as it was ended), or not this player's session.
            Sessions.Session found = Sessions.read(c, sessionId);
            if (found == null || !found.playerId().equals(playerId) || found.endedAt() == null) {
                throw notFound(playerId, sessionId);
            }
            return found;
        }
    }

    static ApiException notFound(String playerId, String sessionId) {
        return new ApiException(404, "session_not_found", "player " + playerId + " has no session " + sessionId);
    }
}
