package com.sportswallet.ingress.provider.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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
import com.sportswallet.ingress.provider.lane.MakeLanes;
import com.sportswallet.ingress.limits.LimitEvents;
import com.sportswallet.ingress.service.SessionSettings;
import com.sportswallet.money.BetMake;
import com.sportswallet.money.Bonuses;
import com.sportswallet.money.Limits;
import com.sportswallet.money.NamedSql;
import com.sportswallet.money.Sessions;
import com.sportswallet.money.WalletEvents;
import com.sportswallet.outbox.Outbox;

/**
 * bet/make: reads a make ({@link #member}: a malformed one is refused before it waits anywhere) and
 * lends {@link MakeBatchService}, which decides every make in a batch of its player's queued makes
 * (issue 16), the rules of one make: its debit's event and answer ({@link #debitLine}, {@link #debit}),
 * the 4001 check ({@link #overLimit}), what an accepted make stores ({@link #accepted}), a bonus
 * make's redemption and events ({@link #redeem}, {@link #freebetPlaced}, {@link #comboboostRedeemed}),
 * the 1005 and 1007 checks. Nothing here commits.
 */
@ApplicationScoped
public class BetMakeService {
    public static final String ENDPOINT = "bet/make";

    private static final String BALANCE_LAST = "\"balance\":null}";
    /**
     * What the debit statement adds to the event after the size check, an upper bound: the wallet's
     * position ({@code , "balance_after": n} and the like for sequence, player_seq and
     * available_after, n up to 20 characters: 150 bytes) and jsonb's text form (a space after every
     * ':' and ',' of the event's 21 members: 42 bytes), 192, rounded up.
     */
    static final int EVENT_GROWTH_BYTES_MAX = 224;

    @Inject
    SessionSettings sessions;

    /** The fields of a make that decide it, read and checked before the transaction starts. */
    record MakeRequest(String transactionId, String playerId, long amount, String currency, String betslipId,
            Long potentialWin, Betslip betslip, BonusUse bonus) {
        boolean freebet() {
            return bonus != null && Bonuses.isFreebet(bonus.type());
        }

        /** The cash the make debits: none for a freebet (its stake is the bonus). */
        long cashStake() {
            return freebet() ? 0 : amount;
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
     * sessions are required (SESSIONS_REQUIRED), its session id.
     */
    public record MakeMember(MakeRequest request, PayloadHash requestHash, String sessionId) implements MakeLanes.Member {
        public String playerId() {
            return request.playerId();
        }

        @Override
        public String key() {
            return request.transactionId();
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
     * An accepted make that debited cash (issue 15): when a limit was in force, the bet records the limits it was
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

    /** What redeeming a make's bonus gave: the bonus redeemed (null for a global_comboboost: nothing to redeem), or why not. */
    record Redemption(Bonuses.Redeemed redeemed, ProtocolException refusal) {
    }

    /**
     * A bonus make's bonus (issue 14), after its bet and before its wallet statements: redeemed and bound to the bet in
     * one conditional statement ({@code bonus-redeem.sql}, on a row its batch already holds: MakeBatchService), or for a
     * {@code global_comboboost}, nothing to redeem, the bet records its boost. When it cannot be redeemed: 3001, or
     * 4002 for a freebet stake above the bonus's amount; the statement changed nothing.
     */
    static Redemption redeem(Connection c, String betId, MakeRequest r, Instant at) throws SQLException {
        BonusUse bonus = r.bonus();
        if (bonus.id() == null) {
            Bonuses.bindGlobal(c, betId, bonus.potentialComboboostWin());
            return new Redemption(null, null);
        }
        Bonuses.Redeemed redeemed = Bonuses.redeem(c, bonus.id(), bonus.type(), r.playerId(), betId, r.currency(), r.amount(),
                bonus.potentialComboboostWin(), at);
        return redeemed != null ? new Redemption(redeemed, null) : new Redemption(null, refusal(Bonuses.read(c, bonus.id()), r, at));
    }

    /**
     * An accepted freebet make, its bonus redeemed: no cash moves. The wallet row takes player_seq for its
     * {@code wallet.bet.placed} (amount 0, {@code bonus_stake} the stake) and its {@code wallet.bonus.redeemed}, and
     * the answer is stored.
     */
    static Answer freebetPlaced(Connection c, long walletId, String betId, MakeRequest r, Bonuses.Redeemed redeemed) throws SQLException {
        Instant now = Instant.now();
        BonusUse bonus = r.bonus();
        WalletEvents.Advanced advanced = WalletEvents.advance(c, walletId, 0, 2);
        long playerSeq = advanced.playerSeq();
        WalletEvents.append(c, BonusBet.of(BetPlaced.of(r.playerId(), r.currency(), 0, now, betId, r.transactionId()), bonus.id(),
                bonus.type(), r.amount(), "USED"), betId, Position.of(playerSeq - 1, advanced.available()), now);
        appendRedeemed(c, r, betId, redeemed, r.amount(), Position.of(playerSeq, advanced.available()), now);
        String body = Callbacks.moneyBody(betId, r.transactionId(), null, r.playerId(), "bet", r.amount(), r.currency(), advanced.available());
        return Callbacks.answer(c, ENDPOINT, r.transactionId(), body, playerSeq);
    }

    /** An accepted comboboost's {@code wallet.bonus.redeemed}, after its debit's event (the next player_seq); none for a global one. */
    static void comboboostRedeemed(Connection c, long walletId, String betId, MakeRequest r, Bonuses.Redeemed redeemed) throws SQLException {
        if (redeemed != null) {
            WalletEvents.Advanced advanced = WalletEvents.advance(c, walletId, 0);
            appendRedeemed(c, r, betId, redeemed, 0, Position.of(advanced.playerSeq(), advanced.available()), Instant.now());
        }
    }

    private static void appendRedeemed(Connection c, MakeRequest r, String betId, Bonuses.Redeemed redeemed, long bonusStake, Position position,
            Instant now) throws SQLException {
        BonusUse bonus = r.bonus();
        WalletEvents.append(c, BonusChanged.of(EventTypes.BONUS_REDEEMED, r.playerId(), r.currency(), now, bonus.id(), bonus.type(),
                redeemed.amount(), bonusStake, "USED", betId, r.transactionId()), betId, position, now);
    }

    /** Why a bonus could not be redeemed: 4002 for a freebet stake above an otherwise usable bonus, else 3001. */
    static ProtocolException refusal(Bonuses.Bonus b, MakeRequest r, Instant now) {
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

    /** Column {@code i} of reference rows keyed by id (the TreeMap's id order). */
    private static Object[] column(Map<String, String[]> rows, int i) {
        return rows.values().stream().map(v -> v[i]).toArray();
    }

    /**
     * A member's conditional debit ({@code line}: {@link #debitLine}) with its ledger entry, event and stored answer,
     * then the stake booked to the limit usage of its {@code day}, beside the limits in force at {@code at}; after the
     * member's savepoint when {@code memberSavepoint}, in the same round trip.
     *
     * @return what the debit did (its answer null when the balance does not cover the stake; its usage over a limit
     *         when the stake takes one above it: {@link #overLimit})
     */
    static BetMake.Debited debit(Connection c, boolean memberSavepoint, long walletId, BetMake.DebitLine line, MakeRequest r, LocalDate day,
            Instant at) throws SQLException {
        return BetMake.debit(c, memberSavepoint, walletId, r.amount(), ENDPOINT, r.transactionId(), r.playerId(), line.eventId(), line.event(),
                line.bodyUpToBalance(), day, at);
    }

    /** {@link #debit}'s parameters bound in {@code s}, the debit sent after other statements of its round trip. */
    static NamedSql.Bound bindDebit(NamedSql.Bound s, long walletId, BetMake.DebitLine line, MakeRequest r, LocalDate day, Instant at)
            throws SQLException {
        return BetMake.bindDebit(s, walletId, r.amount(), ENDPOINT, r.transactionId(), r.playerId(), line.eventId(), line.event(),
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
