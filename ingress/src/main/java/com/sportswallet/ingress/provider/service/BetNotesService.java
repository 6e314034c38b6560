package com.sportswallet.ingress.provider.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.ingress.provider.Payload;
import com.sportswallet.ingress.provider.ProtocolException;
import com.sportswallet.ingress.provider.budget.CallbackBudget;

/**
 * The callbacks that move no money: bet/commit and bet/settlement are recorded on the bet (the
 * latest status wins; never refused for reuse), and balance is read. Each is answered afresh.
 * A discard tombstone (the make's id, discarded before the make came) is no bet: commit on it is
 * 2004, settlement 2003 (PROTOCOL.md).
 */
@ApplicationScoped
public class BetNotesService {
    static final Set<String> SETTLEMENT_STATUSES = Set.of("won", "lost", "canceled", "refund", "cashed out", "half-won", "half-lost");
    // A tombstone is the only bet row without a player (the bet table's CHECK).
    private static final String COMMIT_SQL = "UPDATE bet SET confirmed = true, updated_at = now() WHERE id = ? AND player_id IS NOT NULL";
    private static final String SETTLEMENT_SQL = "UPDATE bet SET provider_status = ?, updated_at = now()"
            + " WHERE id = ? AND player_id IS NOT NULL";
    private static final String TOMBSTONE_SQL = "SELECT 1 FROM bet WHERE id = ? AND player_id IS NULL";

    @Inject
    DataSource dataSource;
    @Inject
    CallbackBudget budget;

    @Transactional(rollbackOn = Exception.class)
    public String commit(ObjectNode payload) throws SQLException {
        String betId = Payload.text(payload, "bet_transaction_id");
        try (Connection c = dataSource.getConnection(); CallbackBudget.Guard budgetGuard = budget.guard(c)) {
            if (!record(c, betId, COMMIT_SQL, null)) {
                throw tombstone(c, betId)
                        ? ProtocolException.badRequest("bet " + betId + " was discarded before it was made: nothing to commit")
                        : new ProtocolException(ProtocolException.PARENT_NOT_FOUND, "bet " + betId + " not found");
            }
        }
        return "{}";
    }

    @Transactional(rollbackOn = Exception.class)
    public String settlement(ObjectNode payload) throws SQLException {
        String betId = Payload.text(payload, "bet_transaction_id");
        String status = Payload.text(payload, "status");
        if (!SETTLEMENT_STATUSES.contains(status)) {
            throw ProtocolException.badRequest("status must be one of " + SETTLEMENT_STATUSES);
        }
        try (Connection c = dataSource.getConnection(); CallbackBudget.Guard budgetGuard = budget.guard(c)) {
            if (!record(c, betId, SETTLEMENT_SQL, status)) {
                throw new ProtocolException(ProtocolException.PARENT_NOT_FOUND, "bet " + betId + " not found"
                        + (tombstone(c, betId) ? " (its make was discarded before it came)" : ""));
            }
        }
        return "{}";
    }

    /** Records the note on the bet; false when there is no bet of that id (unknown, or a discard tombstone). */
    private static boolean record(Connection c, String betId, String sql, String status) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (status != null) {
                ps.setString(i++, status);
            }
            ps.setString(i, betId);
            return ps.executeUpdate() == 1;
        }
    }

    private static boolean tombstone(Connection c, String betId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TOMBSTONE_SQL)) {
            ps.setString(1, betId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** {"player_id","currency","balance"}: the available balance (settled + pending, one row version). */
    public String balance(ObjectNode payload) throws SQLException {
        String playerId = Payload.text(payload, "player_id");
        String currency = Payload.optionalCurrency(payload, "currency");
        try (Connection c = dataSource.getConnection(); CallbackBudget.Guard budgetGuard = budget.guard(c);
                PreparedStatement ps = c.prepareStatement("SELECT currency, balance + pending FROM wallet WHERE player_id = ? AND kind = 'CASH'")) {
            ps.setString(1, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new ProtocolException(ProtocolException.PLAYER_NOT_FOUND, "player " + playerId + " not found");
                }
                if (currency != null && !currency.equals(rs.getString(1))) {
                    throw new ProtocolException(ProtocolException.INVALID_CURRENCY, "currency " + currency + " is not the player's wallet currency");
                }
                return CloudEventJson.mapper().createObjectNode()
                        .put("player_id", playerId)
                        .put("currency", rs.getString(1))
                        .put("balance", rs.getLong(2))
                        .toString();
            }
        }
    }
}
