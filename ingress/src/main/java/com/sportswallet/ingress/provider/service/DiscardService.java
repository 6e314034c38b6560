package com.sportswallet.ingress.provider.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.event.BetDiscarded;
import com.sportswallet.contracts.event.BonusBet;
import com.sportswallet.contracts.event.BonusChanged;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.idempotency.IdempotencyStore;
import com.sportswallet.ingress.provider.Payload;
import com.sportswallet.ingress.provider.ProtocolException;
import com.sportswallet.ingress.provider.budget.CallbackBudget;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.money.Bonuses;
import com.sportswallet.money.Limits;
import com.sportswallet.money.PendingCredit;
import com.sportswallet.money.WalletEvents;

/**
 * bet/discard: the provider takes back a make. An OPEN bet becomes DISCARDED and its stake is
 * recorded as a PENDING credit (applied by the worker); an unknown make becomes a tombstone
 * (a DISCARDED bet with no player or stake, and no event) so that the make, arriving late, is
 * refused; a settled or already discarded bet is left as it is, and that answer is not stored.
 * The answer is {"balance": available} when the player is known, {} for a tombstone.
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
            + " AND (?::text IS NULL OR player_id = ?) RETURNING player_id, wallet_id, currency, stake, bonus_id, bonus_type, bonus_stake, usage_day";
    private static final String TOMBSTONE_SQL = "INSERT INTO bet (id, provider_tx_id, state) VALUES (?, ?, 'DISCARDED') ON CONFLICT DO NOTHING";
    private static final String STATE_SQL = "SELECT b.state, b.player_id, w.balance + w.pending FROM bet b"
            + " LEFT JOIN wallet w ON w.id = b.wallet_id WHERE b.id = ?";

    @Inject
    DataSource dataSource;
    @Inject
    CallbackBudget budget;
    @Inject
    BonusClock clock;

    @Transactional(rollbackOn = Exception.class)
    public Answer discard(ObjectNode payload) throws SQLException {
        String makeTransactionId = Payload.text(payload, "transaction_id");
        String extPlayerId = Payload.optionalText(payload, "ext_player_id");
        String betId = Callbacks.operatorId(BetMakeService.ENDPOINT, makeTransactionId);
        String discardId = Callbacks.operatorId(ENDPOINT, makeTransactionId);

        try (Connection c = dataSource.getConnection(); CallbackBudget.Guard budgetGuard = budget.guard(c)) {
            Answer replay = Callbacks.claim(c, ENDPOINT, makeTransactionId, payload);
            if (replay != null) {
                return replay;
            }
            for (int round = 0; round < ROUNDS_MAX; round++) {
                WalletEvents.Advanced discarded = discardOpen(c, betId, discardId, makeTransactionId, extPlayerId);
                if (discarded != null) {
                    return Callbacks.answer(c, ENDPOINT, makeTransactionId, balanceBody(discarded.available()), discarded.playerSeq());
                }
                try (PreparedStatement ps = c.prepareStatement(TOMBSTONE_SQL)) {
                    ps.setString(1, betId);
                    ps.setString(2, makeTransactionId);
                    if (ps.executeUpdate() == 1) {
                        return Callbacks.answer(c, ENDPOINT, makeTransactionId, "{}", null);
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
                            // Settled or already discarded: success, unchanged, and not stored (PROTOCOL.md), so
                            // the same discard after a rollback reopened the bet takes effect.
                            IdempotencyStore.release(c, ENDPOINT, makeTransactionId);
                            return new Answer(200, owner == null ? "{}" : balanceBody(rs.getLong(3)));
                        }
                    }
                }
                // The make committed between our update and our insert: go round once more.
            }
            throw new IllegalStateException("discard of " + makeTransactionId + " did not settle in " + ROUNDS_MAX + " rounds");
        }
    }

    /** The discard's answer when the player is known: {"balance": available}. */
    private static String balanceBody(long available) {
        return CloudEventJson.mapper().createObjectNode().put("balance", available).toString();
    }

    /**
     * Discards the bet if it is OPEN (and the player agrees): the stake becomes a pending credit.
     * Then the wallet row (last, after the bet and the credit) takes the stake into pending and
     * advances player_seq for the discarded event; the command carries that value too.
     *
     * @return the wallet after the discard (available balance, player_seq), or null when the bet was not OPEN
     */
    private WalletEvents.Advanced discardOpen(Connection c, String betId, String discardId, String makeTransactionId, String extPlayerId)
            throws SQLException {
        String playerId;
        long walletId;
        String currency;
        long stake;
        String bonusId;
        String bonusType;
        long bonusStake;
        LocalDate usageDay;
        try (PreparedStatement ps = c.prepareStatement(DISCARD_SQL)) {
            ps.setString(1, betId);
            ps.setString(2, extPlayerId);
            ps.setString(3, extPlayerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                playerId = rs.getString(1);
                walletId = rs.getLong(2);
                currency = rs.getString(3);
                stake = rs.getLong(4);
                bonusId = rs.getString(5);
                bonusType = rs.getString(6);
                bonusStake = rs.getLong(7);
                usageDay = rs.getObject(8, LocalDate.class);
            }
        }
        // A bonus bet's bonus is released (before the credit and the wallet: the lock order); a freebet has no cash stake to return.
        Bonuses.Settled bonus = bonusId == null ? null : Bonuses.settle(c, bonusId, betId, true, clock.instant());
        int bonusEvents = bonus == null ? 0 : 1;
        if (stake > 0) {
            PendingCredit.insert(c, discardId, walletId, playerId, betId, PendingCredit.DISCARD, stake);
        }
        WalletEvents.Advanced wallet = WalletEvents.advance(c, walletId, stake, 1 + bonusEvents);
        long playerSeq = wallet.playerSeq() - bonusEvents;
        // The make's usage taken back in the make's own period, after the wallet row (the lock order).
        Limits.bookUnchecked(c, playerId, usageDay, Limits.Booking.make(stake).reversed(), clock.instant());
        Instant now = Instant.now();
        if (stake > 0) {
            WalletEvents.appendCreditCommand(c, discardId, walletId, playerId, betId, PendingCredit.DISCARD, stake, currency, playerSeq, now);
        }
        WalletEvents.append(c, BonusBet.of(BetDiscarded.of(playerId, currency, stake, now, betId, discardId, makeTransactionId), bonusId,
                bonusType, bonusStake, bonus == null ? null : bonus.status()), discardId, Position.of(playerSeq, wallet.available()), now);
        if (bonus != null) {
            WalletEvents.append(c, BonusChanged.of(BonusChanged.typeFor(bonus.status()), playerId, currency, now, bonusId, bonusType,
                    bonus.amount(), bonusStake, bonus.status(), betId, discardId), discardId, Position.of(wallet.playerSeq(), wallet.available()),
                    now);
        }
        return wallet;
    }
}
