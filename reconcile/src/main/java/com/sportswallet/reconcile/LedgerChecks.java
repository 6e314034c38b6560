package com.sportswallet.reconcile;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.sportswallet.money.Reversal;

/**
 * The wallet and its ledger, from PostgreSQL alone: balances, pending credits, versions, running
 * balances, overdrafts. Each query returns only the offending rows (see {@link Sql#discrepancies}).
 */
final class LedgerChecks {
    static final String WALLET_BALANCE = "wallet-balance";
    static final String WALLET_PENDING = "wallet-pending";
    static final String LEDGER_VERSIONS = "ledger-versions";
    static final String RUNNING_BALANCE = "ledger-running-balance";
    static final String NO_OVERDRAFT = "no-overdraft";
    static final String WRITE_OFF = "write-off";

    /*
     * Proves: every wallet's balance is the sum of its ledger entries (0 without entries), and its
     * latest entry (the one at wallet.version) recorded that same balance. A balance changed without
     * its ledger row, or a ledger row written without its balance change, shows here.
     */
    private static final String WALLET_BALANCE_SQL = """
            SELECT w.id, w.player_id, w.balance, coalesce(s.total, 0) AS ledger_sum, latest.balance_after,
                   w.version, count(*) OVER () AS total
            FROM wallet w
            LEFT JOIN (SELECT wallet_id, sum(amount) AS total FROM ledger_entry GROUP BY wallet_id) s ON s.wallet_id = w.id
            LEFT JOIN ledger_entry latest ON latest.wallet_id = w.id AND latest.wallet_version = w.version
            WHERE w.balance <> coalesce(s.total, 0)
               OR (latest.id IS NOT NULL AND latest.balance_after <> w.balance)
            ORDER BY w.id
            LIMIT ?
            """;

    /*
     * Proves: every wallet's pending is the sum of its PENDING credits (0 without any). Every statement
     * that creates, cancels or applies a credit changes pending by its amount under the wallet lock,
     * so available = balance + pending is what the player was told; a credit row written, cancelled
     * or flipped without its pending change (or the reverse) shows here.
     */
    private static final String WALLET_PENDING_SQL = """
            SELECT w.id, w.player_id, w.pending, coalesce(p.total, 0) AS credits_pending, coalesce(p.n, 0) AS credits,
                   count(*) OVER () AS total
            FROM wallet w
            LEFT JOIN (SELECT wallet_id, sum(amount) AS total, count(*) AS n FROM credit WHERE status = 'PENDING'
                       GROUP BY wallet_id) p ON p.wallet_id = w.id
            WHERE w.pending <> coalesce(p.total, 0)
            ORDER BY w.id
            LIMIT ?
            """;

    /*
     * Proves: each wallet's ledger versions, with the versions a recovery skipped (wallet_version_gap,
     * V12: a restore's counters raised above what wallet.events holds), are exactly 1..wallet.version.
     * The table's unique (wallet_id, wallet_version) forbids duplicate entries, and every version is
     * at least 1; so entries plus gap versions = version, the highest of them = version, and no
     * entry inside a gap nor two gaps overlapping together leave no room for a hole, an overlap or an
     * entry beyond the wallet's version.
     */
    private static final String LEDGER_VERSIONS_SQL = """
            SELECT w.id, w.player_id, w.version, coalesce(v.n, 0) AS entries, v.lo, v.hi, coalesce(g.n, 0) AS gap_versions,
                   o.wallet_id IS NOT NULL AS overlapping, count(*) OVER () AS total
            FROM wallet w
            LEFT JOIN (SELECT wallet_id, count(*) AS n, min(wallet_version) AS lo, max(wallet_version) AS hi
                       FROM ledger_entry GROUP BY wallet_id) v ON v.wallet_id = w.id
            LEFT JOIN (SELECT wallet_id, sum(to_version - from_version + 1) AS n, max(to_version) AS hi
                       FROM wallet_version_gap GROUP BY wallet_id) g ON g.wallet_id = w.id
            LEFT JOIN (SELECT x.wallet_id FROM wallet_version_gap x JOIN ledger_entry l
                           ON l.wallet_id = x.wallet_id AND l.wallet_version BETWEEN x.from_version AND x.to_version
                       UNION
                       SELECT a.wallet_id FROM wallet_version_gap a JOIN wallet_version_gap b
                           ON b.wallet_id = a.wallet_id AND a.from_version < b.from_version AND a.to_version >= b.from_version) o
                   ON o.wallet_id = w.id
            WHERE coalesce(v.n, 0) + coalesce(g.n, 0) <> w.version OR greatest(v.hi, g.hi) <> w.version OR o.wallet_id IS NOT NULL
            ORDER BY w.id
            LIMIT ?
            """;

    // For an example wallet only: the first versions missing from 1..max(version, highest entry), recorded gaps aside.
    private static final String MISSING_VERSIONS_SQL = """
            SELECT array_agg(g ORDER BY g) FROM (
                SELECT g FROM generate_series(1, greatest(?, (SELECT coalesce(max(wallet_version), 0) FROM ledger_entry WHERE wallet_id = ?))) g
                WHERE NOT EXISTS (SELECT 1 FROM ledger_entry l WHERE l.wallet_id = ? AND l.wallet_version = g)
                  AND NOT EXISTS (SELECT 1 FROM wallet_version_gap x WHERE x.wallet_id = ? AND g BETWEEN x.from_version AND x.to_version)
                ORDER BY g LIMIT 5) m
            """;

    /*
     * Proves: every entry's balance_after is the previous entry's balance_after (0 before the first)
     * plus its own amount, in version order. So balance_after tells the truth about every balance
     * the wallet went through, which is what no-overdraft relies on.
     */
    private static final String RUNNING_BALANCE_SQL = """
            SELECT e.wallet_id, e.wallet_version, e.operation, e.idempotency_key, e.amount, e.balance_after, e.previous,
                   count(*) OVER () AS total
            FROM (SELECT wallet_id, wallet_version, operation, idempotency_key, amount, balance_after,
                         lag(balance_after, 1, 0::bigint) OVER (PARTITION BY wallet_id ORDER BY wallet_version) AS previous
                  FROM ledger_entry) e
            WHERE e.balance_after <> e.previous + e.amount
            ORDER BY e.wallet_id, e.wallet_version
            LIMIT ?
            """;

    /*
     * Proves: no debit other than a rollback drove a balance below zero. Stakes and withdrawals
     * are conditional debits (balance >= amount in the same statement); only the reversal of an
     * already applied credit may overdraw, and those entries are operation 'rollback'. The house's
     * write-off accounts (kind WRITE_OFF) are negative by design: their 'write-off' entries take
     * what ROLLBACK_SHORTFALL=absorb absorbed (the write-off check proves them), and are not
     * overdrafts; any other debit on such a wallet, or a 'write-off' on a player's wallet, is.
     */
    private static final String NO_OVERDRAFT_SQL = """
            SELECT l.wallet_id, w.player_id, l.wallet_version, l.operation, l.idempotency_key, l.amount, l.balance_after,
                   count(*) OVER () AS total
            FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id
            WHERE l.amount < 0 AND l.balance_after < 0 AND l.operation <> 'rollback'
              AND NOT (l.operation = 'write-off' AND w.kind = 'WRITE_OFF')
            ORDER BY l.id
            LIMIT ?
            """;

    /*
     * Proves, for ROLLBACK_SHORTFALL=absorb: every 'rollback-absorbed' entry (+a, key K:absorbed,
     * K = 'bet/rollback:<tx>') sits on a player's CASH wallet next to its 'rollback' entry K (same
     * wallet, reversing at least a), and has exactly one 'write-off' entry (-a, key
     * K:absorbed:write-off) on the house's WRITE_OFF wallet ('_house') of the same currency; and
     * every 'write-off' entry is such a pair's. Keys are unique, so a pair is one row of the join.
     */
    private static final String WRITE_OFF_PAIRS_SQL = """
            WITH absorbed AS (
                SELECT l.id, l.wallet_id, w.player_id, w.kind, w.currency, l.amount, l.idempotency_key AS key,
                       CASE WHEN l.idempotency_key LIKE '%:absorbed' THEN left(l.idempotency_key, -length(':absorbed')) END AS rollback_key
                FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE l.operation = 'rollback-absorbed'),
            written_off AS (
                SELECT l.id, l.wallet_id, w.player_id, w.kind, w.currency, l.amount, l.idempotency_key AS key
                FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE l.operation = 'write-off')
            SELECT a.key, a.wallet_id, a.player_id, a.kind, a.currency, a.amount,
                   o.key, o.wallet_id, o.player_id, o.kind, o.currency, o.amount,
                   a.rollback_key, r.amount AS reversal, count(*) OVER () AS total
            FROM absorbed a
            FULL JOIN written_off o ON o.key = a.key || ':write-off'
            LEFT JOIN ledger_entry r ON r.idempotency_key = a.rollback_key AND r.wallet_id = a.wallet_id AND r.operation = 'rollback'
            WHERE a.id IS NULL OR o.id IS NULL
               OR a.kind <> 'CASH' OR o.kind <> 'WRITE_OFF' OR o.player_id <> '_house' OR o.currency <> a.currency
               OR o.amount <> -a.amount OR r.id IS NULL OR a.amount > -r.amount
            ORDER BY coalesce(a.key, o.key)
            LIMIT ?
            """;

    /*
     * Proves: per currency, the house's WRITE_OFF wallet holds nothing but what was absorbed: its
     * ledger sums to minus the 'rollback-absorbed' entries of that currency (a currency with
     * absorbed money and no write-off wallet sums to 0). A wrong pair above also shows in its
     * currency's total; an entry of another kind on the write-off wallet shows only here.
     */
    private static final String WRITE_OFF_TOTALS_SQL = """
            WITH house AS (
                SELECT w.currency, min(w.id) AS wallet_id, count(l.id) AS entries, coalesce(sum(l.amount), 0) AS total
                FROM wallet w LEFT JOIN ledger_entry l ON l.wallet_id = w.id
                WHERE w.kind = 'WRITE_OFF' GROUP BY w.currency),
            absorbed AS (
                SELECT w.currency, count(*) AS entries, sum(l.amount) AS total
                FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id
                WHERE l.operation = 'rollback-absorbed' GROUP BY w.currency)
            SELECT coalesce(h.currency, a.currency), h.wallet_id, coalesce(h.entries, 0), coalesce(h.total, 0),
                   coalesce(a.entries, 0), coalesce(a.total, 0), count(*) OVER () AS total
            FROM house h FULL JOIN absorbed a ON a.currency = h.currency
            WHERE coalesce(h.total, 0) <> -coalesce(a.total, 0)
            ORDER BY 1
            LIMIT ?
            """;

    private LedgerChecks() {
    }

    static List<CheckResult> run(Connection c, int examples) throws SQLException {
        List<CheckResult> results = new ArrayList<>();

        CheckResult.Builder balance = CheckResult.builder(WALLET_BALANCE, examples);
        Sql.discrepancies(c, WALLET_BALANCE_SQL, balance, rs -> "wallet " + rs.getLong(1) + " (player " + rs.getString(2) + "): balance "
                + rs.getLong(3) + ", ledger sum " + rs.getLong(4) + ", latest entry (version " + rs.getLong(6) + ") balance_after "
                + (rs.getObject(5) == null ? "none" : rs.getLong(5)));
        results.add(balance.build());

        CheckResult.Builder pending = CheckResult.builder(WALLET_PENDING, examples);
        Sql.discrepancies(c, WALLET_PENDING_SQL, pending, rs -> "wallet " + rs.getLong(1) + " (player " + rs.getString(2) + "): pending "
                + rs.getLong(3) + ", its " + rs.getLong(5) + " PENDING credits sum to " + rs.getLong(4));
        results.add(pending.build());

        CheckResult.Builder versions = CheckResult.builder(LEDGER_VERSIONS, examples);
        List<long[]> gapWallets = new ArrayList<>();
        Sql.discrepancies(c, LEDGER_VERSIONS_SQL, versions, rs -> {
            gapWallets.add(new long[] { rs.getLong(1), rs.getLong(3) });
            return "wallet " + rs.getLong(1) + " (player " + rs.getString(2) + "): version " + rs.getLong(3) + ", " + rs.getLong(4)
                    + " entries, versions " + (rs.getObject(5) == null ? "none" : rs.getLong(5) + ".." + rs.getLong(6))
                    + (rs.getLong(7) > 0 ? ", " + rs.getLong(7) + " versions skipped by a recovery" : "")
                    + (rs.getBoolean(8) ? ", a recovery's skipped versions overlapping an entry or each other" : "");
        });
        results.add(withMissingVersions(c, versions.build(), gapWallets));

        CheckResult.Builder running = CheckResult.builder(RUNNING_BALANCE, examples);
        Sql.discrepancies(c, RUNNING_BALANCE_SQL, running, rs -> "wallet " + rs.getLong(1) + " version " + rs.getLong(2) + " ("
                + rs.getString(3) + ", " + rs.getString(4) + "): amount " + rs.getLong(5) + ", balance_after " + rs.getLong(6)
                + ", but the previous entry left " + rs.getLong(7));
        results.add(running.build());

        CheckResult.Builder overdraft = CheckResult.builder(NO_OVERDRAFT, examples);
        Sql.discrepancies(c, NO_OVERDRAFT_SQL, overdraft, rs -> "wallet " + rs.getLong(1) + " (player " + rs.getString(2) + ") version "
                + rs.getLong(3) + ": " + rs.getString(4) + " " + rs.getString(5) + " of " + rs.getLong(6) + " left balance " + rs.getLong(7));
        results.add(overdraft.build());

        CheckResult.Builder writeOff = CheckResult.builder(WRITE_OFF, examples);
        Sql.discrepancies(c, WRITE_OFF_PAIRS_SQL, writeOff, LedgerChecks::writeOffPair);
        Sql.discrepancies(c, WRITE_OFF_TOTALS_SQL, writeOff, rs -> rs.getString(1).trim() + ": the write-off account"
                + (rs.getObject(2) == null ? " does not exist (0)"
                        : " (wallet " + rs.getLong(2) + ", " + rs.getLong(3) + " entries) sums to " + rs.getLong(4))
                + ", but the " + rs.getLong(5) + " rollback-absorbed entries add " + rs.getLong(6));
        results.add(writeOff.build());
        return results;
    }

    /** One row of {@link #WRITE_OFF_PAIRS_SQL} in words. */
    private static String writeOffPair(ResultSet rs) throws SQLException {
        String absorbedKey = rs.getString(1);
        String writeOffKey = rs.getString(7);
        String writeOff = writeOffKey == null ? null : "write-off entry " + writeOffKey + " (" + rs.getLong(12) + " on wallet "
                + rs.getLong(8) + " of " + rs.getString(9) + ", " + rs.getString(10) + " " + rs.getString(11).trim() + ")";
        if (absorbedKey == null) {
            return writeOff + " has no rollback-absorbed entry "
                    + (writeOffKey.endsWith(":write-off") ? writeOffKey.substring(0, writeOffKey.length() - ":write-off".length()) : "");
        }
        String absorbed = "rollback-absorbed entry " + absorbedKey + " (+" + rs.getLong(6) + " on wallet " + rs.getLong(2) + " of "
                + rs.getString(3) + ", " + rs.getString(4) + " " + rs.getString(5).trim() + ")";
        List<String> problems = new ArrayList<>();
        if (writeOffKey == null) {
            problems.add("no write-off entry " + absorbedKey + ":write-off");
        } else {
            if (!Reversal.WRITE_OFF_KIND.equals(rs.getString(10)) || !Reversal.HOUSE_PLAYER_ID.equals(rs.getString(9))) {
                problems.add("its " + writeOff + " is not on the house's write-off wallet");
            } else if (!rs.getString(11).equals(rs.getString(5))) {
                problems.add("its " + writeOff + " is in another currency");
            }
            if (rs.getLong(12) != -rs.getLong(6)) {
                problems.add("its " + writeOff + " is not -" + rs.getLong(6));
            }
        }
        if (!"CASH".equals(rs.getString(4))) {
            problems.add("it is not on a player's CASH wallet");
        }
        if (rs.getObject(14) == null) {
            problems.add("no rollback entry " + (rs.getString(13) == null ? "(its key does not end with :absorbed)" : rs.getString(13))
                    + " on the same wallet");
        } else if (rs.getLong(6) > -rs.getLong(14)) {
            problems.add("more than its rollback reversed (" + -rs.getLong(14) + ")");
        }
        return absorbed + ": " + String.join("; ", problems);
    }

    /** Appends the first missing versions to each example of the versions check. */
    private static CheckResult withMissingVersions(Connection c, CheckResult versions, List<long[]> wallets) throws SQLException {
        if (versions.ok()) {
            return versions;
        }
        List<String> examples = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(MISSING_VERSIONS_SQL)) {
            for (int i = 0; i < versions.examples().size(); i++) {
                long walletId = wallets.get(i)[0];
                ps.setLong(1, wallets.get(i)[1]);
                ps.setLong(2, walletId);
                ps.setLong(3, walletId);
                ps.setLong(4, walletId);
                String missing = "";
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        Array a = rs.getArray(1);
                        if (a != null) {
                            missing = ", missing " + Arrays.toString((Object[]) a.getArray());
                        }
                    }
                }
                examples.add(versions.examples().get(i) + missing);
            }
        }
        return new CheckResult(versions.name(), versions.discrepancies(), examples);
    }
}
