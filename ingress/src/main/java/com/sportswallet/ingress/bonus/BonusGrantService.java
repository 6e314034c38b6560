package com.sportswallet.ingress.bonus;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.ingress.service.ReadPool;
import com.sportswallet.money.BonusGrants;

import io.quarkus.narayana.jta.runtime.TransactionConfiguration;

/**
 * The operator's grants (issue 14). {@link #record} is ONE transaction: the record-time checks
 * (unknown player, wallet currency, the same player twice), the grant row (insert-if-absent on its
 * request_id, with the SHA-256 of its canonical body), then every accepted player PENDING with its
 * {@code bonus.grants} record in the outbox ({@link BonusGrants#recordPlayers}). The granting
 * consumer in the settlement-worker does the rest; nothing here calls the provider.
 */
@ApplicationScoped
public class BonusGrantService {
    /** The property that bounds a grant's recording transaction, in seconds (and each of its statements). */
    static final String RECORD_TIMEOUT_PROPERTY = "wallet.bonus-grants.record-timeout-seconds";

    @Inject
    DataSource dataSource;
    @Inject
    ReadPool reads;
    @Inject
    BonusClock clock;
    @ConfigProperty(name = RECORD_TIMEOUT_PROPERTY)
    int recordTimeoutSeconds;

    /** What a recorded (or replayed) grant answers. */
    public record Recorded(String requestId, int playersTotal) {
    }

    /**
     * Records the grant, or answers the one recorded before under its request_id when
     * {@code requestHash} is the same (a replay writes nothing); another body is 409.
     */
    @Transactional(rollbackOn = Exception.class)
    @TransactionConfiguration(timeoutFromConfigProperty = RECORD_TIMEOUT_PROPERTY)
    public Recorded record(GrantRequest r, byte[] requestHash, String sub) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            // A 100,000-player grant inserts 100,000 players and outbox rows in one statement: the
            // request path's statement timeout (DB_STATEMENT_TIMEOUT_MS) is for callbacks, not this.
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL statement_timeout = '" + Math.multiplyExact(recordTimeoutSeconds, 1000) + "ms'");
            }
            Set<String> distinct = new LinkedHashSet<>();
            r.entries().forEach(e -> distinct.add(e.playerId()));
            Map<String, String> currencies = BonusGrants.walletCurrencies(c, distinct);
            Set<String> excludedPlayers = BonusGrants.excluded(c, distinct, clock.instant());
            // The first entry of a player is judged; every later one is a duplicate.
            int unknown = 0;
            int currency = 0;
            int excluded = 0;
            int duplicate = 0;
            Set<String> seen = new HashSet<>();
            List<BonusGrants.Entry> accepted = new ArrayList<>();
            for (BonusGrants.Entry e : r.entries()) {
                if (!seen.add(e.playerId())) {
                    duplicate++;
                } else if (!currencies.containsKey(e.playerId())) {
                    unknown++;
                } else if (!currencies.get(e.playerId()).equals(r.currency())) {
                    currency++;
                } else if (excludedPlayers.contains(e.playerId())) {
                    excluded++;
                } else {
                    accepted.add(e);
                }
            }
            int total = r.entries().size();
            boolean inserted = BonusGrants.insertGrant(c, new BonusGrants.Grant(r.requestId(), requestHash, r.bonusType(), r.currency(),
                    r.expiresAt(), total, unknown, currency, excluded, duplicate));
            if (!inserted) {
                BonusGrants.Status earlier = BonusGrants.status(c, r.requestId());
                if (earlier == null || !Arrays.equals(earlier.requestHash(), requestHash)) {
                    throw new ApiException(409, "request_conflict", "bonus grant " + r.requestId() + " was recorded with another body");
                }
                return new Recorded(r.requestId(), earlier.playersTotal());
            }
            if (!accepted.isEmpty()) {
                BonusGrants.recordPlayers(c, r.requestId(), r.bonusType(), r.currency(), accepted, Instant.now());
            }
            OperatorAudit.record(c, sub, "bonus.grant", null, r.requestId(), null);
            return new Recorded(r.requestId(), total);
        }
    }

    /** The grant's progress, or null when no operator grant has that request_id (the reads pool). */
    public BonusGrants.Status status(String requestId) throws SQLException {
        try (Connection c = reads.connection()) {
            return BonusGrants.status(c, requestId);
        }
    }

    /** The player's bonuses, newest first (empty for a player without any); null for an unknown player (the reads pool). */
    public List<BonusGrants.Bonus> bonusesOf(String playerId, int limitMax) throws SQLException {
        try (Connection c = reads.connection()) {
            if (BonusGrants.walletCurrencies(c, List.of(playerId)).isEmpty()) {
                return null;
            }
            return BonusGrants.ofPlayer(c, playerId, limitMax);
        }
    }
}
