package com.sportswallet.ingress.provider.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.event.BetPlaced;
import com.sportswallet.contracts.event.BonusBet;
import com.sportswallet.contracts.event.BonusChanged;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.contracts.event.WalletFact;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.idempotency.IdempotencyStore;
import com.sportswallet.ingress.idempotency.PayloadHash;
import com.sportswallet.ingress.provider.Payload;
import com.sportswallet.ingress.provider.ProtocolException;
import com.sportswallet.ingress.provider.budget.CallbackBudget;
import com.sportswallet.ingress.provider.lane.MakeLanes;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.ingress.limits.LimitEvents;
import com.sportswallet.ingress.service.LimitSettings;
import com.sportswallet.ingress.service.MoneySettings;
import com.sportswallet.ingress.service.SessionSettings;
import com.sportswallet.money.BetMake;
import com.sportswallet.money.Bonuses;
import com.sportswallet.money.Limits;
import com.sportswallet.money.NamedSql;
import com.sportswallet.money.Sessions;
import com.sportswallet.money.Spend;
import com.sportswallet.money.WalletEvents;
import com.sportswallet.outbox.Outbox;


/**
 * bet/make: reads a make ({@link #member}: a malformed one is refused before it waits anywhere), and
 * decides a make with a bonus, alone ({@link #makeAlone}). Cash makes are decided in batches of the
 * player's queued makes by {@link MakeBatchService} (issue 16), with the helpers here: the debit's
 * event and answer ({@link #debitLine}), the 4001 check, what an accepted make stores. A make alone
 * is ONE transaction, ONE commit ({@code @Transactional}; nothing here commits), no network call
 * inside it, the wallet row locked last:
 * <ol>
 * <li>the idempotency claim on ("bet/make", transaction.id), and the player's wallet, currency and
 * status and the session's state (1006, 1005, 1007, 2002: PROTOCOL.md's precedence), and its settled balance read
 * without a lock. A duplicate replays the first answer instead; a concurrent duplicate waits on the claim's unique
 * key until the first commits;</li>
 * <li>the betslip's reference data (sport, category, tournament, event), insert-if-absent in a
 * fixed order with rows sorted by id, so concurrent makes naming the same new sport neither fail
 * nor deadlock; then the bet (unique on the provider's make id: a discard tombstone makes it
 * 2004) and its selections; the player's status again, {@code FOR SHARE} until the commit (a
 * block committed since round trip 1 is 1005 here; a later one waits for this make); the session's
 * state again, {@code FOR SHARE} until the commit;</li>
 * <li>the bonus redeemed and bound to the bet (3001, 4002), before the wallet (the lock order);</li>
 * <li>for a comboboost, the pending credits applied and ONE statement that debits the stake only if
 * the settled balance covers it, with its ledger entry, event and stored answer ({@link Spend}'s slow
 * path: 2001 when even that is short); for a freebet no cash moves, the wallet takes player_seq only;</li>
 * <li>commit.</li>
 * </ol>
 * Any refusal throws, which rolls back all of it: nothing is written.
 */
@ApplicationScoped
public class BetMakeService {
    public static final String ENDPOINT = "bet/make";

    // The statements are the money module's (BetMake: files under money's sql/, which scripts/bench-make
    // runs too). Round trip 1 names the wallet by player, and the bet names it by player too, so that
    // nothing but the checks waits on round trip 1's result.
    private static final String BALANCE_LAST = "\"balance\":null}";
    /**
     * What the debit statement adds to the event after the size check, an upper bound: the wallet's
     * position ({@code , "balance_after": n} and the like for sequence, player_seq and
     * available_after, n up to 20 characters: 150 bytes) and jsonb's text form (a space after every
     * ':' and ',' of the event's 21 members: 42 bytes), 192, rounded up.
     */
    static final int EVENT_GROWTH_BYTES_MAX = 224;

    @Inject
    DataSource dataSource;
    @Inject
    CallbackBudget budget;
    @Inject
    MoneySettings money;
    @Inject
    BonusClock clock;
    @Inject
    SessionSettings sessions;
    @Inject
    LimitSettings limits;

    /** The fields of a make that decide it, read and checked before the transaction starts. */
    record MakeRequest(String transactionId, String playerId, long amount, String currency, String betslipId,
            Long potentialWin, Betslip betslip, BonusUse bonus) {
        boolean freebet() {
            return bonus != null && Bonuses.isFreebet(bonus.type());
        }
    }

    /**
     * The bonus a make names (issue 14; PROTOCOL.md "Bonuses"): {@code bonus_type} decides;
     * {@code bonus_id} (top level, or {@code transaction.bonus_id}, which must agree) names a granted
     * bonus, required for every type but {@code global_comboboost}, which takes none.
     */
    record BonusUse(String id, String type, Long potentialComboboostWin) {
        static BonusUse parse(ObjectNode p, ObjectNode tx) {
            String type = Payload.optionalText(p, "bonus_type");
            String id = Payload.optionalText(p, "bonus_id");
            String txId = Payload.optionalText(tx, "bonus_id");
            if (id == null) {
                id = txId;
            }
            Payload.agree(id, txId, "bonus_id");
            Long potentialComboboostWin = Payload.optionalAmount(p, "potential_comboboost_win");
            if (type == null) {
                if (id != null) {
                    throw ProtocolException.badRequest("bonus_id " + id + " needs its bonus_type");
                }
                return null;
            }
            if (!Bonuses.TYPES.contains(type)) {
                throw ProtocolException.badRequest("bonus_type must be one of " + new java.util.TreeSet<>(Bonuses.TYPES) + ", not " + type);
            }
            if (Bonuses.GLOBAL_COMBOBOOST.equals(type) ? id != null : id == null) {
                throw ProtocolException.badRequest(Bonuses.GLOBAL_COMBOBOOST.equals(type) ? "a global_comboboost needs no bonus_id"
                        : "bonus_type " + type + " needs the bonus_id of a granted bonus");
            }
            return new BonusUse(id, type, potentialComboboostWin);
        }
    }

    static MakeRequest parse(ObjectNode p) {
        ObjectNode tx = Payload.object(p, "transaction");
        String transactionId = Payload.text(tx, "id");
        long amount = Payload.positiveAmount(Payload.optionalAmount(p, "amount"), "amount");
        String currency = Payload.optionalCurrency(p, "currency");
        if (currency == null) {
            throw ProtocolException.badRequest("currency is required");
        }
        Payload.agree(amount, Payload.optionalAmount(tx, "amount"), "amount");
        Payload.agree(currency, Payload.optionalCurrency(tx, "currency"), "currency");
        String operation = Payload.optionalText(tx, "operation");
        if (operation != null && !operation.equals("bet")) {
            throw ProtocolException.badRequest("transaction.operation must be \"bet\" on bet/make");
        }
        ObjectNode slip = Payload.optionalObject(p, "betslip");
        Long potentialWin = Payload.optionalAmount(p, "potential_win");
        return new MakeRequest(transactionId, Payload.text(p, "player_id"), amount, currency,
                slip == null ? Payload.optionalText(tx, "betslip_id") : Payload.optionalText(slip, "id"), potentialWin,
                Betslip.parse(slip), BonusUse.parse(p, tx));
    }

    /**
     * A make as the lane queues it (issue 16): read and checked before it joins its player's lane (a
     * malformed one is refused at once, 400, and never waits), with its payload's hash and, when
     * sessions are required (SESSIONS_REQUIRED), its session id. A make with a bonus runs alone.
     */
    public record MakeMember(MakeRequest request, PayloadHash requestHash, String sessionId) implements MakeLanes.Member {
        public String playerId() {
            return request.playerId();
        }

        @Override
        public String key() {
            return request.transactionId();
        }

        @Override
        public boolean alone() {
            return request.bonus() != null;
        }
    }

    /** Reads a make's payload into what its batch needs; 400 (2004) when it is malformed. */
    public MakeMember member(ObjectNode payload) {
        MakeRequest r = parse(payload);
        // The session id is read only when sessions are required: with SESSIONS_REQUIRED=false the field is not looked
        // at, whatever its form.
        return new MakeMember(r, PayloadHash.of(payload), sessions.required() ? Payload.optionalText(payload, "session_id") : null);
    }

    /**
     * A make with a bonus (issue 14), in a batch of its own: its bonus is redeemed after its bet and
     * before the wallet (the lock order), so it cannot follow another member's wallet statement; a
     * refusal throws, which rolls back all of it (it is alone: nothing else is lost).
     */
    @Transactional(rollbackOn = Exception.class)
    public Answer makeAlone(MakeMember m, long remainingMs) throws SQLException {
        MakeRequest r = m.request();
        if (r.bonus() == null) {
            throw new IllegalArgumentException("a cash make runs in a batch (MakeBatchService)");
        }
        // The session is decided at one instant of the wallet's clock, passed into both of its reads.
        SessionCheck session = new SessionCheck(m.sessionId(), sessions.required(), clock.instant());
        // The limits are decided at the same instant; the stake books to its local day's periods (issue 15).
        LocalDate day = Limits.day(session.now(), limits.timeZone());
        try (Connection c = dataSource.getConnection(); CallbackBudget.Guard budgetGuard = budget.guard(c, remainingMs)) {
            WalletRead wallet = claimAndCheckWallet(c, r, m.requestHash(), session);
            if (wallet == null) {
                return replay(c, r, m.requestHash());
            }
            return bonusMake(c, wallet, Callbacks.operatorId(ENDPOINT, r.transactionId()), r, session, day);
        }
    }

    /**
     * A make with a bonus (issue 14): the bet, then the bonus redeemed and bound to it in one
     * conditional statement (after the bet row, before the wallet: the lock order), then the
     * wallet. A freebet debits no cash: the wallet row only takes player_seq for the bet's
     * {@code wallet.bet.placed} (amount 0, {@code bonus_stake} the stake) and its
     * {@code wallet.bonus.redeemed}. A comboboost debits its cash stake as any make does (the same
     * debit statement), then its bonus event; a {@code global_comboboost} redeems nothing.
     * A bonus that cannot be redeemed is 3001, a freebet stake above its amount 4002: the
     * transaction rolls back, nothing is written.
     */
    private Answer bonusMake(Connection c, WalletRead wallet, String betId, MakeRequest r, SessionCheck session, LocalDate day)
            throws SQLException {
        BonusUse bonus = r.bonus();
        Instant now = Instant.now();
        insertBet(c, betId, r, session, day);
        Bonuses.Redeemed redeemed = null;
        if (bonus.id() != null) {
            redeemed = Bonuses.redeem(c, bonus.id(), bonus.type(), r.playerId(), betId, r.currency(), r.amount(), bonus.potentialComboboostWin(),
                    clock.instant());
            if (redeemed == null) {
                throw refusal(Bonuses.read(c, bonus.id()), r, clock.instant());
            }
        } else {
            Bonuses.bindGlobal(c, betId, bonus.potentialComboboostWin());
        }
        long bonusStake = r.freebet() ? r.amount() : 0;
        String body;
        long playerSeq;
        int bonusEvents = redeemed == null ? 0 : 1;
        if (r.freebet()) {
            // No cash moves: the wallet row (last) takes player_seq for both events.
            WalletEvents.Advanced advanced = WalletEvents.advance(c, wallet.id(), 0, 1 + bonusEvents);
            playerSeq = advanced.playerSeq();
            WalletEvents.append(c, BonusBet.of(BetPlaced.of(r.playerId(), r.currency(), 0, now, betId, r.transactionId()), bonus.id(),
                    bonus.type(), bonusStake, "USED"), betId, Position.of(playerSeq - bonusEvents, advanced.available()), now);
            body = Callbacks.moneyBody(betId, r.transactionId(), null, r.playerId(), "bet", r.amount(), r.currency(), advanced.available());
            appendRedeemed(c, r, betId, bonus, redeemed, bonusStake, Position.of(playerSeq, advanced.available()), now);
            return Callbacks.answer(c, ENDPOINT, r.transactionId(), body, playerSeq);
        }
        // A comboboost: the cash stake as any make debits it (the slow path, which may spend pending money), and
        // books it against the limits as any make does (a freebet above debits and books no cash).
        Spend.Spent<BetMake.Debited> spent = Spend.debit(c, wallet.id(), false, money.creditFlipMax(),
                () -> withinLimits(debit(c, false, wallet.id(), betId, r, bonus, now, day, session.now()), r));
        if (spent.debited() == null) {
            throw new ProtocolException(ProtocolException.NOT_ENOUGH_MONEY, "not enough money for a stake of " + r.amount());
        }
        if (redeemed != null) {
            WalletEvents.Advanced advanced = WalletEvents.advance(c, wallet.id(), 0);
            appendRedeemed(c, r, betId, bonus, redeemed, 0, Position.of(advanced.playerSeq(), advanced.available()), now);
        }
        return accepted(c, wallet.id(), betId, r, spent.debited(), session.now());
    }

    /**
     * An accepted cash make (issue 15): when a limit was in force, the bet records the limits it was
     * checked against and the usage it left, and each limit its usage reached exactly gets its
     * {@code wallet.limit.reached} event (after the make's own events: the next player_seq values).
     */
    static Answer accepted(Connection c, long walletId, String betId, MakeRequest r, BetMake.Debited debited, Instant at)
            throws SQLException {
        Limits.storeMakeChecked(c, betId, Limits.checked(debited.usage(), BetMake.LIMIT_KINDS));
        LimitEvents.appendReached(c, walletId, r.playerId(), r.currency(), Limits.reached(debited.usage(), BetMake.LIMIT_KINDS), betId,
                r.transactionId(), at);
        return new Answer(200, debited.answer());
    }

    private static void appendRedeemed(Connection c, MakeRequest r, String betId, BonusUse bonus, Bonuses.Redeemed redeemed, long bonusStake,
            Position position, Instant now) throws SQLException {
        if (redeemed == null) {
            return;
        }
        WalletEvents.append(c, BonusChanged.of(EventTypes.BONUS_REDEEMED, r.playerId(), r.currency(), now, bonus.id(), bonus.type(),
                redeemed.amount(), bonusStake, "USED", betId, r.transactionId()), betId, position, now);
    }

    /** Why a bonus could not be redeemed: 4002 for a freebet stake above an otherwise usable bonus, else 3001. */
    private static ProtocolException refusal(Bonuses.Bonus b, MakeRequest r, Instant now) {
        String id = r.bonus().id();
        if (b == null) {
            return new ProtocolException(ProtocolException.BONUS_INVALID, "bonus " + id + " was never granted");
        }
        if (!b.playerId().equals(r.playerId())) {
            return new ProtocolException(ProtocolException.BONUS_INVALID, "bonus " + id + " is not player " + r.playerId() + "'s");
        }
        if (!"ACTIVE".equals(b.status())) {
            return new ProtocolException(ProtocolException.BONUS_INVALID, "bonus " + id + " is " + b.status());
        }
        if (!now.isBefore(b.expiresAt())) {
            return new ProtocolException(ProtocolException.BONUS_INVALID, "bonus " + id + " expired at " + b.expiresAt());
        }
        if (!b.bonusType().equals(r.bonus().type())) {
            return new ProtocolException(ProtocolException.BONUS_INVALID, "bonus " + id + " is a " + b.bonusType() + ", not a " + r.bonus().type());
        }
        if (!b.currency().equals(r.currency())) {
            return new ProtocolException(ProtocolException.BONUS_INVALID, "bonus " + id + " is in " + b.currency());
        }
        return new ProtocolException(ProtocolException.BONUS_LIMIT_EXCEEDED, "stake " + r.amount() + " is above bonus " + id + "'s amount "
                + b.amount());
    }

    /** Round trip 1's wallet, read without a lock: it only chooses the path. */
    record WalletRead(long id, long balance) {
    }

    /**
     * How a make's session is checked (issue 15): {@code sessionId} is the payload's when sessions are
     * required (SESSIONS_REQUIRED), null otherwise (the statements then read no session); {@code now}
     * is the wallet clock's instant both reads compare expiry with.
     */
    record SessionCheck(String sessionId, boolean required, Instant now) {
        /** Throws 1007 unless the session's state (as the make's statements report it) lets the make through. */
        void require(String state, MakeRequest r) {
            if (!required) {
                return;
            }
            Sessions.Check check = sessionId == null ? Sessions.Check.UNKNOWN : Sessions.Check.of(state);
            String message = switch (check) {
                case OPEN -> null;
                case UNKNOWN -> sessionId == null ? "a make needs the session_id of an open session" : "session " + sessionId + " is unknown";
                case OTHER_PLAYER -> "session " + sessionId + " is not player " + r.playerId() + "'s";
                case ENDED -> "session " + sessionId + " has ended";
                case EXPIRED -> "session " + sessionId + " has expired";
            };
            if (message != null) {
                throw new ProtocolException(ProtocolException.SESSION_INVALID, message);
            }
        }
    }

    /** Round trip 1. The wallet when this request claimed its key (and the player may bet), null when the key was taken. */
    private static WalletRead claimAndCheckWallet(Connection c, MakeRequest r, PayloadHash requestHash, SessionCheck session)
            throws SQLException {
        try (NamedSql.Bound s = BetMake.CLAIM_AND_WALLET_READ.prepare(c)) {
            PreparedStatement ps = s.set("endpoint", ENDPOINT)
                    .set("key", r.transactionId())
                    .set("request_hash", requestHash.bytes())
                    .set("hash_version", requestHash.version())
                    .set("player_id", r.playerId())
                    .set("session_id", session.sessionId())
                    .set("now", session.now())
                    .statement();
            ps.execute();
            boolean claimed = ps.getUpdateCount() == 1;
            if (!ps.getMoreResults()) {
                throw new IllegalStateException("the wallet read returned no result set");
            }
            if (!claimed) {
                return null;
            }
            try (ResultSet rs = ps.getResultSet()) {
                if (!rs.next()) {
                    throw new ProtocolException(ProtocolException.PLAYER_NOT_FOUND, "player " + r.playerId() + " not found");
                }
                // PROTOCOL.md's precedence: 1006, then 1005, then 1007, then 2002.
                requireActive(rs.getString(2), rs.getBoolean(6), r);
                // An unlocked read: it may refuse (a session never comes back), round trip 2 decides an acceptance.
                session.require(rs.getString(5), r);
                if (!rs.getString(1).equals(r.currency())) {
                    throw new ProtocolException(ProtocolException.INVALID_CURRENCY,
                            "currency " + r.currency() + " is not the player's wallet currency");
                }
                return new WalletRead(rs.getLong(3), rs.getLong(4));
            }
        }
    }

    /**
     * 1005 unless the player may bet: a blocked player, then a self-excluded one (issue 15: the protocol has no code
     * of its own for it, so the block's code with a message that says which; PROTOCOL.md, "Self-exclusion").
     */
    static void requireActive(String status, boolean excluded, MakeRequest r) {
        if (!"ACTIVE".equals(status)) {
            throw new ProtocolException(ProtocolException.PLAYER_BLOCKED, "player " + r.playerId() + " is blocked");
        }
        if (excluded) {
            throw new ProtocolException(ProtocolException.PLAYER_BLOCKED, "player " + r.playerId() + " is self-excluded: no bets");
        }
    }

    /** The key was taken: the stored answer (same payload) or 2004 (another payload). */
    static Answer replay(Connection c, MakeRequest r, PayloadHash requestHash) throws SQLException {
        return Callbacks.answerOf(IdempotencyStore.existing(c, ENDPOINT, r.transactionId(), requestHash), r.transactionId());
    }

    /** Round trip 2 of a make with a bonus: reference data, the bet and its selections, the status and session under share locks. */
    private static void insertBet(Connection c, String betId, MakeRequest r, SessionCheck session, LocalDate day)
            throws SQLException {
        Betslip slip = r.betslip();
        List<Betslip.Selection> selections = slip.selections;
        try (NamedSql.Bound s = BetMake.BET.prepare(c)) {
            slip.bindReferences(s)
                    .set("bet_id", betId)
                    .set("transaction_id", r.transactionId())
                    .set("player_id", r.playerId())
                    .set("session_id", session.sessionId())
                    .set("now", session.now())
                    .set("day", day)
                    .set("currency", r.currency())
                    .set("stake", r.amount())
                    .set("betslip_id", r.betslipId())
                    .set("potential_win", r.potentialWin())
                    .setArray("selection_positions", "integer", selections.stream().map(Betslip.Selection::position).toArray())
                    .setArray("selection_ids", "text", selections.stream().map(Betslip.Selection::id).toArray())
                    .setArray("selection_event_ids", "text", selections.stream().map(Betslip.Selection::eventId).toArray())
                    .setArray("selection_markets", "text", selections.stream().map(Betslip.Selection::market).toArray())
                    .setArray("selection_outcomes", "text", selections.stream().map(Betslip.Selection::outcome).toArray())
                    .setArray("selection_odds", "text", selections.stream().map(Betslip.Selection::odds).toArray())
                    .setArray("selection_live", "boolean", selections.stream().map(Betslip.Selection::live).toArray());
            PreparedStatement ps = s.statement();
            ps.execute();
            for (int statement = 0; statement < BetMake.BET_STATEMENT_INDEX; statement++) {
                ps.getMoreResults();
            }
            if (ps.getUpdateCount() == 0) {
                // Only a discard tombstone can hold this make's id: the idempotency claim let no other make through.
                throw ProtocolException.badRequest("transaction " + r.transactionId() + " was discarded before it was made");
            }
            for (int statement = BetMake.BET_STATEMENT_INDEX; statement < BetMake.STATUS_STATEMENT_INDEX; statement++) {
                ps.getMoreResults();
            }
            // The status under the share lock: a block that committed since round trip 1 read it refuses the make
            // here; one that comes later waits for this make's commit, so the make is ordered wholly before it.
            try (ResultSet rs = ps.getResultSet()) {
                if (rs == null || !rs.next()) {
                    throw new IllegalStateException("the player's status read returned no row for " + r.playerId());
                }
                requireActive(rs.getString(1), rs.getBoolean(2), r);
            }
            // The session under the share lock: an end committed since round trip 1 read it refuses the make here;
            // one that comes later waits for this make's commit. No result row: no such session (or none asked for).
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
                if (rs == null) {
                    throw new IllegalStateException("the session read returned no result set for " + r.playerId());
                }
                session.require(rs.next() ? rs.getString(1) : null, r);
            }
        }
    }

    /** Column {@code i} of reference rows keyed by id (the TreeMap's id order). */
    private static Object[] column(Map<String, String[]> rows, int i) {
        return rows.values().stream().map(v -> v[i]).toArray();
    }

    /**
     * Round trip 3: the conditional debit with its ledger entry, event and stored answer, then the stake booked to the
     * limit usage of its {@code day}, beside the limits in force at {@code at}; after the member's savepoint when
     * {@code memberSavepoint} (a batch, issue 16).
     *
     * @return what the debit did (its answer null when the balance does not cover the stake; its usage over a limit
     *         when the stake takes one above it: {@link #overLimit})
     */
    static BetMake.Debited debit(Connection c, boolean memberSavepoint, long walletId, String betId, MakeRequest r, BonusUse bonus,
            Instant now, LocalDate day, Instant at) throws SQLException {
        BetMake.DebitLine line = debitLine(betId, r, bonus, now);
        return BetMake.debit(c, memberSavepoint, walletId, r.amount(), ENDPOINT, r.transactionId(), r.playerId(), line.eventId(), line.event(),
                line.bodyUpToBalance(), day, at);
    }

    /**
     * What a make's debit writes besides the money: its {@code wallet.bet.placed} event without its position (the
     * debit statement completes it from its own RETURNING) and its answer up to the balance (the statement appends
     * the available balance it produced).
     *
     * @throws Outbox.EventTooLargeException 2004 for an event its topic would refuse: refused before the debit, not
     *         parked in the outbox later
     */
    static BetMake.DebitLine debitLine(String betId, MakeRequest r, BonusUse bonus, Instant now) {
        WalletFact placed = bonus == null ? BetPlaced.of(r.playerId(), r.currency(), r.amount(), now, betId, r.transactionId())
                : BonusBet.of(BetPlaced.of(r.playerId(), r.currency(), r.amount(), now, betId, r.transactionId()), bonus.id(), bonus.type(), 0,
                        bonus.id() == null ? null : "USED");
        String eventId = CloudEventJson.stableId(placed.type(), betId);
        String event = CloudEventJson.serialize(eventId, placed.type(), WalletEvents.SOURCE, r.playerId(), now, placed.data());
        Outbox.checkSize(Topics.WALLET_EVENTS, r.playerId(), event, EVENT_GROWTH_BYTES_MAX);
        String body = Callbacks.moneyBody(betId, r.transactionId(), null, r.playerId(), "bet", r.amount(), r.currency(), null);
        if (!body.endsWith(BALANCE_LAST)) {
            throw new IllegalStateException("the money body must end with its balance: " + body);
        }
        return new BetMake.DebitLine(r.amount(), r.transactionId(), eventId, event, body.substring(0, body.length() - "null}".length()));
    }

    /** 4001 when the stake took a usage above a limit in force (before 2001: the precedence), else null. */
    static ProtocolException overLimit(BetMake.Debited debited, MakeRequest r) {
        Limits.Checked over = debited.overLimit();
        if (over == null) {
            return null;
        }
        return new ProtocolException(ProtocolException.LIMIT_EXCEEDED, "a stake of " + r.amount() + " exceeds the player's " + over.period()
                + " " + over.kind() + " limit of " + over.limit() + " (usage " + (over.used() - r.amount()) + ")");
    }

    /** The debit when it was made within the limits, null when the balance did not cover it; throws 4001 ({@link #overLimit}). */
    private static BetMake.Debited withinLimits(BetMake.Debited debited, MakeRequest r) {
        ProtocolException over = overLimit(debited, r);
        if (over != null) {
            throw over;
        }
        return debited.answer() == null ? null : debited;
    }

    /**
     * The reference data and selections of a betslip, deduplicated and sorted by id (TreeMap):
     * every make inserts reference rows in the same order.
     */
    static final class Betslip {
        record Selection(int position, String id, String eventId, String market, String outcome, String odds, Boolean live) {
        }

        final Map<String, String> sports = new TreeMap<>();
        final Map<String, String[]> categories = new TreeMap<>();
        final Map<String, String[]> tournaments = new TreeMap<>();
        final Map<String, String[]> events = new TreeMap<>();
        final List<Selection> selections = new ArrayList<>();

        boolean isEmpty() {
            return sports.isEmpty() && categories.isEmpty() && tournaments.isEmpty() && events.isEmpty();
        }

        /** Adds {@code other}'s reference rows this slip lacks (a batch inserts its members' union once). */
        void addReferences(Betslip other) {
            other.sports.forEach(sports::putIfAbsent);
            other.categories.forEach(categories::putIfAbsent);
            other.tournaments.forEach(tournaments::putIfAbsent);
            other.events.forEach(events::putIfAbsent);
        }

        /** Binds the reference rows, sorted by id, to make-reference.sql's parameters. */
        NamedSql.Bound bindReferences(NamedSql.Bound s) throws SQLException {
            return s.setArray("sport_ids", "text", sports.keySet().toArray())
                    .setArray("sport_names", "text", sports.values().toArray())
                    .setArray("category_ids", "text", categories.keySet().toArray())
                    .setArray("category_sport_ids", "text", column(categories, 0))
                    .setArray("category_names", "text", column(categories, 1))
                    .setArray("tournament_ids", "text", tournaments.keySet().toArray())
                    .setArray("tournament_category_ids", "text", column(tournaments, 0))
                    .setArray("tournament_names", "text", column(tournaments, 1))
                    .setArray("event_ids", "text", events.keySet().toArray())
                    .setArray("event_tournament_ids", "text", column(events, 0))
                    .setArray("event_names", "text", column(events, 1))
                    .setArray("event_scheduled", "bigint", events.values().stream().map(e -> e[2] == null ? null : Long.valueOf(e[2])).toArray());
        }

        static Betslip parse(ObjectNode slip) {
            Betslip b = new Betslip();
            if (slip == null) {
                return b;
            }
            JsonNode bets = slip.get("bets");
            if (bets == null || bets.isNull()) {
                return b;
            }
            // Its size (InputBounds.SELECTIONS_MAX), and every name's length, were checked with the whole payload.
            if (!bets.isArray()) {
                throw ProtocolException.badRequest("betslip.bets must be an array of selections");
            }
            int position = 0;
            for (JsonNode s : bets) {
                if (!s.isObject()) {
                    throw ProtocolException.badRequest("betslip.bets[" + position + "] must be an object");
                }
                String sportId = Payload.optionalText(s, "sport_id");
                String categoryId = Payload.optionalText(s, "category_id");
                String tournamentId = Payload.optionalText(s, "tournament_id");
                String eventId = Payload.optionalText(s, "event_id");
                if (sportId != null) {
                    b.sports.putIfAbsent(sportId, name(s, "sport_name", sportId));
                }
                if (categoryId != null) {
                    b.categories.putIfAbsent(categoryId, new String[] { sportId, name(s, "category_name", categoryId) });
                }
                if (tournamentId != null) {
                    b.tournaments.putIfAbsent(tournamentId, new String[] { categoryId, name(s, "tournament_name", tournamentId) });
                }
                if (eventId != null) {
                    JsonNode competitors = s.get("competitor_name");
                    String eventName = competitors != null && competitors.isArray() && competitors.size() > 0
                            ? String.join(" - ", toStrings(competitors)) : eventId;
                    JsonNode scheduled = s.get("scheduled");
                    b.events.putIfAbsent(eventId, new String[] { tournamentId, eventName,
                            Payload.isInteger(scheduled) ? Long.toString(scheduled.longValue()) : null });
                }
                JsonNode live = s.get("live");
                JsonNode odds = s.get("odds");
                b.selections.add(new Selection(position, Payload.optionalText(s, "id"), eventId, text(s, "market_name"),
                        text(s, "outcome_name"), odds == null || odds.isNull() ? null : odds.asText(),
                        live != null && live.isBoolean() ? live.booleanValue() : null));
                position++;
            }
            return b;
        }

        private static String name(JsonNode s, String field, String fallback) {
            String value = text(s, field);
            return value == null ? fallback : value;
        }

        /** A name as sent: one over InputBounds.NAME_CHARS_MAX was refused before (never truncated). */
        private static String text(JsonNode s, String field) {
            JsonNode v = s.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            return v.asText();
        }

        private static List<String> toStrings(JsonNode array) {
            List<String> out = new ArrayList<>();
            array.forEach(n -> out.add(n.asText()));
            return out;
        }
    }
}
