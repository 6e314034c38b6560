package com.sportswallet.money;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

import com.sportswallet.contracts.Topics;

/**
 * The statements of bet/make. The ingress decides every make in a batch of its player's queued makes
 * (issue 16: its MakeBatchService, one transaction and one commit per batch, a batch of one make
 * included), one round trip each:
 * <ol>
 * <li>{@link #BATCH_CLAIM_AND_READ}: the members' idempotency claims in key order, the player's
 * wallet, currency, status and settled balance read without a lock (they only choose the path,
 * {@link Spend}), and the named sessions' states (so 1007 answers before 2002; refusals only, and no
 * make refused for its session reaches a write);</li>
 * <li>{@link #BATCH_BETS}: the union of the betslips' reference rows (only those the ingress does not know
 * committed; none: {@link #BATCH_BETS_KNOWN_REFERENCES}), the bets and selections, the
 * player's status and the sessions read again under share locks held to the commit (so a status
 * change or a session's end is ordered wholly before or after the batch: {@link Sessions}), and, only
 * when a member names one, the bonus rows named locked ({@link #BATCH_BONUS_LOCKS}); for a batch whose
 * only member is a cash make the unlocked read covered, followed by its debit
 * ({@link #batchBetsAndDebit}, no savepoint), and the make is decided in this round trip;</li>
 * <li>either {@link #BATCH_DEBIT_AND_BOOK}, every member's debit in one statement, or per member
 * {@link #MEMBER_DEBIT_AND_BOOK} ({@link #debit}): the member's savepoint (none for a batch's only member to
 * debit whose unlocked read covered its stake), the conditional debit with
 * its ledger entry, event and stored answer, then the stake's limit usage booked, read beside the
 * limits in force (a statement that starts once the debit holds the wallet row lock: {@link Limits});
 * a bonus make takes its savepoint before its redemption ({@link #savepoint}, {@link Bonuses#redeem});</li>
 * <li>{@link #BATCH_RELEASE} for the members refused, then commit (the caller's).</li>
 * </ol>
 * scripts/bench-make runs the same files with pgbench, as a batch of one make. Never commits.
 */
public final class BetMake {
    /** The betslip's reference rows, insert-if-absent, sorted (a batch sends its members' union once). */
    public static final NamedSql REFERENCE = NamedSql.load("make-reference");
    public static final NamedSql DEBIT = NamedSql.load("make-debit");
    /** The debit, then the stake's usage booked ({@link Limits#BOOK}): one round trip. */
    public static final NamedSql DEBIT_AND_BOOK = DEBIT.then(Limits.BOOK);
    /**
     * A batch of one player's makes (issue 16), round trip 1: the claims in key order (a result set of the keys
     * claimed), the wallet read without a lock (a result set, no row: no such player), the named sessions' states.
     */
    public static final NamedSql BATCH_CLAIM_AND_READ = NamedSql.load("make-batch-claim").then(NamedSql.load("make-batch-wallet-read"))
            .then(NamedSql.load("make-batch-sessions"));
    /**
     * Round trip 2 of a batch whose reference rows are all known to be committed (the ingress's cache of ids) and whose
     * members name no bonus: its bets (the ids inserted, the first result), status and sessions FOR SHARE.
     */
    public static final NamedSql BATCH_BETS_KNOWN_REFERENCES = NamedSql.load("make-batch-bets");
    /** Round trip 2 of a batch: the union of its reference rows not known (4 statements), then {@link #BATCH_BETS_KNOWN_REFERENCES}. */
    public static final NamedSql BATCH_BETS = REFERENCE.then(BATCH_BETS_KNOWN_REFERENCES);
    /** The bonus rows a batch's members name, locked: sent after round trip 2's statements, only when a member names one. */
    public static final NamedSql BATCH_BONUS_LOCKS = NamedSql.load("make-batch-bonus-locks");
    private static final NamedSql BATCH_BETS_KNOWN_REFERENCES_BONUSES = BATCH_BETS_KNOWN_REFERENCES.then(BATCH_BONUS_LOCKS);
    private static final NamedSql BATCH_BETS_BONUSES = BATCH_BETS.then(BATCH_BONUS_LOCKS);
    private static final NamedSql BATCH_BETS_KNOWN_REFERENCES_AND_DEBIT = BATCH_BETS_KNOWN_REFERENCES.then(DEBIT_AND_BOOK);
    private static final NamedSql BATCH_BETS_AND_DEBIT = BATCH_BETS.then(DEBIT_AND_BOOK);
    /** The index of the bets' statement (a result set of the bet ids inserted) among {@link #BATCH_BETS}'s statements. */
    public static final int BATCH_BETS_STATEMENT_INDEX = 4;
    /** The savepoint a batch's member backs out to ({@link #MEMBER_ROLLBACK_SQL}); alone, a bonus make's ({@link #savepoint}). */
    public static final NamedSql MEMBER_SAVEPOINT = NamedSql.load("make-member-savepoint");
    /**
     * A member's debit in a batch: the savepoint it backs out to, then {@link #DEBIT_AND_BOOK}, one round trip. A batch's
     * only member to debit runs {@link #DEBIT_AND_BOOK} alone: its refusal rolls the whole transaction back.
     */
    public static final NamedSql MEMBER_DEBIT_AND_BOOK = MEMBER_SAVEPOINT.then(DEBIT_AND_BOOK);
    public static final String MEMBER_ROLLBACK_SQL = "ROLLBACK TO SAVEPOINT make_member";
    /**
     * A batch's debits all at once, all or nothing (make-batch-debit.sql): the savepoint, the debits of every member,
     * then the members' total booked to the limit usage ({@link Limits#BOOK}), one round trip.
     */
    public static final NamedSql BATCH_DEBIT_AND_BOOK = MEMBER_SAVEPOINT.then(NamedSql.load("make-batch-debit"))
            .then(Limits.BOOK);
    /** What a batch's refused and deferred members leave: removed. */
    public static final NamedSql BATCH_RELEASE = NamedSql.load("make-batch-release");
    /** The limits a make is checked against (a freebet's stake books none). */
    public static final java.util.List<String> LIMIT_KINDS = java.util.List.of("wager", "loss");

    /**
     * What round trip 3 did: the stored answer (null when the settled balance did not cover the
     * stake) and the usage after the stake was booked, beside the limits in force. The usage counts
     * the stake whether the debit was made or not: the caller refuses (4001 before 2001, PROTOCOL.md's
     * precedence) or backs out to its savepoint before it accepts anything.
     */
    public record Debited(String answer, java.util.List<Limits.Usage> usage) {
        /** 4001: the wager or loss limit in force the stake took its usage above (the first), or null. */
        public Limits.Checked overLimit() {
            return Limits.over(usage, LIMIT_KINDS);
        }
    }

    private BetMake() {
    }

    /**
     * Round trip 2 as a batch sends it: with the reference upserts unless {@code referencesKnown}, with the bonus locks
     * ({@link #BATCH_BONUS_LOCKS}, their result set last) when {@code bonuses}.
     */
    public static NamedSql batchBets(boolean referencesKnown, boolean bonuses) {
        if (referencesKnown) {
            return bonuses ? BATCH_BETS_KNOWN_REFERENCES_BONUSES : BATCH_BETS_KNOWN_REFERENCES;
        }
        return bonuses ? BATCH_BETS_BONUSES : BATCH_BETS;
    }

    /**
     * Round trip 2 of a batch whose only member is a cash make the unlocked read covered, with its debit ({@link #DEBIT_AND_BOOK},
     * its two result sets last) in the same round trip: the debit runs after the status and session share locks whatever
     * they show, and a refusal the caller reads from them rolls the whole transaction back (nothing is kept). A round trip
     * less on the common make.
     */
    public static NamedSql batchBetsAndDebit(boolean referencesKnown) {
        return referencesKnown ? BATCH_BETS_KNOWN_REFERENCES_AND_DEBIT : BATCH_BETS_AND_DEBIT;
    }

    /** Takes a batch member's savepoint ({@link #MEMBER_SAVEPOINT}; {@link #MEMBER_ROLLBACK_SQL} returns to it). */
    public static void savepoint(Connection c) throws SQLException {
        try (NamedSql.Bound s = MEMBER_SAVEPOINT.prepare(c)) {
            s.statement().execute();
        }
    }

    /**
     * Round trip 3: debits {@code stake} from the wallet if its settled balance covers it, with the
     * ledger entry (key {@code endpoint:key}), the event (its data completed with the balance,
     * version, player_seq and available balance the debit produced) and the stored answer ({@code
     * bodyUpToBalance} followed by the available balance and {@code '}'}); then books the stake as
     * wager and loss usage to the local {@code day}'s periods and reads the limits in force at {@code at}.
     * With {@code memberSavepoint}, after the savepoint a batch's member backs out to
     * ({@link #MEMBER_DEBIT_AND_BOOK}, the same round trip; {@link #MEMBER_ROLLBACK_SQL} returns to it).
     */
    public static Debited debit(Connection c, boolean memberSavepoint, long walletId, long stake, String endpoint, String key, String playerId,
            String eventId, String event, String bodyUpToBalance, java.time.LocalDate day, java.time.Instant at) throws SQLException {
        try (NamedSql.Bound s = (memberSavepoint ? MEMBER_DEBIT_AND_BOOK : DEBIT_AND_BOOK).prepare(c)) {
            bindDebit(s, walletId, stake, endpoint, key, playerId, eventId, event, bodyUpToBalance, day, at);
            java.sql.PreparedStatement ps = s.statement();
            if (!ps.execute() && memberSavepoint && !ps.getMoreResults()) {
                throw new IllegalStateException("the member's debit returned no result set");
            }
            return readDebited(ps);
        }
    }

    /** Binds {@link #DEBIT_AND_BOOK}'s parameters (in {@code s}, alone or after other statements of its round trip). */
    public static NamedSql.Bound bindDebit(NamedSql.Bound s, long walletId, long stake, String endpoint, String key, String playerId,
            String eventId, String event, String bodyUpToBalance, java.time.LocalDate day, java.time.Instant at) throws SQLException {
        s.set("stake", stake)
                .set("wallet_id", walletId)
                .set("ledger_key", endpoint + ":" + key)
                .set("topic", Topics.WALLET_EVENTS)
                .set("event_id", eventId)
                .set("event", event)
                .set("body_up_to_balance", bodyUpToBalance)
                .set("endpoint", endpoint)
                .set("key", key);
        Limits.Booking b = Limits.Booking.make(stake);
        return Limits.bindBook(s, playerId, day, b.wager(), b.loss(), b.deposit(), at);
    }

    /** What {@link #DEBIT_AND_BOOK} did, read from {@code ps} positioned at the debit's result set. */
    public static Debited readDebited(java.sql.PreparedStatement ps) throws SQLException {
        String answer;
        try (ResultSet rs = ps.getResultSet()) {
            if (rs == null) {
                throw new IllegalStateException("the debit returned no result set");
            }
            answer = rs.next() ? rs.getString(1) : null;
        }
        if (!ps.getMoreResults()) {
            throw new IllegalStateException("the usage booking returned no result set");
        }
        try (ResultSet rs = ps.getResultSet()) {
            return new Debited(answer, Limits.usage(rs));
        }
    }

    /** One member of {@link #debitAll}: its stake, idempotency key, event (without its position) and answer up to its balance. */
    public record DebitLine(long stake, String key, String eventId, String event, String bodyUpToBalance) {
    }

    /**
     * What {@link #debitAll} did: each member's stored answer by key (empty when the settled balance did
     * not cover the total: nothing was written after the savepoint), and the usage after the total was booked.
     */
    public record DebitedAll(java.util.Map<String, String> answers, java.util.List<Limits.Usage> usage) {
    }

    /**
     * Debits every line's stake from the wallet, in order, if its settled balance covers their total,
     * each with the ledger entry, event and stored answer {@link #debit} writes for one; then books the
     * total as wager and loss usage to the local {@code day}'s periods beside the limits in force at
     * {@code at}. Takes the member savepoint first ({@link #MEMBER_ROLLBACK_SQL} backs out of all of it):
     * the caller backs out when the answers are empty or a limit is in force.
     */
    public static DebitedAll debitAll(Connection c, long walletId, String endpoint, String playerId, java.util.List<DebitLine> lines,
            java.time.LocalDate day, java.time.Instant at) throws SQLException {
        try (NamedSql.Bound s = BATCH_DEBIT_AND_BOOK.prepare(c)) {
            s.setArray("stakes", "bigint", lines.stream().map(DebitLine::stake).toArray())
                    .setArray("keys", "text", lines.stream().map(DebitLine::key).toArray())
                    .setArray("ledger_keys", "text", lines.stream().map(l -> endpoint + ":" + l.key()).toArray())
                    .setArray("event_ids", "text", lines.stream().map(DebitLine::eventId).toArray())
                    .setArray("events", "text", lines.stream().map(DebitLine::event).toArray())
                    .setArray("bodies_up_to_balance", "text", lines.stream().map(DebitLine::bodyUpToBalance).toArray())
                    .set("wallet_id", walletId)
                    .set("topic", Topics.WALLET_EVENTS)
                    .set("player_id", playerId)
                    .set("endpoint", endpoint);
            long total = lines.stream().mapToLong(DebitLine::stake).sum();
            Limits.Booking b = Limits.Booking.make(total);
            Limits.bindBook(s, playerId, day, b.wager(), b.loss(), b.deposit(), at);
            java.sql.PreparedStatement ps = s.statement();
            if (!ps.execute() && !ps.getMoreResults()) {
                throw new IllegalStateException("the batch's debit returned no result set");
            }
            java.util.Map<String, String> answers = new java.util.HashMap<>();
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    answers.put(rs.getString(1), rs.getString(2));
                }
            }
            if (!ps.getMoreResults()) {
                throw new IllegalStateException("the usage booking returned no result set");
            }
            try (ResultSet rs = ps.getResultSet()) {
                return new DebitedAll(answers, Limits.usage(rs));
            }
        }
    }
}
