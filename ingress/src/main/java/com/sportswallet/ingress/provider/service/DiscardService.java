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
import com.sportswallet.money.WalletEvents;

/**
 * bet/discard: the provider takes back a make. An OPEN bet becomes DISCARDED and its stake is
 * recorded as a PENDING credit (applied by the worker); an unknown make becomes a tombstone
 * (a DISCARDED bet with no player or stake, and no event) so that the make, arriving late, is
 * refused; a settled or already discarded bet is left as it is. All answer {}.
 *
 * <p>A make racing its discard: the discard's update does not see the uncommitted bet, its
 * tombstone insert then waits on the bet's unique key; when the make commits the insert does
 * nothing and the discard, re-reading, finds the bet OPEN and discards it. So at most two rounds.
 */
@ApplicationScoped
public class DiscardService {
    public static final String ENDPOINT = "bet/discard";
    private static final int ROUNDS_MAX = 2;

    private static final String DISCARD_SQL = "UPDATE bet SET state = 'DISCARDED', updated_at = now() WHERE id = ? AND state = 'OPEN'"
            + " AND (?::text IS NULL OR player_id = ?) RETURNING player_id, wallet_id, currency, stake";
    private static final String TOMBSTONE_SQL = "INSERT INTO bet (id, provider_tx_id, state) VALUES (?, ?, 'DISCARDED') ON CONFLICT DO NOTHING";
    private static final String STATE_SQL = "SELECT state, player_id FROM bet WHERE id = ?";
    private static final String CREDIT_SQL = "INSERT INTO credit (id, wallet_id, player_id, bet_id, kind, amount) VALUES (?, ?, ?, ?, 'DISCARD', ?)";

    @Inject
    DataSource dataSource;

    @Transactional(rollbackOn = Exception.class)
    public Answer discard(ObjectNode payload) throws SQLException {
        String makeTransactionId = Payload.text(payload, "transaction_id");
        String extPlayerId = Payload.optionalText(payload, "ext_player_id");
        String betId = Callbacks.operatorId(BetMakeService.ENDPOINT, makeTransactionId);
        String discardId = Callbacks.operatorId(ENDPOINT, makeTransactionId);

        try (Connection c = dataSource.getConnection()) {
            Answer replay = Callbacks.claim(c, ENDPOINT, makeTransactionId, payload);
            if (replay != null) {
                return replay;
            }
            for (int round = 0; round < ROUNDS_MAX; round++) {
                if (discardOpen(c, betId, discardId, makeTransactionId, extPlayerId)) {
                    return Callbacks.answer(c, ENDPOINT, makeTransactionId, "{}");
                }
                try (PreparedStatement ps = c.prepareStatement(TOMBSTONE_SQL)) {
                    ps.setString(1, betId);
                    ps.setString(2, makeTransactionId);
                    if (ps.executeUpdate() == 1) {
                        return Callbacks.answer(c, ENDPOINT, makeTransactionId, "{}");
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(STATE_SQL)) {
                    ps.setString(1, betId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalStateException("bet " + betId + " conflicted but is not there");
                        }
                        String owner = rs.getString(2);
                        if (extPlayerId != null && owner != null && !owner.equals(extPlayerId)) {
                            throw ProtocolException.badRequest("ext_player_id " + extPlayerId + " is not the player of this bet");
                        }
                        if (!"OPEN".equals(rs.getString(1))) {
                            // Settled or already discarded: success, unchanged.
                            return Callbacks.answer(c, ENDPOINT, makeTransactionId, "{}");
                        }
                    }
                }
                // The make committed between our update and our insert: go round once more.
            }
            throw new IllegalStateException("discard of " + makeTransactionId + " did not settle in " + ROUNDS_MAX + " rounds");
        }
    }

    /**
     * Discards the bet if it is OPEN (and the player agrees): the stake becomes a pending credit.
     * Then the wallet row (last, after the bet and the credit) advances player_seq for the
     * discarded event; the command carries that value too.
     */
    private static boolean discardOpen(Connection c, String betId, String discardId, String makeTransactionId, String extPlayerId)
            throws SQLException {
        String playerId;
        long walletId;
        String currency;
        long stake;
        try (PreparedStatement ps = c.prepareStatement(DISCARD_SQL)) {
            ps.setString(1, betId);
            ps.setString(2, extPlayerId);
            ps.setString(3, extPlayerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                playerId = rs.getString(1);
                walletId = rs.getLong(2);
                currency = rs.getString(3);
                stake = rs.getLong(4);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(CREDIT_SQL)) {
            ps.setString(1, discardId);
            ps.setLong(2, walletId);
            ps.setString(3, playerId);
            ps.setString(4, betId);
            ps.setLong(5, stake);
            ps.executeUpdate();
        }
        long playerSeq = WalletEvents.advancePlayerSeq(c, walletId).playerSeq();
        Instant now = Instant.now();
        WalletEvents.appendCreditCommand(c, discardId, walletId, playerId, betId, "DISCARD", stake, currency, playerSeq, now);
        ObjectNode data = WalletEvents.withPlayerSeq(WalletEvents.data(playerId, currency, stake, now), playerSeq)
                .put("stake", stake)
                .put("bet_id", betId)
                .put("transaction_id", discardId)
                .put("provider_transaction_id", makeTransactionId);
        WalletEvents.append(c, EventTypes.BET_DISCARDED, discardId, playerId, data, now);
        return true;
    }
}
