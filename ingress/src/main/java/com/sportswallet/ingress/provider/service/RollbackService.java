package com.sportswallet.ingress.provider.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.provider.Payload;
import com.sportswallet.ingress.provider.ProtocolException;
import com.sportswallet.ingress.service.Ledger;
import com.sportswallet.ingress.service.WalletEvents;

/**
 * bet/rollback: reverses the bet's latest settlement, once. In one transaction:
 * <ul>
 * <li>the bet goes back to OPEN only if {@code parent_transaction_id} is its latest settlement
 * and the bet is settled (a conditional update: two rollbacks cannot both reverse it);</li>
 * <li>that settlement's credit, if still PENDING, is CANCELLED (no money moves); if the worker
 * already APPLIED it, the amount is debited now, unconditionally (the balance may go negative:
 * then a {@code wallet.alert} is emitted). The credit row's lock decides which of the worker's
 * flip and this cancel happens, exactly once;</li>
 * <li>a parent that is unknown is tombstoned, so a settlement with that id arriving later is refused;
 * an older or already reversed parent changes nothing. Both answer success.</li>
 * </ul>
 * Lock order: bet, settlement, credit, wallet last (the worker locks credit then wallet too).
 */
@ApplicationScoped
public class RollbackService {
    public static final String ENDPOINT = "bet/rollback";

    private static final String REOPEN_SQL = "UPDATE bet SET state = 'OPEN', updated_at = now() WHERE id = ? AND latest_settlement_id = ?"
            + " AND state IN ('WON', 'CASHED_OUT', 'LOST', 'REFUNDED') RETURNING player_id, wallet_id, currency";
    private static final String REVERSE_SQL = "UPDATE settlement SET state = 'ROLLED_BACK' WHERE id = ? AND state = 'ACTIVE' RETURNING kind, amount";
    private static final String CANCEL_SQL = "UPDATE credit SET status = 'CANCELLED', decided_at = now() WHERE id = ? AND status = 'PENDING'";
    private static final String BET_SQL = "SELECT player_id, wallet_id, currency FROM bet WHERE id = ?";
    private static final String TOMBSTONE_SQL = "INSERT INTO settlement (id, bet_id, kind, state) VALUES (?, ?, 'TOMBSTONE', 'TOMBSTONE')"
            + " ON CONFLICT DO NOTHING";

    @Inject
    DataSource dataSource;

    @Transactional(rollbackOn = Exception.class)
    public Answer rollback(ObjectNode payload) throws SQLException {
        ObjectNode tx = Payload.object(payload, "transaction");
        String transactionId = Payload.text(tx, "id");
        String betId = Payload.text(payload, "bet_transaction_id");
        String parentId = Payload.text(payload, "parent_transaction_id");
        String rollbackId = Callbacks.operatorId(ENDPOINT, transactionId);

        try (Connection c = dataSource.getConnection()) {
            Answer replay = Callbacks.claim(c, ENDPOINT, transactionId, payload);
            if (replay != null) {
                return replay;
            }
            String playerId;
            Long walletId;
            String currency;
            boolean reopened;
            try (PreparedStatement ps = c.prepareStatement(REOPEN_SQL)) {
                ps.setString(1, betId);
                ps.setString(2, parentId);
                try (ResultSet rs = ps.executeQuery()) {
                    reopened = rs.next();
                    playerId = reopened ? rs.getString(1) : null;
                    walletId = reopened ? rs.getLong(2) : null;
                    currency = reopened ? rs.getString(3) : null;
                }
            }
            long reversedAmount = 0;
            Long balance;
            if (reopened) {
                reversedAmount = reverse(c, parentId, rollbackId, transactionId, betId, playerId, walletId, currency);
                balance = Callbacks.balance(c, walletId);
            } else {
                try (PreparedStatement ps = c.prepareStatement(BET_SQL)) {
                    ps.setString(1, betId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new ProtocolException(ProtocolException.PARENT_NOT_FOUND, "bet " + betId + " not found");
                        }
                        playerId = rs.getString(1);
                        walletId = rs.getObject(2) == null ? null : rs.getLong(2);
                        currency = rs.getString(3);
                    }
                }
                // Unknown parent: tombstone it. Known (older or already reversed): nothing changes.
                try (PreparedStatement ps = c.prepareStatement(TOMBSTONE_SQL)) {
                    ps.setString(1, parentId);
                    ps.setString(2, betId);
                    ps.executeUpdate();
                }
                balance = walletId == null ? null : Callbacks.balance(c, walletId);
            }
            return Callbacks.answer(c, ENDPOINT, transactionId,
                    Callbacks.moneyBody(rollbackId, transactionId, betId, playerId, "rollback", reversedAmount, currency, balance));
        }
    }

    /** Reverses settlement {@code parentId} of a bet just reopened; returns its amount. */
    private static long reverse(Connection c, String parentId, String rollbackId, String transactionId, String betId,
            String playerId, long walletId, String currency) throws SQLException {
        String kind;
        long amount;
        try (PreparedStatement ps = c.prepareStatement(REVERSE_SQL)) {
            ps.setString(1, parentId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // The bet named it as its latest settlement, so it exists and is ACTIVE: the bet row lock serialises this.
                    throw new IllegalStateException("settlement " + parentId + " of bet " + betId + " is not active");
                }
                kind = rs.getString(1);
                amount = rs.getLong(2);
            }
        }
        Instant now = Instant.now();
        ObjectNode data = WalletEvents.data(playerId, currency, -amount, now)
                .put("bet_id", betId)
                .put("transaction_id", rollbackId)
                .put("provider_transaction_id", transactionId)
                .put("reversed_operation", reversedOperation(kind))
                .put("reversed_transaction_id", parentId);
        if (amount > 0) {
            boolean cancelled;
            try (PreparedStatement ps = c.prepareStatement(CANCEL_SQL)) {
                ps.setString(1, parentId);
                cancelled = ps.executeUpdate() == 1;
            }
            data.put("credit_cancelled", cancelled);
            if (!cancelled) {
                // The worker applied the credit first: take the money back now, even below zero.
                Ledger.Moved moved = Ledger.apply(c, walletId, -amount, "rollback", ENDPOINT + ":" + transactionId);
                WalletEvents.withBalance(data, moved);
                if (moved.balanceAfter() < 0) {
                    ObjectNode alert = WalletEvents.withBalance(WalletEvents.data(playerId, currency, -amount, now), moved)
                            .put("reason", "negative_balance")
                            .put("bet_id", betId)
                            .put("transaction_id", rollbackId)
                            .put("provider_transaction_id", transactionId);
                    WalletEvents.append(c, EventTypes.ALERT, rollbackId, playerId, alert, now);
                }
            }
        }
        WalletEvents.append(c, EventTypes.BET_ROLLED_BACK, rollbackId, playerId, data, now);
        return amount;
    }

    private static String reversedOperation(String settlementKind) {
        return switch (settlementKind) {
            case "WON" -> "win";
            case "CASHED_OUT" -> "cashout";
            case "LOST" -> "lost";
            case "REFUNDED" -> "refund";
            default -> throw new IllegalStateException("not a settlement: " + settlementKind);
        };
    }
}
