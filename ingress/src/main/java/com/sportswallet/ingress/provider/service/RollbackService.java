package com.sportswallet.ingress.provider.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.event.Alert;
import com.sportswallet.contracts.event.BetRolledBack;
import com.sportswallet.contracts.event.BonusBet;
import com.sportswallet.contracts.event.WalletFact;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.provider.Payload;
import com.sportswallet.ingress.provider.ProtocolException;
import com.sportswallet.ingress.provider.budget.CallbackBudget;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.ingress.service.MoneySettings;
import com.sportswallet.money.Bonuses;
import com.sportswallet.money.Limits;
import com.sportswallet.money.CreditBatch;
import com.sportswallet.money.Ledger;
import com.sportswallet.money.PendingCredit;
import com.sportswallet.money.Reversal;
import com.sportswallet.money.WalletEvents;

/**
 * bet/rollback: reverses the bet's latest settlement, once. In one transaction:
 * <ul>
 * <li>the bet goes back to OPEN only if {@code parent_transaction_id} is its latest settlement
 * and the bet is settled (a conditional update: two rollbacks cannot both reverse it);</li>
 * <li>that settlement's credit, if still PENDING, is CANCELLED (no settled money moves; it leaves
 * the wallet's pending); if the worker already APPLIED it, the wallet's pending credits are applied
 * first and the amount is debited now ({@link Reversal}: a shortfall stays below zero or is absorbed
 * by the write-off account, as ROLLBACK_SHORTFALL says, alerted). The credit row's lock decides
 * which of the worker's flip and this cancel happens, exactly once;</li>
 * <li>a parent that is unknown is tombstoned, so a settlement with that id arriving later is refused;
 * an older or already reversed parent changes nothing. Both answer success, write no event and
 * leave {@code player_seq} alone;</li>
 * <li>a {@code bet_transaction_id} that names no bet, or a discard tombstone, is 2003: every field
 * of a rollback's answer names the bet's player, currency and balance.</li>
 * </ul>
 * A reversal writes {@code wallet.bet.rolled-back} with the player's next {@code player_seq} (k+1),
 * and, when the debit of an applied credit leaves the balance below zero or was partly absorbed,
 * the {@code wallet.alert} after it (k+2): the wallet statement (the debit, or a bare advance when no money moves) takes
 * both values under the row lock, and the events are appended after it.
 * Lock order: bet, settlement, credits (id order), wallet, write-off account last (the worker locks
 * credits then wallets too).
 */
@ApplicationScoped
public class RollbackService {
    public static final String ENDPOINT = "bet/rollback";

    private static final String REOPEN_SQL = "UPDATE bet SET state = 'OPEN', updated_at = now() WHERE id = ? AND latest_settlement_id = ?"
            + " AND state IN ('WON', 'CASHED_OUT', 'LOST', 'REFUNDED') RETURNING player_id, wallet_id, currency, stake, bonus_id, bonus_type, bonus_stake";
    // rolled_back_by / rollback_tx_id: the rollback found by its operator id (issue 17's transaction lookup).
    private static final String REVERSE_SQL = "UPDATE settlement SET state = 'ROLLED_BACK', rolled_back_by = ?, rollback_tx_id = ?"
            + " WHERE id = ? AND state = 'ACTIVE'"
            + " RETURNING kind, amount, created_at, usage_day, usage_wager, usage_loss";
    private static final String BET_SQL = "SELECT player_id, wallet_id, currency FROM bet WHERE id = ?";
    private static final String TOMBSTONE_SQL = "INSERT INTO settlement (id, bet_id, kind, state) VALUES (?, ?, 'TOMBSTONE', 'TOMBSTONE')"
            + " ON CONFLICT DO NOTHING";

    /** wallet.alert reasons: the balance ended below zero; or the write-off account took a shortfall and the balance did not. */
    static final String NEGATIVE_BALANCE = "negative_balance";
    static final String ABSORBED_SHORTFALL = "absorbed_shortfall";
    /** wallet.alert reason: the reopened bet's bonus, released by the reversed refund, was used, revoked or expired since. */
    static final String BONUS_REBIND_FAILED = "bonus_rebind_failed";

    @Inject
    DataSource dataSource;
    @Inject
    CallbackBudget budget;
    @Inject
    MoneySettings money;
    @Inject
    BonusClock clock;

    @Transactional(rollbackOn = Exception.class)
    public Answer rollback(ObjectNode payload) throws SQLException {
        ObjectNode tx = Payload.object(payload, "transaction");
        String transactionId = Payload.text(tx, "id");
        String betId = Payload.text(payload, "bet_transaction_id");
        String parentId = Payload.text(payload, "parent_transaction_id");
        String rollbackId = Callbacks.operatorId(ENDPOINT, transactionId);

        try (Connection c = dataSource.getConnection(); CallbackBudget.Guard budgetGuard = budget.guard(c)) {
            Answer replay = Callbacks.claim(c, ENDPOINT, transactionId, payload);
            if (replay != null) {
                return replay;
            }
            String playerId;
            Long walletId;
            String currency;
            long stake;
            BetBonus bonus = null;
            boolean reopened;
            long reversedAmount = 0;
            Long balance;
            Long playerSeq;
            // Two rounds at most: a settlement of parentId committed after the reopen looked (its insert
            // held our tombstone's insert until it committed) makes the tombstone insert nothing; the
            // reopen then sees it, and reverses it (the settlement came first: serial order).
            for (int round = 0;; round++) {
                try (PreparedStatement ps = c.prepareStatement(REOPEN_SQL)) {
                    ps.setString(1, betId);
                    ps.setString(2, parentId);
                    try (ResultSet rs = ps.executeQuery()) {
                        reopened = rs.next();
                        playerId = reopened ? rs.getString(1) : null;
                        walletId = reopened ? rs.getLong(2) : null;
                        currency = reopened ? rs.getString(3) : null;
                        stake = reopened ? rs.getLong(4) : 0;
                        bonus = reopened && rs.getString(6) != null ? new BetBonus(rs.getString(5), rs.getString(6), rs.getLong(7)) : null;
                    }
                }
                if (reopened) {
                    Reversed reversed = reverse(c, parentId, rollbackId, transactionId, betId, playerId, walletId, currency, stake, bonus);
                    // What the settlement booked to the limit usage, taken back in its own period, after the wallet row. (After
                    // the write-off account too, when a shortfall was absorbed: usage rows are only ever locked by a
                    // transaction that holds their player's wallet row, which this one does, so no order among the two
                    // can deadlock.)
                    Limits.bookUnchecked(c, playerId, reversed.usageDay(), reversed.usage().reversed(), clock.instant());
                    reversedAmount = reversed.amount();
                    balance = reversed.available();
                    playerSeq = reversed.playerSeq();
                    break;
                }
                try (PreparedStatement ps = c.prepareStatement(BET_SQL)) {
                    ps.setString(1, betId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new ProtocolException(ProtocolException.PARENT_NOT_FOUND, "bet " + betId + " not found");
                        }
                        playerId = rs.getString(1);
                        if (playerId == null) {
                            // A discard tombstone (the only bet without a player): no bet to roll back, nothing tombstoned.
                            throw new ProtocolException(ProtocolException.PARENT_NOT_FOUND, "bet " + betId
                                    + " not found (its make was discarded before it came)");
                        }
                        walletId = rs.getObject(2) == null ? null : rs.getLong(2);
                        currency = rs.getString(3);
                    }
                }
                // Unknown parent: tombstone it. Known (older or already reversed): nothing changes.
                int tombstoned;
                try (PreparedStatement ps = c.prepareStatement(TOMBSTONE_SQL)) {
                    ps.setString(1, parentId);
                    ps.setString(2, betId);
                    tombstoned = ps.executeUpdate();
                }
                if (tombstoned == 0 && round == 0) {
                    continue;
                }
                Callbacks.Available wallet = walletId == null ? null : Callbacks.available(c, walletId);
                balance = wallet == null ? null : wallet.balance();
                playerSeq = wallet == null ? null : wallet.playerSeq();
                break;
            }
            return Callbacks.answer(c, ENDPOINT, transactionId,
                    Callbacks.moneyBody(rollbackId, transactionId, betId, playerId, "rollback", reversedAmount, currency, balance), playerSeq);
        }
    }

    /** What a reversal did: the settlement's amount, and the wallet's available balance and player_seq after it. */
    private record Reversed(long amount, long available, long playerSeq, LocalDate usageDay, Limits.Booking usage) {
    }

    /** A reopened bet's bonus (id null for a global_comboboost, which has no granted bonus). */
    private record BetBonus(String id, String type, long stake) {
    }

    /** Reverses settlement {@code parentId} of a bet just reopened. */
    private Reversed reverse(Connection c, String parentId, String rollbackId, String transactionId, String betId,
            String playerId, long walletId, String currency, long stake, BetBonus bonus) throws SQLException {
        String kind;
        long amount;
        Instant reversedAt;
        LocalDate usageDay;
        Limits.Booking usage;
        try (PreparedStatement ps = c.prepareStatement(REVERSE_SQL)) {
            ps.setString(1, rollbackId);
            ps.setString(2, transactionId);
            ps.setString(3, parentId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // The bet named it as its latest settlement, so it exists and is ACTIVE: the bet row lock serialises this.
                    throw new IllegalStateException("settlement " + parentId + " of bet " + betId + " is not active");
                }
                kind = rs.getString(1);
                amount = rs.getLong(2);
                // The settlement's decision instant: its event's occurred_at (the settlement writes both alike).
                reversedAt = rs.getObject(3, OffsetDateTime.class).toInstant();
                usageDay = rs.getObject(4, LocalDate.class);
                usage = new Limits.Booking(rs.getLong(5), rs.getLong(6), 0);
            }
        }
        Instant now = Instant.now();
        // The bet's bonus goes back to USED by it (after the settlement, before the credits and the wallet: the lock order).
        boolean rebindFailed = bonus != null && bonus.id() != null && !Bonuses.reopen(c, bonus.id(), betId, clock.instant());
        Rolled rolled = new Rolled(playerId, currency, amount, now, stake, betId, rollbackId, transactionId, reversedOperation(kind), parentId,
                reversedAt, bonus, bonus == null || bonus.id() == null ? null : rebindFailed ? null : "USED", rebindFailed);
        boolean cancelled = false;
        if (amount > 0) {
            // The reversed credit and the wallet's pending credits, locked in one statement in credit-id order.
            Reversal.Locked locked = Reversal.lockCredits(c, parentId, walletId, money.creditFlipMax());
            cancelled = "PENDING".equals(locked.reversedStatus()) && PendingCredit.cancel(c, parentId);
            if (!cancelled) {
                return reverseApplied(c, locked, rolled, walletId, usageDay, usage);
            }
        }
        // Cancelled while still pending (it leaves pending), or nothing to take back: no settled money
        // moves, the event (and a failed rebind's alert) still takes its place.
        int alerts = rebindFailed ? 1 : 0;
        WalletEvents.Advanced wallet = WalletEvents.advance(c, walletId, cancelled ? -amount : 0, 1 + alerts);
        WalletEvents.append(c, rolled.event(amount > 0 ? Boolean.TRUE : null, 0), rollbackId,
                Position.of(wallet.playerSeq() - alerts, wallet.available()), now);
        if (rebindFailed) {
            WalletEvents.append(c, rolled.rebindAlert(), rollbackId + ":bonus", Position.of(wallet.playerSeq(), wallet.available()), now);
        }
        return new Reversed(amount, wallet.available(), wallet.playerSeq(), usageDay, usage);
    }

    /** What a rollback's event says, known before it is known whether the credit was cancelled or debited. */
    private record Rolled(String playerId, String currency, long amount, Instant now, long stake, String betId, String rollbackId,
            String transactionId, String reversedOperation, String parentId, Instant reversedAt, BetBonus bonus, String bonusStatus,
            boolean rebindFailed) {
        WalletFact event(Boolean creditCancelled, long absorbed) {
            BetRolledBack rolled = BetRolledBack.of(playerId, currency, amount, now, stake, betId, rollbackId, transactionId, reversedOperation,
                    parentId, reversedAt, creditCancelled, absorbed);
            return bonus == null ? rolled : BonusBet.of(rolled, bonus.id(), bonus.type(), bonus.stake(), bonusStatus);
        }

        /** The bonus the reversed refund released could not be bound again: the bet is open with an unbacked bonus_stake. */
        Alert rebindAlert() {
            return Alert.of(playerId, currency, 0, now, BONUS_REBIND_FAILED, 0, betId, rollbackId, transactionId);
        }
    }

    /**
     * The worker applied the reversed credit first: the wallet's locked pending credits are applied
     * (their credit.applied events first), then the reversal is debited, a shortfall meeting
     * ROLLBACK_SHORTFALL ({@link Reversal}). The rolled-back event, then its alert when the balance
     * ends below zero or the write-off took a part.
     */
    private Reversed reverseApplied(Connection c, Reversal.Locked locked, Rolled r, long walletId, LocalDate usageDay, Limits.Booking usage)
            throws SQLException {
        CreditBatch.applyLocked(c, locked.otherPending());
        Reversal.Debited debited = Reversal.debit(c, walletId, r.currency(), r.amount(), money.rollbackShortfall(),
                ENDPOINT + ":" + r.transactionId());
        Ledger.Moved moved = debited.wallet();
        WalletEvents.append(c, r.event(Boolean.FALSE, debited.absorbed()), r.rollbackId(),
                Position.moved(debited.rolledBackSeq(), moved.balanceAfter(), moved.version(), moved.available()), r.now());
        if (debited.alert()) {
            WalletEvents.append(c, Alert.of(r.playerId(), r.currency(), -r.amount(), r.now(),
                    moved.balanceAfter() < 0 ? NEGATIVE_BALANCE : ABSORBED_SHORTFALL, debited.absorbed(), r.betId(), r.rollbackId(),
                    r.transactionId()), r.rollbackId(), Position.settled(moved.playerSeq(), moved.balanceAfter(), moved.version()), r.now());
        }
        if (r.rebindFailed()) {
            // The wallet row is this transaction's already: one more player_seq for the alert.
            WalletEvents.Advanced wallet = WalletEvents.advance(c, walletId, 0);
            WalletEvents.append(c, r.rebindAlert(), r.rollbackId() + ":bonus", Position.of(wallet.playerSeq(), wallet.available()), r.now());
            return new Reversed(r.amount(), wallet.available(), wallet.playerSeq(), usageDay, usage);
        }
        return new Reversed(r.amount(), moved.available(), moved.playerSeq(), usageDay, usage);
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
