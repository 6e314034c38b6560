package com.sportswallet.ingress.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import com.sportswallet.ingress.model.Answer.Applied;
import com.sportswallet.ingress.model.Answer.BalanceBody;
import com.sportswallet.ingress.model.Answer.DiscardBalance;
import com.sportswallet.ingress.model.Answer.Empty;
import com.sportswallet.ingress.model.Answer.Money;
import com.sportswallet.ingress.model.Answer.NoCredit;
import com.sportswallet.ingress.model.Answer.Ok;
import com.sportswallet.ingress.model.Answer.OperatorMoney;
import com.sportswallet.ingress.model.Answer.OperatorRefused;
import com.sportswallet.ingress.model.Answer.Refused;

/**
 * A reference model of PROTOCOL.md (the shared reference and docs/PROTOCOL.md), in plain Java with
 * no dependency on the ingress: the bet's state table, idempotency, the available balance
 * (settled + pending credits, each answer including its own effect), the spending of pending
 * credits by a make or withdrawal, and the rollback policy. It knows nothing of HTTP, JWT, SQL or
 * ids other than (endpoint, provider transaction id) {@link Key}s.
 *
 * <p>{@link #apply} decides one request against the current state, exactly as the protocol says
 * the wallet decides it "against the committed state, inside the callback's one transaction",
 * and returns the answer the wallet must give. The model is a value: {@link #copy} and
 * {@link #equals} let a checker try several serial orders of concurrent requests.
 *
 * <p>The order of refusals, where one request could meet several:
 * <ul>
 * <li>make: idempotency, 1006, 1005, 2002 (the shared PROTOCOL.md's "refusal precedence"), then
 * 2004 for a discard tombstone (the protocol does not place it; the model puts it where the
 * ingress does), then the bonus (3001, then 4002), then 2001. PROTOCOL.md does not place the
 * bonus's refusals either: the model follows BetMakeService, which redeems the bonus after the bet
 * row and before the debit, and says why in the order never granted, another player's, not ACTIVE,
 * another type (all 3001), then a freebet stake above the amount (4002); so a comboboost on an
 * unusable bonus is 3001 even when the cash is short too;</li>
 * <li>win, lost, refund (the protocol does not say; the model takes the ingress's documented
 * order): 2003 (unknown bet), then 2004 (the bet's state), then 2002 (currency), then 2004 (refund
 * above the stake, or a settlement id a rollback tombstoned);</li>
 * <li>a make or withdrawal whose settled balance does not cover the amount (a comboboost's or
 * global_comboboost's cash stake too: every make is decided in a batch, by the same rule) applies ALL the
 * wallet's pending credits (up to CREDIT_FLIP_MAX, far above what a sequence makes) and then
 * debits; a rollback of an applied credit does the same before its debit. Which credits a spend
 * applies changes the settled/pending split, never the available balance.</li>
 * </ul>
 *
 * <p>Bonuses (PROTOCOL.md, "Bonuses on bet/make and their settlements", issue 14): a granted bonus
 * is ACTIVE; a make naming it redeems it (USED, bound to the bet); a freebet debits no cash (the
 * bet's cash stake is 0, its bonus stake the stake) and a comboboost debits its cash stake. A win
 * credits the win as sent, but a {@code freebet_no_risk} only the profit (win − stake, never
 * below 0); a refund of a freebet credits no cash; a zero credit writes no credit row, and the
 * settlement records the cash it credited (what a rollback takes back and answers). win, lost and
 * a partial refund end the bonus (DONE); a full refund and a discard release it (ACTIVE, unbound);
 * a rollback binds it again (DONE by this bet, or ACTIVE and unbound: USED by the bet), or, when it
 * is USED or DONE by another bet or REVOKED, still succeeds with the bonus left as it is
 * (bonus_rebind_failed). The model binds an ACTIVE bonus again only if no other bet took it since
 * its release (PROTOCOL.md: "if nothing took it since"): the bet that released it last is still this
 * one, as bonus.bet_id keeps it ({@link #REBIND_AFTER_ANOTHER_BET} marks the other case; it was the
 * ingress's one known deviation, fixed). Grants expire an hour after they are made, far after any sequence,
 * so EXPIRED is never reached here (BonusBetsTest covers expiry with its clock).
 *
 * <p>Responsible gaming (issue 15; PROTOCOL.md "Player sessions" and "Self-exclusion", and for the
 * limits, whose documentation is being written, the ingress's code: LimitService, money's Limits and
 * usage-book.sql):
 * <ul>
 * <li>sessions are named by labels (the runner maps them to the wallet's ids): a make is 1007 when
 * its session is unknown (never opened under that label), another player's or ended; none expires,
 * as the runner opens every session for a day. A session's end is 200 (a repeat too), 404 for an
 * unknown or another player's; an extension 200, 409 session_ended once it ended;</li>
 * <li>a self-exclusion (ExclusionService's rule: set when none is in force, extended to a later end
 * or indefinitely, 201; the same end 200; shorter or lifting 409 excluded_until) ends the player's
 * open sessions; while it is in force (always, within a run) makes are 1005, deposits 422 excluded,
 * new sessions 422 excluded; settlements, rollbacks, discards and withdrawals go on;</li>
 * <li>limits (Limits.Limit.change): a first limit, a decrease or the value in force take effect at
 * once and cancel a pending change; an increase or removal is pending for 24 hours, which no run
 * reaches, so it never takes effect here. The usage (Limits.Booking): a make books its cash stake to
 * wager and loss (a freebet nothing), a win or cash-out -cash credited to loss, a refund -cash to
 * both, lost nothing, a discard takes back its make's, a rollback exactly its settlement's, a
 * deposit +d to deposit. The runner holds the wallet clock within one day, so the day's, week's and
 * month's usage are one number, checked against each period's limits. A make (a freebet aside) whose
 * wager or loss usage after it would exceed a limit in force is 4001, a deposit 422 limit_exceeded
 * (after the exclusion's 422), nothing written.</li>
 * </ul>
 * The make's order of refusals is then: idempotency, 1006, 1005 (blocked, then self-excluded), 1007,
 * 2002, 2004 (tombstone), 3001, 4002, 4001, 2001 (PROTOCOL.md's precedence, with the tombstone where
 * the ingress puts it).
 */
public final class WalletModel {
    public static final int PLAYER_BLOCKED = 1005;
    public static final int PLAYER_NOT_FOUND = 1006;
    public static final int NOT_ENOUGH_MONEY = 2001;
    public static final int INVALID_CURRENCY = 2002;
    public static final int PARENT_NOT_FOUND = 2003;
    public static final int BAD_REQUEST = 2004;
    public static final int BONUS_INVALID = 3001;
    public static final int BONUS_LIMIT_EXCEEDED = 4002;
    public static final int SESSION_INVALID = 1007;
    public static final int LIMIT_EXCEEDED = 4001;

    /** The limit kinds a make is checked against, in the ingress's order (Limits.Usage's). */
    public static final List<String> BET_LIMIT_KINDS = List.of("wager", "loss");
    public static final List<String> LIMIT_KINDS = List.of("wager", "loss", "deposit");
    /** In the order the ingress checks them (day, week, month). */
    public static final List<String> PERIODS = List.of("day", "week", "month");

    public static final String FREEBET_REFUND = "freebet_refund";
    public static final String FREEBET_FREEMONEY = "freebet_freemoney";
    public static final String FREEBET_NO_RISK = "freebet_no_risk";
    public static final String COMBOBOOST = "comboboost";
    public static final String GLOBAL_COMBOBOOST = "global_comboboost";

    /** A freebet's stake is the bonus: no cash debited, none returned by a refund or discard. */
    public static boolean isFreebet(String bonusType) {
        return FREEBET_REFUND.equals(bonusType) || FREEBET_FREEMONEY.equals(bonusType) || FREEBET_NO_RISK.equals(bonusType);
    }

    public enum BonusStatus {
        ACTIVE, USED, DONE, REVOKED
    }

    /**
     * A granted bonus: {@code betTx} is the make of the bet it is bound to (USED, DONE), else null;
     * {@code lastBetTx} the bet it was last bound to (kept when it is released), so that a rollback
     * can tell whether another bet took it since.
     */
    public record Bonus(String player, String type, long amount, BonusStatus status, String betTx, String lastBetTx) {
        Bonus with(BonusStatus newStatus, String newBetTx) {
            return new Bonus(player, type, amount, newStatus, newBetTx, newBetTx != null ? newBetTx : lastBetTx);
        }
    }

    /**
     * The row mark of a rollback whose bonus, released by the refund it reverses, was since used and
     * released again by another bet: PROTOCOL.md binds it again only "if nothing took it since", so
     * bonus_rebind_failed. The ingress once rebound any ACTIVE, unbound bonus (this test found it);
     * a released bonus now keeps the bet that released it, and only that bet's rollback binds it.
     */
    public static final String REBIND_AFTER_ANOTHER_BET = "bonus taken and released by another bet since: rebind fails";

    /** ROLLBACK_SHORTFALL. */
    public enum Shortfall {
        NEGATIVE, ABSORB
    }

    public enum BetState {
        OPEN, WON, CASHED_OUT, LOST, REFUNDED, DISCARDED,
        /** A discard of a make never seen: no player, no stake; the make arriving later is 2004. */
        TOMBSTONE;

        boolean settled() {
            return this == WON || this == CASHED_OUT || this == LOST || this == REFUNDED;
        }
    }

    public enum CreditStatus {
        PENDING, APPLIED, CANCELLED
    }

    public enum SettlementState {
        ACTIVE, ROLLED_BACK, TOMBSTONE
    }

    public record PlayerState(String currency, boolean blocked, long settled) {
    }

    /** A session opened under a label (issue 15): whose, and whether it is still open (none expires within a run). */
    public record Session(String player, boolean open) {
    }

    /** A self-exclusion in force (issue 15): until a day after the run's base instant, or indefinitely (untilDays null). */
    public record Exclusion(Long untilDays) {
        boolean indefinitely() {
            return untilDays == null;
        }
    }

    /**
     * One limit (issue 15) as Limits.Limit keeps it: the value in force (null: none) and a pending
     * increase or removal ({@code pendingValue} null with {@code pending}: a removal). A pending change
     * waits LIMIT_INCREASE_DELAY_HOURS (24), far beyond a run: it never takes effect here.
     */
    public record Limit(Long value, boolean pending, Long pendingValue) {
        static final Limit NONE = new Limit(null, false, null);

        /** Limits.Limit.change: a first limit, a decrease or the value in force at once (cancelling a pending change); else it waits. */
        Limit change(Long requested) {
            if (value == null || (requested != null && requested <= value)) {
                return new Limit(requested, false, null);
            }
            return new Limit(value, true, requested);
        }

        boolean isNone() {
            return value == null && !pending;
        }
    }

    /**
     * A player's limit usage (issue 15): what the facts booked (docs/PROTOCOL.md's table). The clock is
     * held within one day for a run, so the day's, the week's and the month's usage are this one number.
     */
    public record Usage(long wager, long loss, long deposit) {
        static final Usage ZERO = new Usage(0, 0, 0);

        Usage plus(long w, long l, long d) {
            return new Usage(wager + w, loss + l, deposit + d);
        }
    }

    /**
     * A bet; {@code stake} is the stake as sent (cash or bonus), {@code bonusType} and {@code bonusId}
     * the bonus its make used (null: none; a global_comboboost has a type and no id).
     */
    public record Bet(String player, long stake, String currency, BetState state, Key latest, boolean confirmed, String providerStatus,
            String bonusType, String bonusId) {
        Bet with(BetState newState, Key newLatest) {
            return new Bet(player, stake, currency, newState, newLatest, confirmed, providerStatus, bonusType, bonusId);
        }

        Bet confirm() {
            return new Bet(player, stake, currency, state, latest, true, providerStatus, bonusType, bonusId);
        }

        Bet withProviderStatus(String status) {
            return new Bet(player, stake, currency, state, latest, confirmed, status, bonusType, bonusId);
        }

        /** The cash its make debited: none for a freebet. */
        long cashStake() {
            return isFreebet(bonusType) ? 0 : stake;
        }

        long bonusStake() {
            return isFreebet(bonusType) ? stake : 0;
        }
    }

    public record Settlement(String betTx, BetState kind, long amount, SettlementState state) {
    }

    public record Credit(String player, String betTx, long amount, CreditStatus status) {
        Credit with(CreditStatus newStatus) {
            return new Credit(player, betTx, amount, newStatus);
        }
    }

    /** A stored success answer and the request it answered. */
    public record Stored(Op request, Answer answer) {
    }

    /**
     * What the wallet must do with one request: its answer, the protocol row it exercised (for
     * coverage and for the runner's list of known deviations), and whether it is a replay of a
     * stored answer (then it must be that answer byte for byte).
     */
    public record Outcome(Answer answer, String row, boolean replay) {
    }

    /** A player's wallet as the model sees it. */
    public record WalletView(long settled, long pending, long pendingCount) {
        public long available() {
            return settled + pending;
        }
    }

    private final Shortfall policy;
    private final Map<String, PlayerState> players;
    private final Map<String, Bet> bets;
    private final Map<Key, Settlement> settlements;
    private final Map<Key, Credit> credits;
    private final Map<Key, Stored> stored;
    private final Map<String, Bonus> bonuses;
    /** Sessions by label. */
    private final Map<String, Session> sessions;
    /** Exclusions in force, by player. */
    private final Map<String, Exclusion> exclusions;
    /** Limits by "player|kind.period". */
    private final Map<String, Limit> limits;
    /** Usage by player (absent: nothing booked). */
    private final Map<String, Usage> usage;

    public WalletModel(Shortfall policy) {
        this(policy, new HashMap<>(), new HashMap<>(), new HashMap<>(), new LinkedHashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>(),
                new HashMap<>(), new HashMap<>(), new HashMap<>());
    }

    private WalletModel(Shortfall policy, Map<String, PlayerState> players, Map<String, Bet> bets, Map<Key, Settlement> settlements,
            Map<Key, Credit> credits, Map<Key, Stored> stored, Map<String, Bonus> bonuses, Map<String, Session> sessions,
            Map<String, Exclusion> exclusions, Map<String, Limit> limits, Map<String, Usage> usage) {
        this.policy = policy;
        this.players = players;
        this.bets = bets;
        this.settlements = settlements;
        this.credits = credits;
        this.stored = stored;
        this.bonuses = bonuses;
        this.sessions = sessions;
        this.exclusions = exclusions;
        this.limits = limits;
        this.usage = usage;
    }

    /** An independent copy (every value in the maps is immutable). */
    public WalletModel copy() {
        return new WalletModel(policy, new HashMap<>(players), new HashMap<>(bets), new HashMap<>(settlements),
                new LinkedHashMap<>(credits), new HashMap<>(stored), new HashMap<>(bonuses), new HashMap<>(sessions), new HashMap<>(exclusions),
                new HashMap<>(limits), new HashMap<>(usage));
    }

    /**
     * How a request that applies pending credits before a debit (a make or withdrawal whose settled
     * balance is short; a rollback of an applied credit) may have met a request racing it. Serially
     * there is one way; under concurrency the ingress may differ from the serial order in which
     * credits move from pending to settled, never in the available balance:
     *
     * @param spendPendingFirst a make or withdrawal took the slow path (pending credits first) although
     * the settled balance covers it: it picks its path from a settled balance read without a lock
     * @param invisible credits decided by the racing request but not committed when this request
     * locked the wallet's pending credits: they stay pending. Allowed only when what it did apply
     * still covers the debit (else the request would be refused although the serial order says
     * the available balance covers it: that is not an explanation, see {@link Impossible})
     */
    public record Choice(boolean spendPendingFirst, Set<Key> invisible) {
        public static final Choice SERIAL = new Choice(false, Set.of());
    }

    /** A {@link Choice} that cannot explain what happened. */
    public static final class Impossible extends RuntimeException {
        Impossible(String message) {
            super(message, null, false, false);
        }
    }

    /** Decides {@code op} as a request alone does. */
    public Outcome apply(Op op) {
        return apply(op, Choice.SERIAL);
    }

    /**
     * Decides {@code op} under {@code choice} (see {@link Choice}).
     *
     * @throws Impossible when the choice cannot happen for this op in this state
     */
    public Outcome apply(Op op, Choice choice) {
        Key key = Op.idempotencyKey(op);
        if (key != null) {
            Stored s = stored.get(key);
            if (s != null) {
                return s.request().equals(op) ? new Outcome(s.answer(), "idempotency: replay", true)
                        : new Outcome(new Refused(BAD_REQUEST), "idempotency: same key, other payload", false);
            }
        }
        if (op instanceof Op.CreatePlayer c) {
            players.putIfAbsent(c.player(), new PlayerState(c.currency(), false, 0));
            return new Outcome(new Ok(), "operator: create", false);
        }
        if (op instanceof Op.Deposit d) {
            PlayerState p = player(d.player());
            // The exclusion, then the deposit limits (OperatorWalletService: both after the wallet lock, in this order).
            if (exclusions.containsKey(d.player())) {
                return new Outcome(new OperatorRefused(422, "excluded"), "operator: deposit of a self-excluded player", false);
            }
            String over = overLimit(d.player(), List.of("deposit"), 0, 0, d.amount());
            if (over != null) {
                return new Outcome(new OperatorRefused(422, "limit_exceeded"), "operator: deposit over a " + over + " limit", false);
            }
            players.put(d.player(), new PlayerState(p.currency(), p.blocked(), p.settled() + d.amount()));
            boolean limited = limitsInForce(d.player(), "deposit");
            book(d.player(), 0, 0, d.amount());
            return new Outcome(new OperatorMoney(available(d.player()), p.settled() + d.amount()),
                    limited ? "operator: deposit under a deposit limit" : "operator: deposit", false);
        }
        if (op instanceof Op.OpenSession o) {
            if (!players.containsKey(o.player())) {
                return new Outcome(new OperatorRefused(404, "player_not_found"), "session: open, unknown player", false);
            }
            if (exclusions.containsKey(o.player())) {
                return new Outcome(new OperatorRefused(422, "excluded"), "session: open, self-excluded player", false);
            }
            sessions.put(o.session(), new Session(o.player(), true));
            return new Outcome(new Answer.Status(201), "session: opened", false);
        }
        if (op instanceof Op.EndSession e) {
            Session s = sessions.get(e.session());
            if (s == null || !s.player().equals(e.player())) {
                return new Outcome(new OperatorRefused(404, "session_not_found"),
                        s == null ? "session: end, unknown" : "session: end, another player's", false);
            }
            sessions.put(e.session(), new Session(s.player(), false));
            return new Outcome(new Answer.Status(200), s.open() ? "session: ended" : "session: end again", false);
        }
        if (op instanceof Op.ExtendSession e) {
            Session s = sessions.get(e.session());
            if (s == null || !s.player().equals(e.player())) {
                return new Outcome(new OperatorRefused(404, "session_not_found"), "session: extend, unknown", false);
            }
            if (!s.open()) {
                return new Outcome(new OperatorRefused(409, "session_ended"), "session: extend, ended", false);
            }
            return new Outcome(new Answer.Status(200), "session: extended", false);
        }
        if (op instanceof Op.SetExclusion x) {
            return exclude(x);
        }
        if (op instanceof Op.SetLimits l) {
            player(l.player());
            List<String> what = new ArrayList<>();
            for (Op.LimitChange c : l.changes()) {
                String k = l.player() + "|" + c.kind() + "." + c.period();
                Limit now = limits.getOrDefault(k, Limit.NONE);
                Limit next = now.change(c.value());
                limits.put(k, next);
                what.add(next.pending() ? (c.value() == null ? "removal waits" : "increase waits")
                        : now.value() == null ? (c.value() == null ? "no limit" : "first limit") : "decrease or same, at once");
            }
            return new Outcome(limitsView(l.player()), "limits: set (" + String.join(", ", new java.util.TreeSet<>(what)) + ")", false);
        }
        if (op instanceof Op.ReadLimits l) {
            player(l.player());
            return new Outcome(limitsView(l.player()), "limits: read", false);
        }
        if (op instanceof Op.Withdraw w) {
            int appliedFirst = spend(w.player(), w.amount(), choice);
            if (appliedFirst < 0) {
                return new Outcome(new OperatorRefused(422, "insufficient_funds"), "operator: withdrawal short", false);
            }
            return new Outcome(new OperatorMoney(available(w.player()), player(w.player()).settled()),
                    appliedFirst > 0 ? "operator: withdrawal spends pending credits" : "operator: withdrawal", false);
        }
        if (op instanceof Op.SetBlocked b) {
            PlayerState p = player(b.player());
            players.put(b.player(), new PlayerState(p.currency(), b.blocked(), p.settled()));
            return new Outcome(new Ok(), "operator: status", false);
        }
        if (op instanceof Op.GrantBonus g) {
            player(g.player());
            bonuses.put(g.bonusId(), new Bonus(g.player(), g.bonusType(), g.amount(), BonusStatus.ACTIVE, null, null));
            return new Outcome(new Ok(), "bonus: granted", false);
        }
        if (op instanceof Op.RevokeBonus rv) {
            Bonus b = bonuses.get(rv.bonusId());
            if (b == null || b.status() != BonusStatus.ACTIVE) {
                return new Outcome(new Applied(false), "bonus: revoke of " + (b == null ? "an unknown" : "a " + b.status()) + " bonus", false);
            }
            bonuses.put(rv.bonusId(), b.with(BonusStatus.REVOKED, null));
            return new Outcome(new Applied(true), "bonus: revoked", false);
        }
        if (op instanceof Op.Make m) {
            return make(m, key, choice);
        }
        if (op instanceof Op.Settle s) {
            return settle(s, key);
        }
        if (op instanceof Op.Rollback r) {
            return rollback(r, key, choice);
        }
        if (op instanceof Op.Discard d) {
            return discard(d, key);
        }
        if (op instanceof Op.Commit c) {
            Bet bet = bets.get(c.betTx());
            if (bet == null) {
                return new Outcome(new Refused(PARENT_NOT_FOUND), "commit: unknown bet", false);
            }
            if (bet.state() == BetState.TOMBSTONE) {
                return new Outcome(new Refused(BAD_REQUEST), "commit: discard tombstone", false);
            }
            bets.put(c.betTx(), bet.confirm());
            return new Outcome(new Empty(), "commit: recorded", false);
        }
        if (op instanceof Op.ProviderStatus s) {
            Bet bet = bets.get(s.betTx());
            if (bet == null) {
                return new Outcome(new Refused(PARENT_NOT_FOUND), "settlement: unknown bet", false);
            }
            if (bet.state() == BetState.TOMBSTONE) {
                return new Outcome(new Refused(PARENT_NOT_FOUND), "settlement: discard tombstone", false);
            }
            bets.put(s.betTx(), bet.withProviderStatus(s.status()));
            return new Outcome(new Empty(), "settlement: recorded", false);
        }
        if (op instanceof Op.Balance b) {
            PlayerState p = players.get(b.player());
            if (p == null) {
                return new Outcome(new Refused(PLAYER_NOT_FOUND), "balance: unknown player", false);
            }
            if (b.currency() != null && !b.currency().equals(p.currency())) {
                return new Outcome(new Refused(INVALID_CURRENCY), "balance: other currency", false);
            }
            return new Outcome(new BalanceBody(b.player(), p.currency(), available(b.player())), "balance", false);
        }
        if (op instanceof Op.ApplyCredit a) {
            Credit credit = credits.get(a.credit());
            if (credit == null) {
                return new Outcome(new NoCredit(), "worker: no such credit", false);
            }
            if (credit.status() != CreditStatus.PENDING) {
                return new Outcome(new Applied(false), "worker: credit " + credit.status(), false);
            }
            applyCredit(a.credit());
            return new Outcome(new Applied(true), "worker: credit applied", false);
        }
        throw new IllegalArgumentException("unknown op " + op);
    }

    private Outcome make(Op.Make m, Key key, Choice choice) {
        PlayerState p = players.get(m.player());
        if (p == null) {
            return new Outcome(new Refused(PLAYER_NOT_FOUND), "make: unknown player", false);
        }
        if (p.blocked()) {
            return new Outcome(new Refused(PLAYER_BLOCKED),
                    p.currency().equals(m.currency()) ? "make: blocked player" : "make: blocked player, other currency", false);
        }
        if (exclusions.containsKey(m.player())) {
            return new Outcome(new Refused(PLAYER_BLOCKED), "make: self-excluded player", false);
        }
        Session session = m.session() == null ? null : sessions.get(m.session());
        if (session == null || !session.player().equals(m.player()) || !session.open()) {
            return new Outcome(new Refused(SESSION_INVALID), session == null ? "make: unknown session"
                    : !session.player().equals(m.player()) ? "make: another player's session" : "make: ended session", false);
        }
        if (!p.currency().equals(m.currency())) {
            return new Outcome(new Refused(INVALID_CURRENCY), "make: other currency", false);
        }
        Bet existing = bets.get(m.tx());
        if (existing != null) {
            // Only a discard tombstone can hold a make's id here: a made bet has a stored answer.
            return new Outcome(new Refused(BAD_REQUEST), "make: discard tombstone", false);
        }
        if (m.bonusType() != null) {
            return bonusMake(m, key, choice);
        }
        // 4001 before 2001 (PROTOCOL.md's precedence): BetMakeService books the stake after its debit statement and
        // refuses on the usage whether the debit was made or not.
        String over = overLimit(m.player(), BET_LIMIT_KINDS, m.stake(), m.stake(), 0);
        if (over != null) {
            return new Outcome(new Refused(LIMIT_EXCEEDED), "make: over a " + over + " limit", false);
        }
        boolean limited = limitsInForce(m.player(), "wager") || limitsInForce(m.player(), "loss");
        int appliedFirst = spend(m.player(), m.stake(), choice);
        if (appliedFirst < 0) {
            return new Outcome(new Refused(NOT_ENOUGH_MONEY), "make: not enough money", false);
        }
        book(m.player(), m.stake(), m.stake(), 0);
        bets.put(m.tx(), new Bet(m.player(), m.stake(), m.currency(), BetState.OPEN, null, false, null, null, null));
        Money answer = new Money(key, null, m.player(), "bet", m.stake(), m.currency(), available(m.player()));
        stored.put(key, new Stored(m, answer));
        return new Outcome(answer, (appliedFirst > 0 ? "make: spends pending credits" : "make: debit") + (limited ? " under a limit" : ""),
                false);
    }

    /**
     * A make with a bonus, after the checks every make meets: the bonus (3001, 4002), then, but for a
     * freebet, the cash debit (2001), as a cash make's (pending credits applied first when the settled
     * balance is short, or when the choice says so). A refusal changes nothing.
     */
    private Outcome bonusMake(Op.Make m, Key key, Choice choice) {
        String type = m.bonusType();
        Bonus bonus = m.bonusId() == null ? null : bonuses.get(m.bonusId());
        if (m.bonusId() != null) {
            if (bonus == null) {
                return new Outcome(new Refused(BONUS_INVALID), "make: bonus never granted", false);
            }
            if (!bonus.player().equals(m.player())) {
                return new Outcome(new Refused(BONUS_INVALID), "make: another player's bonus", false);
            }
            if (bonus.status() != BonusStatus.ACTIVE) {
                return new Outcome(new Refused(BONUS_INVALID), "make: bonus " + bonus.status(), false);
            }
            if (!bonus.type().equals(type)) {
                return new Outcome(new Refused(BONUS_INVALID), "make: bonus of another type", false);
            }
            if (isFreebet(type) && m.stake() > bonus.amount()) {
                return new Outcome(new Refused(BONUS_LIMIT_EXCEEDED), "make: freebet stake above its bonus", false);
            }
        }
        String row;
        if (isFreebet(type)) {
            row = "make: " + type + " redeems its bonus, no cash";
        } else {
            String over = overLimit(m.player(), BET_LIMIT_KINDS, m.stake(), m.stake(), 0);
            if (over != null) {
                return new Outcome(new Refused(LIMIT_EXCEEDED), "make: " + type + ", over a " + over + " limit", false);
            }
            int appliedFirst = spend(m.player(), m.stake(), choice);
            if (appliedFirst < 0) {
                return new Outcome(new Refused(NOT_ENOUGH_MONEY), "make: " + type + ", not enough money", false);
            }
            book(m.player(), m.stake(), m.stake(), 0);
            row = "make: " + type + (bonus == null ? "" : " redeems its bonus,") + " debits cash";
        }
        if (bonus != null) {
            bonuses.put(m.bonusId(), bonus.with(BonusStatus.USED, m.tx()));
        }
        bets.put(m.tx(), new Bet(m.player(), m.stake(), m.currency(), BetState.OPEN, null, false, null, type, m.bonusId()));
        // The answer names the stake as sent; its balance is the available balance after the (cash) debit.
        Money answer = new Money(key, null, m.player(), "bet", m.stake(), m.currency(), available(m.player()));
        stored.put(key, new Stored(m, answer));
        return new Outcome(answer, row, false);
    }

    /**
     * The cash a bet's settlement credits: a win as sent, but only the profit (never below 0) for a
     * freebet_no_risk; a refund as sent, but none for a freebet; lost none.
     */
    static long cash(Op.Kind kind, Bet bet, long amount) {
        return switch (kind) {
            case WIN, CASHOUT -> FREEBET_NO_RISK.equals(bet.bonusType()) ? Math.max(0, amount - bet.bonusStake()) : amount;
            case LOST -> 0;
            case REFUND -> isFreebet(bet.bonusType()) ? 0 : amount;
        };
    }

    /**
     * A settlement's or discard's bonus: ends (DONE) or is released (ACTIVE, unbound) when it is USED
     * by this bet; else unchanged. Returns what it did, for the row.
     */
    private String settleBonus(String betTx, Bet bet, boolean release) {
        if (bet.bonusId() == null) {
            return "";
        }
        Bonus b = bonuses.get(bet.bonusId());
        if (b.status() != BonusStatus.USED || !betTx.equals(b.betTx())) {
            return ", its bonus not USED by it";
        }
        bonuses.put(bet.bonusId(), release ? b.with(BonusStatus.ACTIVE, null) : b.with(BonusStatus.DONE, betTx));
        return release ? ", releases its bonus" : ", ends its bonus";
    }

    /**
     * The make's and the withdrawal's debit: never below zero, checked against the available
     * balance; when the settled balance alone is short (or the choice says so), the wallet's
     * pending credits are applied first.
     *
     * @return the number of pending credits applied first, or -1 (and nothing changed) when the available balance is short
     */
    private int spend(String player, long amount, Choice choice) {
        if (available(player) < amount) {
            return -1;
        }
        int applied = choice.spendPendingFirst() || player(player).settled() < amount ? applyAllPending(player, choice.invisible()) : 0;
        PlayerState p = player(player);
        if (p.settled() < amount) {
            throw new Impossible("the credits it could see do not cover the debit: it would be refused, which no serial order explains");
        }
        players.put(player, new PlayerState(p.currency(), p.blocked(), p.settled() - amount));
        return applied;
    }

    private Outcome settle(Op.Settle s, Key key) {
        Bet bet = bets.get(s.betTx());
        String kind = s.kind().name().toLowerCase();
        if (bet == null) {
            return new Outcome(new Refused(PARENT_NOT_FOUND), kind + ": unknown bet", false);
        }
        if (bet.state() != BetState.OPEN) {
            String what = bet.state() == BetState.TOMBSTONE ? "discard tombstone"
                    : bet.state() == BetState.DISCARDED ? "discarded bet" : "settled bet";
            return new Outcome(new Refused(BAD_REQUEST), kind + ": " + what, false);
        }
        String currency = s.currency() != null ? s.currency() : bet.currency();
        if (!currency.equals(bet.currency())) {
            return new Outcome(new Refused(INVALID_CURRENCY), kind + ": other currency", false);
        }
        if (s.kind() == Op.Kind.REFUND && s.amount() > bet.stake()) {
            return new Outcome(new Refused(BAD_REQUEST), "refund: above the stake", false);
        }
        if (settlements.containsKey(key)) {
            return new Outcome(new Refused(BAD_REQUEST), kind + ": id tombstoned by a rollback", false);
        }
        BetState state = switch (s.kind()) {
            case WIN -> BetState.WON;
            case CASHOUT -> BetState.CASHED_OUT;
            case LOST -> BetState.LOST;
            case REFUND -> BetState.REFUNDED;
        };
        bets.put(s.betTx(), bet.with(state, key));
        // The settlement records the cash it credits (a rollback takes back exactly that); the answer names the amount as sent.
        long cash = cash(s.kind(), bet, s.amount());
        settlements.put(key, new Settlement(s.betTx(), state, cash, SettlementState.ACTIVE));
        bookSettlement(bet.player(), state, cash, 1);
        if (cash > 0) {
            credits.put(key, new Credit(bet.player(), s.betTx(), cash, CreditStatus.PENDING));
        }
        String bonusRow = settleBonus(s.betTx(), bet, s.kind() == Op.Kind.REFUND && s.amount() == bet.stake());
        Money answer = new Money(key, s.betTx(), bet.player(), s.kind().operation, s.amount(), currency, available(bet.player()));
        stored.put(key, new Stored(s, answer));
        String row = kind + ": open bet settled";
        if (bet.bonusType() != null) {
            row += " (" + bet.bonusType() + (cash == s.amount() ? "" : cash == 0 ? ", no cash" : ", the profit only") + bonusRow + ")";
        }
        return new Outcome(answer, row, false);
    }

    private Outcome rollback(Op.Rollback r, Key key, Choice choice) {
        Bet bet = bets.get(r.betTx());
        if (bet == null) {
            return new Outcome(new Refused(PARENT_NOT_FOUND), "rollback: unknown bet", false);
        }
        if (bet.state() == BetState.TOMBSTONE) {
            return new Outcome(new Refused(PARENT_NOT_FOUND), "rollback: discard tombstone", false);
        }
        long amount = 0;
        String row;
        if (bet.state().settled() && r.parent().equals(bet.latest())) {
            Settlement s = settlements.get(r.parent());
            settlements.put(r.parent(), new Settlement(s.betTx(), s.kind(), s.amount(), SettlementState.ROLLED_BACK));
            // Exactly what the settlement booked, taken back (in its period: the run's one day).
            bookSettlement(bet.player(), s.kind(), s.amount(), -1);
            bets.put(r.betTx(), bet.with(BetState.OPEN, bet.latest()));
            amount = s.amount();
            Credit credit = credits.get(r.parent());
            if (credit == null) {
                row = "rollback: reverses a settlement without money";
            } else if (credit.status() == CreditStatus.PENDING) {
                credits.put(r.parent(), credit.with(CreditStatus.CANCELLED));
                row = "rollback: cancels a pending credit";
            } else {
                // Applied: the wallet's pending credits first, then the reversal is debited now.
                applyAllPending(bet.player(), choice.invisible());
                PlayerState p = player(bet.player());
                long shortfall = Math.max(0, amount - Math.max(p.settled(), 0));
                // Pending credits it could not lock (committed meanwhile) cover their part: never written off.
                long absorbed = policy == Shortfall.ABSORB ? shortfall - Math.min(shortfall, wallet(bet.player()).pending()) : 0;
                players.put(bet.player(), new PlayerState(p.currency(), p.blocked(), p.settled() - amount + absorbed));
                row = p.settled() - amount < 0 ? "rollback: debits an applied credit, shortfall" : "rollback: debits an applied credit";
            }
            if (bet.bonusId() != null) {
                // Back to USED by this bet: DONE by it, or ACTIVE and unbound, released by the refund reversed and
                // taken by nothing since; else (used by another bet, revoked) the rollback still succeeds: bonus_rebind_failed.
                Bonus b = bonuses.get(bet.bonusId());
                boolean unbound = b.status() == BonusStatus.ACTIVE && b.betTx() == null;
                boolean rebinds = b.status() == BonusStatus.DONE && r.betTx().equals(b.betTx()) || unbound && r.betTx().equals(b.lastBetTx());
                if (rebinds) {
                    bonuses.put(bet.bonusId(), b.with(BonusStatus.USED, r.betTx()));
                }
                row += rebinds ? " (its bonus USED again, was " + b.status() + ")"
                        : unbound ? " (" + REBIND_AFTER_ANOTHER_BET + ")" : " (bonus rebind failed: " + b.status() + ")";
            }
        } else {
            if (!settlements.containsKey(r.parent())) {
                settlements.put(r.parent(), new Settlement(r.betTx(), null, 0, SettlementState.TOMBSTONE));
                row = "rollback: unknown parent, tombstoned";
            } else if (r.parent().equals(bet.latest()) && bet.state() == BetState.OPEN) {
                row = "rollback: already rolled back";
            } else {
                row = "rollback: not the latest settlement";
            }
        }
        Money answer = new Money(key, r.betTx(), bet.player(), "rollback", amount, bet.currency(), available(bet.player()));
        stored.put(key, new Stored(r, answer));
        return new Outcome(answer, row, false);
    }

    private Outcome discard(Op.Discard d, Key key) {
        Bet bet = bets.get(d.makeTx());
        if (bet == null) {
            bets.put(d.makeTx(), new Bet(null, 0, null, BetState.TOMBSTONE, null, false, null, null, null));
            DiscardBalance answer = new DiscardBalance(null);
            stored.put(key, new Stored(d, answer));
            return new Outcome(answer, "discard: unknown make, tombstone", false);
        }
        if (bet.state() == BetState.TOMBSTONE) {
            // Its tombstoning discard was stored: only a discard with another payload gets here (refused above).
            return new Outcome(new DiscardBalance(null), "discard: tombstone again", false);
        }
        if (d.extPlayer() != null && !d.extPlayer().equals(bet.player())) {
            return new Outcome(new Refused(BAD_REQUEST), "discard: another player", false);
        }
        if (bet.state() == BetState.OPEN) {
            bets.put(d.makeTx(), bet.with(BetState.DISCARDED, bet.latest()));
            // The make's usage taken back (its cash stake: a freebet booked none).
            book(bet.player(), -bet.cashStake(), -bet.cashStake(), 0);
            // The cash stake comes back (none for a freebet); the bonus is released.
            if (bet.cashStake() > 0) {
                credits.put(key, new Credit(bet.player(), d.makeTx(), bet.cashStake(), CreditStatus.PENDING));
            }
            String bonusRow = settleBonus(d.makeTx(), bet, true);
            DiscardBalance answer = new DiscardBalance(available(bet.player()));
            stored.put(key, new Stored(d, answer));
            return new Outcome(answer, "discard: open bet" + (bet.bonusType() == null ? "" : " (" + bet.bonusType() + bonusRow + ")"), false);
        }
        // Settled or already discarded: answered, changed nothing, not stored.
        return new Outcome(new DiscardBalance(available(bet.player())),
                bet.state() == BetState.DISCARDED ? "discard: already discarded" : "discard: settled bet", false);
    }

    /**
     * A self-exclusion (ExclusionService, exclusion-set.sql): a new one (none in force), or an
     * extension of the one in force (indefinite, or a later end), is 201 and ends the player's open
     * sessions; the exclusion already there is 200; shortening or lifting is 409 excluded_until.
     * No exclusion of a run ends within it.
     */
    private Outcome exclude(Op.SetExclusion x) {
        player(x.player());
        Exclusion now = exclusions.get(x.player());
        Exclusion wanted = new Exclusion(x.untilDays());
        if (wanted.equals(now)) {
            return new Outcome(new Answer.Status(200), "exclusion: already so", false);
        }
        String row;
        if (now == null) {
            row = "exclusion: set";
        } else if (wanted.indefinitely() || !now.indefinitely() && wanted.untilDays() >= now.untilDays()) {
            row = "exclusion: extended";
        } else {
            return new Outcome(new OperatorRefused(409, "excluded_until"), "exclusion: shortening refused", false);
        }
        exclusions.put(x.player(), wanted);
        int ended = 0;
        for (Map.Entry<String, Session> e : new ArrayList<>(sessions.entrySet())) {
            if (e.getValue().player().equals(x.player()) && e.getValue().open()) {
                sessions.put(e.getKey(), new Session(x.player(), false));
                ended++;
            }
        }
        return new Outcome(new Answer.Status(201), row + (ended > 0 ? ", ends open sessions" : ""), false);
    }

    /**
     * The first limit among {@code kinds} (in the ingress's order: day, week, month, each kind in
     * turn) that the usage after booking (wager, loss, deposit) would exceed, as "kind.period"; null
     * when none would.
     */
    private String overLimit(String player, List<String> kinds, long wager, long loss, long deposit) {
        Usage u = usage.getOrDefault(player, Usage.ZERO).plus(wager, loss, deposit);
        for (String period : PERIODS) {
            for (String kind : kinds) {
                Long limit = limits.getOrDefault(player + "|" + kind + "." + period, Limit.NONE).value();
                long used = switch (kind) {
                    case "wager" -> u.wager();
                    case "loss" -> u.loss();
                    default -> u.deposit();
                };
                if (limit != null && used > limit) {
                    return kind + "." + period;
                }
            }
        }
        return null;
    }

    /** Whether any limit of {@code kind} is in force for the player (for the coverage rows). */
    private boolean limitsInForce(String player, String kind) {
        for (String period : PERIODS) {
            if (limits.getOrDefault(player + "|" + kind + "." + period, Limit.NONE).value() != null) {
                return true;
            }
        }
        return false;
    }

    private void book(String player, long wager, long loss, long deposit) {
        usage.put(player, usage.getOrDefault(player, Usage.ZERO).plus(wager, loss, deposit));
    }

    /** What a settlement of {@code kind} crediting {@code cash} books ({@code sign} -1: its rollback takes it back). */
    private void bookSettlement(String player, BetState kind, long cash, int sign) {
        switch (kind) {
            case WON, CASHED_OUT -> book(player, 0, -sign * cash, 0);
            case REFUNDED -> book(player, -sign * cash, -sign * cash, 0);
            default -> {
            }
        }
    }

    /** The limits' view of a player (PUT and GET limits answer it). */
    private Answer.LimitsView limitsView(String player) {
        return new Answer.LimitsView(limitViews(player), usageView(usage.getOrDefault(player, Usage.ZERO)));
    }

    /** Applies the player's pending credits (but the {@code invisible} ones); returns how many. */
    private int applyAllPending(String player, Set<Key> invisible) {
        int applied = 0;
        for (Map.Entry<Key, Credit> e : new ArrayList<>(credits.entrySet())) {
            if (e.getValue().player().equals(player) && e.getValue().status() == CreditStatus.PENDING && !invisible.contains(e.getKey())) {
                applyCredit(e.getKey());
                applied++;
            }
        }
        return applied;
    }

    private void applyCredit(Key creditKey) {
        Credit credit = credits.get(creditKey);
        PlayerState p = player(credit.player());
        players.put(credit.player(), new PlayerState(p.currency(), p.blocked(), p.settled() + credit.amount()));
        credits.put(creditKey, credit.with(CreditStatus.APPLIED));
    }

    private PlayerState player(String player) {
        return Objects.requireNonNull(players.get(player), () -> "the model has no player " + player);
    }

    // ---- reads ----

    /** Whether a success answer is stored for this idempotency key (a replay must repeat it). */
    public boolean isStored(Key key) {
        return stored.containsKey(key);
    }

    /** Whether the player has a limit or a pending change (issue 15). */
    public boolean limitsTouched(String player) {
        return !limitViews(player).isEmpty();
    }

    public boolean hasPlayer(String player) {
        return players.containsKey(player);
    }

    public long available(String player) {
        return wallet(player).available();
    }

    public WalletView wallet(String player) {
        long pending = 0;
        long count = 0;
        for (Credit c : credits.values()) {
            if (c.player().equals(player) && c.status() == CreditStatus.PENDING) {
                pending += c.amount();
                count++;
            }
        }
        return new WalletView(player(player).settled(), pending, count);
    }

    /** The credits still pending, in the order they were decided. */
    public List<Key> pendingCredits() {
        List<Key> out = new ArrayList<>();
        credits.forEach((k, c) -> {
            if (c.status() == CreditStatus.PENDING) {
                out.add(k);
            }
        });
        return out;
    }

    /** The bets by make tx: {@link #betView} of each (TOMBSTONE for a discard tombstone). */
    public Map<String, String> betStates() {
        Map<String, String> out = new TreeMap<>();
        bets.forEach((tx, b) -> out.put(tx, betView(b.state().name(), b.confirmed(), b.providerStatus(), b.bonusType(), b.cashStake(),
                b.bonusStake())));
        return out;
    }

    /**
     * How a bet is compared: "STATE", then " confirmed" after a commit, then " status=..." after a
     * settlement note, then for a bonus bet its type, cash stake and bonus stake.
     */
    public static String betView(String state, boolean confirmed, String providerStatus, String bonusType, long stake, long bonusStake) {
        return state + (confirmed ? " confirmed" : "") + (providerStatus == null ? "" : " status=" + providerStatus)
                + (bonusType == null ? "" : " " + bonusType + " stake=" + stake + " bonus_stake=" + bonusStake);
    }

    /** The bonuses by id: "STATUS", then " bet=<make tx>" when bound. */
    public Map<String, String> bonusStates() {
        Map<String, String> out = new TreeMap<>();
        // The bet a bonus names: the one it is bound to, or, released, the one that released it last (bonus.bet_id).
        bonuses.forEach((id, b) -> out.put(id, bonusView(b.status().name(), b.lastBetTx())));
        return out;
    }

    public static String bonusView(String status, String betTx) {
        return status + (betTx == null ? "" : " bet=" + betTx);
    }

    /** The credits by key: "STATUS amount". */
    public Map<String, String> creditStatuses() {
        Map<String, String> out = new TreeMap<>();
        credits.forEach((k, c) -> out.put(k.toString(), c.status().name() + " " + c.amount()));
        return out;
    }

    /** The settlements (and rollback tombstones) by key: "STATE amount". */
    public Map<String, String> settlementStates() {
        Map<String, String> out = new TreeMap<>();
        settlements.forEach((k, s) -> out.put(k.toString(), s.state().name() + " " + s.amount()));
        return out;
    }

    /** A limit as it is compared: "value=V", then " pending=P" (P "removal" for a pending removal). */
    public static String limitView(Long value, boolean pending, Long pendingValue) {
        return "value=" + value + (pending ? " pending=" + (pendingValue == null ? "removal" : pendingValue) : "");
    }

    /** A period's usage as it is compared. */
    public static String usageView(long wager, long loss, long deposit) {
        return "wager=" + wager + " loss=" + loss + " deposit=" + deposit;
    }

    static String usageView(Usage u) {
        return usageView(u.wager(), u.loss(), u.deposit());
    }

    /** A player's limits by "kind.period" (those with a value or a pending change). */
    public Map<String, String> limitViews(String player) {
        Map<String, String> out = new TreeMap<>();
        limits.forEach((k, l) -> {
            if (k.startsWith(player + "|") && !l.isNone()) {
                out.put(k.substring(player.length() + 1), limitView(l.value(), l.pending(), l.pendingValue()));
            }
        });
        return out;
    }

    /** Every player's limits by "player kind.period" (those with a value or a pending change). */
    public Map<String, String> limitStates() {
        Map<String, String> out = new TreeMap<>();
        limits.forEach((k, l) -> {
            if (!l.isNone()) {
                out.put(k.replace('|', ' '), limitView(l.value(), l.pending(), l.pendingValue()));
            }
        });
        return out;
    }

    /** Every player's usage by "player period" (day, week and month alike), left out where it is all zero. */
    public Map<String, String> usageStates() {
        Map<String, String> out = new TreeMap<>();
        usage.forEach((player, u) -> {
            if (!u.equals(Usage.ZERO)) {
                for (String period : PERIODS) {
                    out.put(player + " " + period, usageView(u));
                }
            }
        });
        return out;
    }

    /** The sessions by label: "player OPEN" or "player ENDED". */
    public Map<String, String> sessionStates() {
        Map<String, String> out = new TreeMap<>();
        sessions.forEach((label, s) -> out.put(label, sessionView(s.player(), s.open())));
        return out;
    }

    public static String sessionView(String player, boolean open) {
        return player + (open ? " OPEN" : " ENDED");
    }

    /** The exclusions in force by player: "until +Nd" or "indefinitely". */
    public Map<String, String> exclusionStates() {
        Map<String, String> out = new TreeMap<>();
        exclusions.forEach((player, x) -> out.put(player, exclusionView(x.untilDays())));
        return out;
    }

    public static String exclusionView(Long untilDays) {
        return untilDays == null ? "indefinitely" : "until +" + untilDays + "d";
    }

    public Map<Key, Credit> credits() {
        return Collections.unmodifiableMap(credits);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WalletModel m && policy == m.policy && players.equals(m.players) && bets.equals(m.bets)
                && settlements.equals(m.settlements) && credits.equals(m.credits) && stored.equals(m.stored) && bonuses.equals(m.bonuses)
                && sessions.equals(m.sessions) && exclusions.equals(m.exclusions) && limits.equals(m.limits) && usage.equals(m.usage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(players, bets, settlements, credits, bonuses);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(players).forEach((id, p) -> sb.append("  player ").append(id).append(' ').append(p).append(" pending=")
                .append(wallet(id).pending()).append('\n'));
        new TreeMap<>(bets).forEach((tx, b) -> sb.append("  bet ").append(tx).append(' ').append(b).append('\n'));
        settlementStates().forEach((k, s) -> sb.append("  settlement ").append(k).append(' ').append(s).append('\n'));
        creditStatuses().forEach((k, s) -> sb.append("  credit ").append(k).append(' ').append(s).append('\n'));
        new TreeMap<>(bonuses).forEach((id, b) -> sb.append("  bonus ").append(id).append(' ').append(b).append('\n'));
        sessionStates().forEach((k, v) -> sb.append("  session ").append(k).append(' ').append(v).append('\n'));
        exclusionStates().forEach((k, v) -> sb.append("  exclusion ").append(k).append(' ').append(v).append('\n'));
        limitStates().forEach((k, v) -> sb.append("  limit ").append(k).append(' ').append(v).append('\n'));
        new TreeMap<>(usage).forEach((k, v) -> sb.append("  usage ").append(k).append(' ').append(usageView(v)).append('\n'));
        return sb.toString();
    }
}
