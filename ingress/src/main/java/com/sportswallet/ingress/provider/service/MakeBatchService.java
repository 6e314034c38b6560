package com.sportswallet.ingress.provider.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;

import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.provider.ProtocolException;
import com.sportswallet.ingress.provider.budget.CallbackBudget;
import com.sportswallet.ingress.provider.lane.MakeLanes.Outcome;
import com.sportswallet.ingress.provider.service.BetMakeService.Betslip;
import com.sportswallet.ingress.provider.service.BetMakeService.MakeMember;
import com.sportswallet.ingress.provider.service.BetMakeService.MakeRequest;
import com.sportswallet.ingress.provider.service.BetMakeService.SessionCheck;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.ingress.service.LimitSettings;
import com.sportswallet.ingress.service.MoneySettings;
import com.sportswallet.ingress.service.SessionSettings;
import com.sportswallet.money.BetMake;
import com.sportswallet.money.CreditBatch;
import com.sportswallet.money.Limits;
import com.sportswallet.money.NamedSql;
import com.sportswallet.money.Spend;
import com.sportswallet.outbox.Outbox;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * bet/make for a batch of one player's makes (issue 16; every make, with a bonus or not, a batch of
 * one when it waited for nobody): ONE transaction, ONE commit, the wallet row locked once, for up
 * to {@code MAKE_BATCH_MAX} makes queued in the player's lane (MakeLanes). Each member is decided
 * as a make alone would be, in arrival order, each in PROTOCOL.md's refusal precedence, and takes
 * its player_seq values in that order; a refusal never fails another member: it is decided by
 * conditional statements that raise no SQL error, or under the member's savepoint, and the refused
 * member leaves nothing (its claim, bet and selections are deleted in the batch's transaction; only
 * shared reference rows may stay). Round trips:
 * <ol>
 * <li>the members' idempotency claims, in key order (the lock order), the wallet read without a
 * lock, and the named sessions' states ({@link BetMake#BATCH_CLAIM_AND_READ}): a key already taken
 * replays its answer; 1006, 1005, 1007, 2002 refuse a member (so a make refused for its session or
 * currency reaches no write);</li>
 * <li>the union of the members' reference rows not yet known committed ({@link KnownReferences}), once, sorted; their bets
 * and selections; the player's status and the sessions under share locks, the bonus rows the members name locked (only
 * when one does; {@link BetMake#batchBets}): a block, an ended session (1007), a discard tombstone refuses, in
 * that order. When the batch's only member still undecided is a cash make in the wallet's
 * currency whose stake the unlocked read covered (the common make), its debit (step 5's statement, without a
 * savepoint) is sent in this round trip too ({@link BetMake#batchBetsAndDebit}), and a refusal read from this round
 * trip rolls the transaction back: a round trip less, so such a make takes two round trips and the commit;</li>
 * <li>only when the unlocked read showed the settled balance short of the members' cash stakes (a
 * freebet's stake is no cash) and pending money: the wallet's pending credits applied, as the
 * worker would, before any wallet statement ({@link Spend#flipFirst}: no credit row is ever
 * locked after the wallet row);</li>
 * <li>when no member has a bonus and the settled balance covers every stake: all the debits in one
 * statement, the wallet and usage rows updated once ({@link BetMake#BATCH_DEBIT_AND_BOOK}); it
 * backs out to its savepoint when the balance is short after all or a limit is in force, and
 * then</li>
 * <li>per member, in arrival order: its savepoint (not for the batch's only member to debit, a cash make whose stake
 * the unlocked read covered: its refusal rolls the transaction back), a bonus make's redemption (3001, 4002; a freebet
 * then only its events and answer, no cash), and its conditional debit with its ledger entry,
 * event, stored answer and limit usage ({@link BetMake#MEMBER_DEBIT_AND_BOOK}); a refusal backs
 * out to the savepoint, the redemption included. A member short of money while pending money
 * remains, after an earlier member locked the wallet (so the credits can no longer be applied in
 * this transaction), goes back to the lane with every member after it (deferred: the next batch
 * applies them first);</li>
 * <li>the refused and deferred members' rows deleted ({@link BetMake#BATCH_RELEASE}), then commit;
 * when members were refused and none was accepted, the transaction rolls back instead (nothing to keep).</li>
 * </ol>
 * A failure of the transaction itself (the commit, the budget, the database) fails every member:
 * none is answered 200.
 */
@ApplicationScoped
public class MakeBatchService {
    private static final String ENDPOINT = BetMakeService.ENDPOINT;
    private static final HexFormat HEX = HexFormat.of();
    /** Batches whose members were debited in one statement ({@code outcome=all}) or backed out of it ({@code short}, {@code limits}). */
    public static final String BATCH_DEBIT_METRIC = "callback.make.batch.debit";

    @Inject
    DataSource dataSource;
    @Inject
    CallbackBudget budget;
    @Inject
    MoneySettings money;
    @Inject
    MeterRegistry meters;
    @Inject
    BonusClock clock;
    @Inject
    SessionSettings sessions;
    @Inject
    LimitSettings limits;
    @Inject
    TransactionManager transactions;
    @Inject
    KnownReferences references;

    /**
     * Decides a batch of one player's makes (distinct keys, arrival order).
     *
     * @param remainingMs the earliest member's remaining budget (Long.MAX_VALUE: none)
     * @return one outcome per member, in order: its answer, its refusal, or deferred
     */
    @Transactional(rollbackOn = Exception.class)
    public List<Outcome<Answer>> make(List<MakeMember> members, long remainingMs) throws SQLException, SystemException {
        // Every member is decided at one instant of the wallet's clock (sessions, limits, their day).
        Instant at = clock.instant();
        Decisions d = new Decisions(members, at, Limits.day(at, limits.timeZone()));
        try (Connection c = dataSource.getConnection(); CallbackBudget.Guard budgetGuard = budget.guard(c, remainingMs)) {
            Wallet wallet = claimAndRead(c, d);
            if (!d.live().isEmpty()) {
                insertBets(c, d, wallet);
            }
            if (!d.live().isEmpty()) {
                debit(c, d, wallet);
            }
            if (d.accepted == 0 && !d.releasedKeys.isEmpty()) {
                // Nothing to keep: refusals and deferrals leave nothing (a batch of replays only wrote nothing: it commits).
                transactions.setRollbackOnly();
            } else if (!d.releasedKeys.isEmpty()) {
                release(c, d);
            }
        }
        return d.outcomes;
    }

    /** The wallet as round trip 1 read it, without a lock. */
    private record Wallet(long id, String currency, long balance, long pending) {
    }

    /** What the batch decided so far, member by member. */
    private static final class Decisions {
        final List<MakeMember> members;
        final Instant at;
        final LocalDate day;
        final List<Outcome<Answer>> outcomes = new ArrayList<>();
        /** Keys to give back (refused or deferred members with a claim), and the bets this batch inserted for them. */
        final Set<String> releasedKeys = new LinkedHashSet<>();
        final Set<String> releasedBets = new LinkedHashSet<>();
        final Set<String> betsInserted = new HashSet<>();
        int accepted;

        Decisions(List<MakeMember> members, Instant at, LocalDate day) {
            this.members = members;
            this.at = at;
            this.day = day;
            members.forEach(m -> outcomes.add(null));
        }

        /** Indexes of the members still undecided, in arrival order. */
        List<Integer> live() {
            List<Integer> live = new ArrayList<>();
            for (int i = 0; i < members.size(); i++) {
                if (outcomes.get(i) == null) {
                    live.add(i);
                }
            }
            return live;
        }

        MakeRequest request(int i) {
            return members.get(i).request();
        }

        String betId(int i) {
            return Callbacks.operatorId(ENDPOINT, request(i).transactionId());
        }

        SessionCheck session(int i, boolean required) {
            return new SessionCheck(members.get(i).sessionId(), required, at);
        }

        /** Member {@code i} claimed its key and is refused: it leaves nothing. */
        void refuse(int i, Exception refusal) {
            outcomes.set(i, Outcome.failed(refusal));
            release(i);
        }

        void defer(int i) {
            outcomes.set(i, Outcome.defer());
            release(i);
        }

        private void release(int i) {
            releasedKeys.add(request(i).transactionId());
            if (betsInserted.contains(betId(i))) {
                releasedBets.add(betId(i));
            }
        }
    }

    /** Round trip 1: the claims in key order, the wallet read, the sessions' states; replays and the first refusals. */
    private Wallet claimAndRead(Connection c, Decisions d) throws SQLException {
        Set<String> claimed = new HashSet<>();
        Wallet wallet = null;
        String status = null;
        boolean excluded = false;
        Map<String, String> sessionStates = new HashMap<>();
        String playerId = d.request(0).playerId();
        try (NamedSql.Bound s = BetMake.BATCH_CLAIM_AND_READ.prepare(c)) {
            s.set("endpoint", ENDPOINT)
                    .setArray("keys", "text", d.members.stream().map(m -> m.request().transactionId()).toArray())
                    .setArray("request_hashes", "text", d.members.stream().map(m -> HEX.formatHex(m.requestHash().bytes())).toArray())
                    .setArray("hash_versions", "integer", d.members.stream().map(m -> m.requestHash().version()).toArray())
                    .set("player_id", playerId)
                    .set("now", d.at)
                    .setArray("session_ids", "text", sessionIds(d));
            PreparedStatement ps = s.statement();
            ps.execute();
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    claimed.add(rs.getString(1));
                }
            }
            nextResultSet(ps, "wallet read");
            try (ResultSet rs = ps.getResultSet()) {
                if (rs.next()) {
                    wallet = new Wallet(rs.getLong(3), rs.getString(1), rs.getLong(4), rs.getLong(5));
                    status = rs.getString(2);
                    excluded = rs.getBoolean(6);
                }
            }
            nextResultSet(ps, "sessions read");
            readSessions(ps, sessionStates);
        }
        boolean required = sessions.required();
        for (int i = 0; i < d.members.size(); i++) {
            MakeRequest r = d.request(i);
            if (!claimed.contains(r.transactionId())) {
                d.outcomes.set(i, replay(c, d.members.get(i)));
                continue;
            }
            // PROTOCOL.md's precedence: 1006, then 1005, then 1007, then 2002.
            try {
                if (wallet == null) {
                    throw new ProtocolException(ProtocolException.PLAYER_NOT_FOUND, "player " + r.playerId() + " not found");
                }
                BetMakeService.requireActive(status, excluded, r);
                // An unlocked read: it may refuse (a session never comes back), round trip 2 decides an acceptance.
                SessionCheck session = d.session(i, required);
                session.require(sessionStates.get(session.sessionId()), r);
                if (!wallet.currency().equals(r.currency())) {
                    throw new ProtocolException(ProtocolException.INVALID_CURRENCY, "currency " + r.currency() + " is not the player's wallet currency");
                }
            } catch (ProtocolException refusal) {
                d.refuse(i, refusal);
            }
        }
        return wallet;
    }

    private static Outcome<Answer> replay(Connection c, MakeMember m) throws SQLException {
        try {
            return Outcome.of(BetMakeService.replay(c, m.request(), m.requestHash()));
        } catch (ProtocolException mismatch) {
            return Outcome.failed(mismatch);
        }
    }

    /** Round trip 2: the union of the reference rows, the bets and selections, the status and sessions under share locks. */
    private void insertBets(Connection c, Decisions d, Wallet wallet) throws SQLException, SystemException {
        List<Integer> live = d.live();
        Betslip union = new Betslip();
        List<Object> selBets = new ArrayList<>();
        List<Object> selPositions = new ArrayList<>();
        List<Object> selIds = new ArrayList<>();
        List<Object> selEvents = new ArrayList<>();
        List<Object> selMarkets = new ArrayList<>();
        List<Object> selOutcomes = new ArrayList<>();
        List<Object> selOdds = new ArrayList<>();
        List<Object> selLive = new ArrayList<>();
        for (int i : live) {
            Betslip slip = d.request(i).betslip();
            union.addReferences(slip);
            for (Betslip.Selection sel : slip.selections) {
                selBets.add(d.betId(i));
                selPositions.add(sel.position());
                selIds.add(sel.id());
                selEvents.add(sel.eventId());
                selMarkets.add(sel.market());
                selOutcomes.add(sel.outcome());
                selOdds.add(sel.odds());
                selLive.add(sel.live());
            }
        }
        Map<String, String> sessionStates = new HashMap<>();
        String status;
        boolean excluded;
        Betslip upserts = references.unknown(union);
        boolean allKnown = upserts.isEmpty();
        Object[] bonusIds = live.stream().map(i -> d.request(i).bonus()).filter(b -> b != null && b.id() != null).map(BetMakeService.BonusUse::id)
                .distinct().toArray();
        BetMake.DebitLine lone = loneDebit(d, live, wallet);
        BetMake.Debited loneDebited = null;
        NamedSql round = lone != null ? BetMake.batchBetsAndDebit(allKnown) : BetMake.batchBets(allKnown, bonusIds.length > 0);
        try (NamedSql.Bound s = round.prepare(c)) {
            (allKnown ? s : upserts.bindReferences(s))
                    .set("player_id", d.request(live.get(0)).playerId())
                    .set("wallet_id", wallet.id())
                    .set("currency", wallet.currency())
                    .set("day", d.day)
                    .set("now", d.at)
                    .setArray("bet_ids", "text", live.stream().map(d::betId).toArray())
                    .setArray("transaction_ids", "text", live.stream().map(i -> d.request(i).transactionId()).toArray())
                    .setArray("stakes", "bigint", live.stream().map(i -> d.request(i).amount()).toArray())
                    .setArray("betslip_ids", "text", live.stream().map(i -> d.request(i).betslipId()).toArray())
                    .setArray("potential_wins", "bigint", live.stream().map(i -> d.request(i).potentialWin()).toArray())
                    .setArray("selection_bet_ids", "text", selBets.toArray())
                    .setArray("selection_positions", "integer", selPositions.toArray())
                    .setArray("selection_ids", "text", selIds.toArray())
                    .setArray("selection_event_ids", "text", selEvents.toArray())
                    .setArray("selection_markets", "text", selMarkets.toArray())
                    .setArray("selection_outcomes", "text", selOutcomes.toArray())
                    .setArray("selection_odds", "text", selOdds.toArray())
                    .setArray("selection_live", "boolean", selLive.toArray())
                    .setArray("session_ids", "text", sessionIds(d));
            if (bonusIds.length > 0) {
                s.setArray("bonus_ids", "text", bonusIds);
            }
            if (lone != null) {
                BetMakeService.bindDebit(s, wallet.id(), lone, d.request(live.get(0)), d.day, d.at);
            }
            PreparedStatement ps = s.statement();
            ps.execute();
            // The reference upserts' results (none when the batch sent none) come before the bets'.
            int betsResult = allKnown ? 0 : BetMake.BATCH_BETS_STATEMENT_INDEX;
            for (int statement = 0; statement < betsResult; statement++) {
                ps.getMoreResults();
            }
            references.rememberOnCommit(transactions, upserts);
            try (ResultSet rs = ps.getResultSet()) {
                if (rs == null) {
                    throw new IllegalStateException("the batch's bet insert returned no result set");
                }
                while (rs.next()) {
                    d.betsInserted.add(rs.getString(1));
                }
            }
            // The status under the share lock: a block that committed since round trip 1 refuses the batch here; one
            // that comes later waits for the batch's commit, so the batch is ordered wholly before it.
            nextResultSet(ps, "status read");
            try (ResultSet rs = ps.getResultSet()) {
                if (!rs.next()) {
                    throw new IllegalStateException("the player's status read returned no row");
                }
                status = rs.getString(1);
                excluded = rs.getBoolean(2);
            }
            nextResultSet(ps, "sessions read");
            readSessions(ps, sessionStates);
            if (bonusIds.length > 0) {
                // The bonus rows locked (their result is not needed: each member's redemption decides).
                nextResultSet(ps, "bonus locks");
            }
            if (lone != null) {
                nextResultSet(ps, "debit");
                loneDebited = BetMake.readDebited(ps);
            }
        }
        boolean required = sessions.required();
        for (int i : live) {
            MakeRequest r = d.request(i);
            try {
                BetMakeService.requireActive(status, excluded, r);
                SessionCheck session = d.session(i, required);
                session.require(sessionStates.get(session.sessionId()), r);
                if (!d.betsInserted.contains(d.betId(i))) {
                    // Only a discard tombstone can hold this make's id: the claim let no other make through.
                    throw ProtocolException.badRequest("transaction " + r.transactionId() + " was discarded before it was made");
                }
            } catch (ProtocolException refusal) {
                d.refuse(i, refusal);
            }
        }
        if (lone != null && d.outcomes.get(live.get(0)) == null) {
            // Neither refused nor deferred before its debit: decided by what the debit in this round trip did.
            conclude(c, d, live, 0, afterDebit(c, d, live.get(0), wallet, loneDebited, null), false, wallet);
        }
    }

    /**
     * The debit line of a batch whose only member still undecided is a cash make in the wallet's currency whose stake the
     * unlocked read covered: its debit joins round trip 2 ({@link BetMake#batchBetsAndDebit}; no savepoint: its refusal
     * rolls the whole transaction back). Otherwise null, and the debits are round trip 3 ({@link #debit}).
     */
    private static BetMake.DebitLine loneDebit(Decisions d, List<Integer> live, Wallet wallet) {
        // Round trip 1 refused every member in another currency (2002): the currency needs no check here.
        if (live.size() != 1 || !debitsAlone(d, live, live.get(0), wallet, false)) {
            return null;
        }
        try {
            return BetMakeService.debitLine(d.betId(live.get(0)), d.request(live.get(0)), null, Instant.now());
        } catch (Outbox.EventTooLargeException tooLarge) {
            return null; // 2004, refused in its place in the precedence by round trip 3
        }
    }

    /**
     * Whether member {@code i} is the batch's only member to debit ({@code live} holds it alone), a cash make whose stake
     * the unlocked read covered or whose wallet's pending credits were applied ({@code flipped}): it takes no savepoint,
     * its refusal rolls the whole transaction back (nothing is kept), and when it finds the settled balance short after
     * all it is refused or deferred, never retried in this transaction.
     */
    private static boolean debitsAlone(Decisions d, List<Integer> live, int i, Wallet wallet, boolean flipped) {
        if (live.size() != 1) {
            return false;
        }
        MakeRequest r = d.request(i);
        return r.bonus() == null && (flipped || Spend.fastPath(wallet.balance(), r.cashStake()));
    }

    /** Round trips 3 and 4: the pending credits applied first when needed, then each member's debit in arrival order. */
    private void debit(Connection c, Decisions d, Wallet wallet) throws SQLException {
        List<Integer> live = d.live();
        long stakes = live.stream().mapToLong(i -> d.request(i).cashStake()).sum();
        boolean flipped = false;
        // Whether a statement of this batch (outside a member's rolled-back savepoint) holds the wallet row lock.
        boolean walletLocked = false;
        if (Spend.flipFirst(wallet.balance(), wallet.pending(), stakes)) {
            walletLocked = !applyPending(c, wallet).isEmpty();
            flipped = true;
        }
        boolean bonuses = live.stream().anyMatch(i -> d.request(i).bonus() != null);
        if (live.size() > 1 && !bonuses && (flipped || Spend.fastPath(wallet.balance(), stakes)) && debitAll(c, d, wallet, live)) {
            return;
        }
        for (int n = 0; n < live.size(); n++) {
            int i = live.get(n);
            boolean alone = debitsAlone(d, live, i, wallet, flipped);
            Step step;
            try {
                step = step(c, d, i, wallet, !alone);
            } catch (Outbox.EventTooLargeException tooLarge) {
                // Refused before its savepoint and statements (2004): nothing of this member reached the database here.
                d.refuse(i, tooLarge);
                continue;
            }
            if (step.shortOfMoney() && !flipped && !walletLocked && !alone) {
                // The slow path as Spend takes it: back out of the wallet lock the debit took, apply the pending credits
                // (credit rows, then the wallet), debit again.
                execute(c, BetMake.MEMBER_ROLLBACK_SQL);
                flipped = true;
                walletLocked = !applyPending(c, wallet).isEmpty();
                step = step(c, d, i, wallet, true);
            }
            if (step.answer() != null) {
                walletLocked = true;
            } else if (!alone) {
                execute(c, BetMake.MEMBER_ROLLBACK_SQL);
            }
            if (conclude(c, d, live, n, step, flipped, wallet)) {
                return;
            }
        }
    }

    /**
     * Member {@code live[n]}'s step concluded, after the caller backed out to its savepoint unless it was accepted: accepted,
     * refused, or, short of money while pending money this transaction can no longer apply (the wallet row is locked),
     * deferred with every later member, in order (the next batch applies the credits first); otherwise 2001.
     *
     * @return whether the rest of the batch was deferred
     */
    private boolean conclude(Connection c, Decisions d, List<Integer> live, int n, Step step, boolean flipped, Wallet wallet) throws SQLException {
        int i = live.get(n);
        if (step.answer() != null) {
            d.outcomes.set(i, Outcome.of(step.answer()));
            d.accepted++;
        } else if (step.refusal() != null) {
            d.refuse(i, step.refusal());
        } else if (!flipped && pending(c, wallet.id()) > 0) {
            for (int m = n; m < live.size(); m++) {
                d.defer(live.get(m));
            }
            return true;
        } else {
            d.refuse(i, new ProtocolException(ProtocolException.NOT_ENOUGH_MONEY, "not enough money for a stake of " + d.request(i).amount()));
        }
        return false;
    }

    /** A member's step: its answer (accepted), its refusal, or neither: the settled balance did not cover its stake. */
    private record Step(Answer answer, Exception refusal) {
        boolean shortOfMoney() {
            return answer == null && refusal == null;
        }
    }

    /**
     * A member's step, after its savepoint when {@code savepoint} or it has a bonus (the caller backs out to it unless the
     * member is accepted; without one, the member is the batch's only one to debit), in PROTOCOL.md's
     * precedence: a bonus make's bonus redeemed first (3001, 4002), then the debit (4001, then 2001) with what an
     * accepted make stores; a freebet debits no cash, its events and answer only.
     *
     * @throws Outbox.EventTooLargeException 2004, before the savepoint: nothing of this member was written
     */
    private Step step(Connection c, Decisions d, int i, Wallet wallet, boolean savepoint) throws SQLException {
        MakeRequest r = d.request(i);
        String betId = d.betId(i);
        BetMakeService.Redemption redemption = null;
        BetMake.DebitLine line = r.freebet() ? null : BetMakeService.debitLine(betId, r, r.bonus(), Instant.now());
        if (r.bonus() != null) {
            BetMake.savepoint(c);
            redemption = BetMakeService.redeem(c, betId, r, d.at);
            if (redemption.refusal() != null) {
                return new Step(null, redemption.refusal());
            }
            if (r.freebet()) {
                try {
                    return new Step(BetMakeService.freebetPlaced(c, wallet.id(), betId, r, redemption.redeemed()), null);
                } catch (Outbox.EventTooLargeException tooLarge) {
                    return new Step(null, tooLarge); // 2004, after the savepoint: the caller backs out to it
                }
            }
        }
        // With a bonus, the savepoint was taken before its redemption; a cash make's is in its debit's round trip.
        BetMake.Debited debited = BetMakeService.debit(c, savepoint && r.bonus() == null, wallet.id(), line, r, d.day, d.at);
        return afterDebit(c, d, i, wallet, debited, redemption);
    }

    /** A member's step once its debit ran: 4001 before 2001 (the precedence), else accepted with what an accepted make stores. */
    private static Step afterDebit(Connection c, Decisions d, int i, Wallet wallet, BetMake.Debited debited, BetMakeService.Redemption redemption)
            throws SQLException {
        MakeRequest r = d.request(i);
        ProtocolException over = BetMakeService.overLimit(debited, r);
        if (over != null || debited.answer() == null) {
            return new Step(null, over);
        }
        String betId = d.betId(i);
        if (redemption != null) {
            BetMakeService.comboboostRedeemed(c, wallet.id(), betId, r, redemption.redeemed());
        }
        return new Step(BetMakeService.accepted(c, wallet.id(), betId, r, debited, d.at), null);
    }

    /**
     * Every member's debit in one statement (make-batch-debit.sql: the wallet row and the usage rows updated once for
     * the batch, not once per member), when the settled balance covers their total and no limit is in force: then no
     * member can be refused, and each gets what its own debit would have given it, in arrival order. Otherwise it
     * backs out to its savepoint (nothing written, the wallet lock it took released) and returns false: the members
     * are decided one by one.
     */
    private boolean debitAll(Connection c, Decisions d, Wallet wallet, List<Integer> live) throws SQLException {
        Instant now = Instant.now();
        List<BetMake.DebitLine> lines = new ArrayList<>();
        for (int i : live) {
            try {
                lines.add(BetMakeService.debitLine(d.betId(i), d.request(i), null, now));
            } catch (Outbox.EventTooLargeException tooLarge) {
                return false; // refused member by member
            }
        }
        BetMake.DebitedAll all = BetMake.debitAll(c, wallet.id(), ENDPOINT, d.request(live.get(0)).playerId(), lines, d.day, d.at);
        if (all.answers().size() != live.size() || !Limits.checks(all.usage(), BetMake.LIMIT_KINDS).isEmpty()) {
            execute(c, BetMake.MEMBER_ROLLBACK_SQL);
            meters.counter(BATCH_DEBIT_METRIC, "outcome", all.answers().isEmpty() ? "short" : "limits").increment();
            return false;
        }
        for (int i : live) {
            d.outcomes.set(i, Outcome.of(new Answer(200, all.answers().get(d.request(i).transactionId()))));
            d.accepted++;
        }
        meters.counter(BATCH_DEBIT_METRIC, "outcome", "all").increment();
        return true;
    }

    /** The wallet's pending credits applied as the worker would (credit rows locked, then the wallet). */
    private List<CreditBatch.Applied> applyPending(Connection c, Wallet wallet) throws SQLException {
        List<CreditBatch.Applied> applied = CreditBatch.applyPendingOf(c, wallet.id(), money.creditFlipMax());
        if (applied.size() >= money.creditFlipMax()) {
            meters.counter(MoneySettings.FLIP_CAPPED_METRIC, "endpoint", ENDPOINT).increment();
        }
        return applied;
    }

    /** The wallet's pending money, read under the lock this transaction holds. */
    private static long pending(Connection c, long walletId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pending FROM wallet WHERE id = ?")) {
            ps.setLong(1, walletId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("wallet " + walletId + " vanished");
                }
                return rs.getLong(1);
            }
        }
    }

    /** The refused and deferred members' claims, bets and selections: removed, in one round trip. */
    private static void release(Connection c, Decisions d) throws SQLException {
        try (NamedSql.Bound s = BetMake.BATCH_RELEASE.prepare(c)) {
            s.setArray("bet_ids", "text", d.releasedBets.toArray())
                    .setArray("keys", "text", d.releasedKeys.toArray())
                    .set("endpoint", ENDPOINT)
                    .statement()
                    .execute();
        }
    }

    private static Object[] sessionIds(Decisions d) {
        return d.members.stream().map(MakeMember::sessionId).filter(java.util.Objects::nonNull).distinct().toArray();
    }

    private static void readSessions(PreparedStatement ps, Map<String, String> states) throws SQLException {
        try (ResultSet rs = ps.getResultSet()) {
            while (rs.next()) {
                states.put(rs.getString(1), rs.getString(2));
            }
        }
    }

    private static void nextResultSet(PreparedStatement ps, String what) throws SQLException {
        if (!ps.getMoreResults()) {
            throw new IllegalStateException("the " + what + " returned no result set");
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
