package com.sportswallet.money;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

import com.sportswallet.contracts.Topics;

/**
 * The statements of one bet/make (the ingress's BetMakeService runs them, scripts/bench-make runs
 * the same files with pgbench), one round trip each:
 * <ol>
 * <li>{@link #CLAIM_AND_WALLET_READ}: the idempotency claim, then the player's wallet, currency,
 * status and settled balance, read without a lock (it only chooses the path, {@link Spend}), and
 * the make's session's state at the clock's instant (so 1007 answers before 2002; a refusal only);</li>
 * <li>{@link #BET} (or {@link #BET_THEN_SAVEPOINT} on the fast path): the betslip's reference rows,
 * the bet and its selections, the player's status read again under a share lock held to the
 * commit (so a status change is ordered wholly before or after the make), and the session's state
 * read again under a share lock after it (so an end or an extension is too: {@link Sessions});</li>
 * <li>{@link #DEBIT} ({@link #debit}): the conditional debit with its ledger entry, event and stored answer;</li>
 * <li>commit (the caller's).</li>
 * </ol>
 * Never commits.
 */
public final class BetMake {
    public static final NamedSql CLAIM_AND_WALLET_READ = NamedSql.load("idempotency-claim").then(NamedSql.load("make-wallet-read"));
    public static final NamedSql BET = NamedSql.load("make-bet");
    /** The bet statements, then the savepoint the fast path backs out to (one round trip). */
    public static final NamedSql BET_THEN_SAVEPOINT = BET.then(NamedSql.load("spend-savepoint"));
    /** The index of the bet insert among {@link #BET}'s statements (its update count tells a discard tombstone). */
    public static final int BET_STATEMENT_INDEX = 4;
    /** The index of the player's status, read {@code FOR SHARE}, among {@link #BET}'s statements (a result set). */
    public static final int STATUS_STATEMENT_INDEX = 6;
    /** The index of the session's state, read {@code FOR SHARE}, among {@link #BET}'s statements (a result set; no row: no such session). */
    public static final int SESSION_STATEMENT_INDEX = 7;
    public static final NamedSql DEBIT = NamedSql.load("make-debit");

    private BetMake() {
    }

    /**
     * Round trip 3: debits {@code stake} from the wallet if its settled balance covers it, with the
     * ledger entry (key {@code endpoint:key}), the event (its data completed with the balance,
     * version, player_seq and available balance the debit produced) and the stored answer ({@code
     * bodyUpToBalance} followed by the available balance and {@code '}'}).
     *
     * @return the answer as stored, or null when the settled balance does not cover the stake
     */
    public static String debit(Connection c, long walletId, long stake, String endpoint, String key, String playerId, String eventId,
            String event, String bodyUpToBalance) throws SQLException {
        try (NamedSql.Bound s = DEBIT.prepare(c)) {
            s.set("stake", stake)
                    .set("wallet_id", walletId)
                    .set("ledger_key", endpoint + ":" + key)
                    .set("topic", Topics.WALLET_EVENTS)
                    .set("player_id", playerId)
                    .set("event_id", eventId)
                    .set("event", event)
                    .set("body_up_to_balance", bodyUpToBalance)
                    .set("endpoint", endpoint)
                    .set("key", key);
            try (ResultSet rs = s.statement().executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
