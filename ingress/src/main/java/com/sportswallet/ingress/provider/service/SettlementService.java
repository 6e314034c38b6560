package com.sportswallet.ingress.provider.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.event.BetSettled;
import com.sportswallet.contracts.event.BonusBet;
import com.sportswallet.contracts.event.BonusChanged;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.provider.Payload;
import com.sportswallet.ingress.provider.ProtocolException;
import com.sportswallet.ingress.provider.budget.CallbackBudget;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.ingress.service.LimitSettings;
import com.sportswallet.money.Bonuses;
import com.sportswallet.money.Limits;
import com.sportswallet.money.PendingCredit;
import com.sportswallet.money.WalletEvents;

/**
 * bet/win, bet/lost, bet/refund: the bet's transition OPEN -> WON / CASHED_OUT / LOST / REFUNDED
 * as ONE conditional update (two racing settlements cannot both pass), the settlement record
 * (whose primary key refuses an id a rollback tombstoned), and for a win or refund a PENDING
 * credit plus its command for the settlement-worker. No settled money moves here; the credit joins
 * the wallet's {@code pending} and the decision's {@code wallet.events} record takes the player's
 * next {@code player_seq}, both in one statement under the wallet row lock, after the bet,
 * settlement and credit rows (the lock order); that statement also returns the available balance
 * (settled + pending, this win included) the answer carries. The command and the event
 * are appended after it. One transaction, one commit.
 */
@ApplicationScoped
public class SettlementService {

    /** The three settlement callbacks. */
    public enum Kind {
        WIN("bet/win", "win", PendingCredit.WIN, EventTypes.BET_WON),
        LOST("bet/lost", "lost", null, EventTypes.BET_LOST),
        REFUND("bet/refund", "refund", PendingCredit.REFUND, EventTypes.BET_REFUNDED);

        public final String endpoint;
        final String operation;
        final String creditKind;
        final String eventType;

        Kind(String endpoint, String operation, String creditKind, String eventType) {
            this.endpoint = endpoint;
            this.operation = operation;
            this.creditKind = creditKind;
            this.eventType = eventType;
        }
    }

    // The stake condition only binds for refunds (a refund may not exceed the stake); else it is stake >= 0.
    private static final String TRANSITION_SQL = "UPDATE bet SET state = ?, latest_settlement_id = ?, updated_at = now()"
            + " WHERE id = ? AND state = 'OPEN' AND currency = ? AND stake + bonus_stake >= ?"
            + " RETURNING player_id, wallet_id, stake, bonus_id, bonus_type, bonus_stake";
    private static final String DIAGNOSE_SQL = "SELECT state, currency, stake + bonus_stake FROM bet WHERE id = ?";
    // created_at is the decision's instant, equal to its event's occurred_at: a rollback names it exactly.
    // It records what it books to the limit usage of its local day (issue 15), which a rollback takes back.
    // provider_tx_id lets the operator API's transaction lookup go from the id answered to the stored answer (issue 17).
    private static final String SETTLEMENT_SQL = "INSERT INTO settlement (id, bet_id, kind, amount, state, created_at, usage_day, usage_wager,"
            + " usage_loss, provider_tx_id) VALUES (?, ?, ?, ?, 'ACTIVE', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    @Inject
    DataSource dataSource;
    @Inject
    CallbackBudget budget;
    @Inject
    BonusClock clock;
    @Inject
    LimitSettings limits;

    record SettleRequest(String transactionId, String betId, long amount, String currency, boolean cashout) {
    }

    static SettleRequest parse(Kind kind, ObjectNode p) {
        ObjectNode tx = Payload.object(p, "transaction");
        String transactionId = Payload.text(tx, "id");
        String betId = Payload.text(p, "bet_transaction_id");
        Long topAmount = Payload.optionalAmount(p, "amount");
        Long txAmount = Payload.optionalAmount(tx, "amount");
        String topCurrency = Payload.optionalCurrency(p, "currency");
        String txCurrency = Payload.optionalCurrency(tx, "currency");
        long amount;
        String currency;
        switch (kind) {
            case WIN -> {
                amount = Payload.positiveAmount(topAmount, "amount");
                Payload.agree(amount, txAmount, "amount");
                currency = topCurrency;
                Payload.agree(currency, txCurrency, "currency");
            }
            case LOST -> {
                if (topAmount == null || topAmount != 0) {
                    throw ProtocolException.badRequest("bet/lost carries amount 0");
                }
                amount = 0;
                Payload.agree(amount, txAmount, "amount");
                currency = topCurrency;
                Payload.agree(currency, txCurrency, "currency");
            }
            default -> {
                // Refund: transaction.amount is authoritative; a top-level amount must agree.
                amount = Payload.positiveAmount(txAmount, "transaction.amount");
                Payload.agree(amount, topAmount, "amount");
                currency = txCurrency != null ? txCurrency : topCurrency;
                Payload.agree(currency, topCurrency, "currency");
            }
        }
        if (currency == null && kind != Kind.REFUND) {
            throw ProtocolException.badRequest("currency is required");
        }
        boolean cashout = kind == Kind.WIN && Payload.flag(p, "is_cashout");
        return new SettleRequest(transactionId, betId, amount, currency, cashout);
    }

    @Transactional(rollbackOn = Exception.class)
    public Answer settle(Kind kind, ObjectNode payload) throws SQLException {
        SettleRequest r = parse(kind, payload);
        try (Connection c = dataSource.getConnection(); CallbackBudget.Guard budgetGuard = budget.guard(c)) {
            Answer replay = Callbacks.claim(c, kind.endpoint, r.transactionId(), payload);
            if (replay != null) {
                return replay;
            }
            String settlementId = Callbacks.operatorId(kind.endpoint, r.transactionId());
            String state = switch (kind) {
                case WIN -> r.cashout() ? "CASHED_OUT" : "WON";
                case LOST -> "LOST";
                case REFUND -> "REFUNDED";
            };

            // A refund may name no currency: then it is the bet's own.
            String currency = r.currency() != null ? r.currency() : betCurrency(c, r.betId());
            Transitioned t = transition(c, r, kind, state, settlementId, currency);
            if (t == null) {
                // The transition's snapshot may predate the bet: a make committed since (it raced this settlement) is
                // invisible to it, and the diagnosis, a newer snapshot, finds the bet OPEN. Then the serial order is
                // "the make, then this settlement", and the transition runs once more, in a snapshot that sees the bet.
                BetRow bet = BetRow.read(c, r.betId());
                if (bet != null && r.currency() == null) {
                    currency = bet.currency();
                }
                if (bet == null || !bet.admits(kind, currency, r.amount())) {
                    throw refusal(bet, r, kind, currency);
                }
                t = transition(c, r, kind, state, settlementId, currency);
                if (t == null) {
                    throw refusal(BetRow.read(c, r.betId()), r, kind, currency);
                }
            }
            String playerId = t.playerId();
            long walletId = t.walletId();
            long stake = t.stake();
            // The cash this decision credits (a bonus bet's rule: Bonuses); the settlement records it, so a rollback takes
            // back exactly that.
            long cash = switch (kind) {
                case WIN -> Bonuses.cashWin(t.bonusType(), r.amount(), t.bonusStake());
                case LOST -> 0;
                case REFUND -> Bonuses.cashRefund(t.bonusType(), r.amount());
            };
            // Microseconds: what timestamptz keeps, so the row and the event name the same instant.
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Instant at = clock.instant();
            LocalDate usageDay = Limits.day(at, limits.timeZone());
            Limits.Booking usage = Limits.Booking.settlement(state, cash);
            try (PreparedStatement ps = c.prepareStatement(SETTLEMENT_SQL)) {
                ps.setString(1, settlementId);
                ps.setString(2, r.betId());
                ps.setString(3, state);
                ps.setLong(4, cash);
                ps.setObject(5, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                ps.setObject(6, usageDay);
                ps.setLong(7, usage.wager());
                ps.setLong(8, usage.loss());
                ps.setString(9, r.transactionId());
                if (ps.executeUpdate() == 0) {
                    throw ProtocolException.badRequest("transaction " + settlementId + " was rolled back before it arrived");
                }
            }
            // A bonus bet's bonus (before the credit and the wallet: the lock order) ends with it, or a full refund releases it.
            Bonuses.Settled bonus = t.bonusId() == null ? null
                    : Bonuses.settle(c, t.bonusId(), r.betId(), kind == Kind.REFUND && Bonuses.releasedBy(r.amount(), stake, t.bonusStake()),
                            clock.instant());
            int bonusEvents = bonus == null ? 0 : 1;
            boolean credits = kind.creditKind != null && cash > 0;
            if (credits) {
                PendingCredit.insert(c, settlementId, walletId, playerId, r.betId(), kind.creditKind, cash);
            }
            // The wallet row last (no credit row is locked after it): the new credit joins pending, player_seq
            // takes the events' places, and the row returns the available balance the answer shows.
            WalletEvents.Advanced wallet = WalletEvents.advance(c, walletId, credits ? cash : 0, 1 + bonusEvents);
            long decisionSeq = wallet.playerSeq() - bonusEvents;
            // The limit usage rows after the wallet row (the lock order); a settlement is never refused by a limit.
            Limits.bookUnchecked(c, playerId, usageDay, usage, at);
            if (credits) {
                WalletEvents.appendCreditCommand(c, settlementId, walletId, playerId, r.betId(), kind.creditKind, cash, currency,
                        decisionSeq, now);
            }
            WalletEvents.append(c, BonusBet.of(BetSettled.of(kind.eventType, playerId, currency, cash, now, stake, r.betId(), settlementId,
                    r.transactionId(), r.cashout()), t.bonusId(), t.bonusType(), t.bonusStake(), bonus == null ? null : bonus.status()),
                    settlementId, Position.of(decisionSeq, wallet.available()), now);
            if (bonus != null) {
                WalletEvents.append(c, BonusChanged.of(BonusChanged.typeFor(bonus.status()), playerId, currency, now, t.bonusId(),
                        t.bonusType(), bonus.amount(), t.bonusStake(), bonus.status(), r.betId(), settlementId), settlementId,
                        Position.of(wallet.playerSeq(), wallet.available()), now);
            }

            return Callbacks.answer(c, kind.endpoint, r.transactionId(), Callbacks.moneyBody(settlementId, r.transactionId(),
                    r.betId(), playerId, kind.operation, r.amount(), currency, wallet.available()), wallet.playerSeq());
        }
    }

    /** The transitioned bet's player, wallet, cash stake and bonus (id and type null without one). */
    private record Transitioned(String playerId, long walletId, long stake, String bonusId, String bonusType, long bonusStake) {
    }

    /** The conditional transition OPEN -> {@code state}: null when it matched no row. */
    private static Transitioned transition(Connection c, SettleRequest r, Kind kind, String state, String settlementId, String currency)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TRANSITION_SQL)) {
            ps.setString(1, state);
            ps.setString(2, settlementId);
            ps.setString(3, r.betId());
            ps.setString(4, currency);
            ps.setLong(5, kind == Kind.REFUND ? r.amount() : 0);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Transitioned(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getLong(6))
                        : null;
            }
        }
    }

    /** The bet as a fresh snapshot sees it, for the diagnosis of a transition that matched no row. */
    private record BetRow(String state, String currency, long stake) {
        static BetRow read(Connection c, String betId) throws SQLException {
            try (PreparedStatement diagnose = c.prepareStatement(DIAGNOSE_SQL)) {
                diagnose.setString(1, betId);
                try (ResultSet bet = diagnose.executeQuery()) {
                    return bet.next() ? new BetRow(bet.getString(1), bet.getString(2), bet.getLong(3)) : null;
                }
            }
        }

        /** True when the transition's own condition holds for this row. */
        boolean admits(Kind kind, String currency, long amount) {
            return "OPEN".equals(state) && this.currency.equals(currency) && (kind != Kind.REFUND || stake >= amount);
        }
    }

    /** Why the conditional transition matched no row: 2003, 2004 (state or refund amount) or 2002. */
    private static ProtocolException refusal(BetRow bet, SettleRequest r, Kind kind, String currency) {
        if (bet == null) {
            return new ProtocolException(ProtocolException.PARENT_NOT_FOUND, "bet " + r.betId() + " not found");
        }
        if (!"OPEN".equals(bet.state())) {
            return ProtocolException.badRequest("bet " + r.betId() + " is " + bet.state() + ": " + kind.operation + " is not allowed");
        }
        if (!bet.currency().equals(currency)) {
            return new ProtocolException(ProtocolException.INVALID_CURRENCY, "currency " + currency + " is not the bet's currency");
        }
        return ProtocolException.badRequest("refund amount " + r.amount() + " exceeds the stake " + bet.stake());
    }

    /** The bet's currency, for a refund that names none (null for an unknown bet or a tombstone). */
    private static String betCurrency(Connection c, String betId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT currency FROM bet WHERE id = ?")) {
            ps.setString(1, betId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
