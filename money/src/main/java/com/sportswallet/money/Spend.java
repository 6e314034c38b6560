package com.sportswallet.money;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A debit that may spend pending money (DESIGN.md, "Available = settled + pending"; issue 11):
 * the one rule the make and the withdrawal share.
 * <ul>
 * <li>The path is chosen from an unlocked read, before the first wallet statement: when the settled
 * balance covers the amount, the <b>fast path</b> runs the caller's conditional debit alone, after a
 * {@link #SAVEPOINT_SQL savepoint} the caller took just before it;</li>
 * <li>otherwise, or when that debit updated nothing (a concurrent debit won; the UPDATE that matched
 * nothing still locked the wallet row, so we {@link #ROLLBACK_TO_SAVEPOINT_SQL roll back to the
 * savepoint}, which releases it), the <b>slow path</b>: lock the wallet's PENDING credits in id
 * order and apply them exactly as the worker would ({@link CreditBatch#applyPendingOf}), then run the
 * same conditional debit, which decides on what was applied.</li>
 * </ul>
 * A credit row is never locked after a locking statement on the wallet row. Never commits.
 */
public final class Spend {
    public static final String SAVEPOINT_SQL = NamedSql.load("spend-savepoint").text();
    public static final String ROLLBACK_TO_SAVEPOINT_SQL = "ROLLBACK TO SAVEPOINT spend_fast_debit";

    /** The caller's conditional debit: its result, or null when the settled balance did not cover the amount. */
    @FunctionalInterface
    public interface Debit<T> {
        T run() throws SQLException;
    }

    /**
     * What a spend did.
     *
     * @param debited the debit's result, or null: short even with the applied credits (the caller refuses, and rolls back)
     * @param appliedFirst the pending credits applied before the debit (empty on the fast path)
     * @param flipCapped true when the slow path applied {@code flipMax} credits and more may be pending
     */
    public record Spent<T>(T debited, List<CreditBatch.Applied> appliedFirst, boolean flipCapped) {
    }

    private Spend() {
    }

    /** The fast path is taken when the settled balance read without a lock covers the amount. */
    public static boolean fastPath(long settledBalanceRead, long amount) {
        return settledBalanceRead >= amount;
    }

    /**
     * A batch of debits of one wallet (issue 16) applies the wallet's pending credits before its first
     * wallet statement when its unlocked read shows the settled balance short of the debits' total and
     * pending money to apply; otherwise each debit takes the fast path, and one that finds the settled
     * balance short after an earlier debit of the batch locked the wallet goes to a later batch, which
     * chooses again.
     */
    public static boolean flipFirst(long settledBalanceRead, long pendingRead, long amountsTotal) {
        return !fastPath(settledBalanceRead, amountsTotal) && pendingRead > 0;
    }

    /**
     * Runs the debit on the chosen path.
     *
     * @param fast the caller chose the fast path and took {@link #SAVEPOINT_SQL} just before this call
     * @param flipMax at most this many pending credits are applied (CREDIT_FLIP_MAX), in id order
     */
    public static <T> Spent<T> debit(Connection c, long walletId, boolean fast, int flipMax, Debit<T> debit) throws SQLException {
        if (fast) {
            T debited = debit.run();
            if (debited != null) {
                return new Spent<>(debited, List.of(), false);
            }
            execute(c, ROLLBACK_TO_SAVEPOINT_SQL);
        }
        List<CreditBatch.Applied> applied = CreditBatch.applyPendingOf(c, walletId, flipMax);
        return new Spent<>(debit.run(), applied, applied.size() >= flipMax);
    }

    /** Takes the savepoint the fast path backs out to (for callers that cannot fold it into an earlier round trip). */
    public static void savepoint(Connection c) throws SQLException {
        execute(c, SAVEPOINT_SQL);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
