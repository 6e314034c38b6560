package com.sportswallet.money;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The database is the truth, Kafka the trigger (DESIGN.md): a credit whose command never reached
 * a worker (offsets moved past it, a command dead-lettered, a lost broker) is applied from its row.
 * In the caller's transaction: claims a bounded batch of credits PENDING for longer than a bound
 * (credit rows locked in credit-id order, {@code SKIP LOCKED}, so any number of workers may run it
 * at once and none waits for a credit another transaction holds), then applies them through
 * {@link CreditBatch#applyLocked}: the same conditional PENDING -> APPLIED flip, wallets locked in
 * wallet-id order {@code FOR NO KEY UPDATE}, ledger entries and {@code wallet.credit.applied}
 * events as the worker's own batch. A credit the normal path applies meanwhile is either locked
 * (skipped here) or no longer PENDING (the flip leaves it out): applied once. Never commits.
 */
public final class CreditRedrive {
    /**
     * How many of the oldest stranded credits one claim looks at, per credit it may claim: room for
     * several workers claiming at once (each skips the rows another holds). The window is read in
     * created_at order from the partial index {@code credit_pending (created_at) WHERE status =
     * 'PENDING'} (V1), so a claim costs O(batch) however many credits are stranded; sorting every
     * stranded credit by id instead took 1.4 s (an external sort) per claim with 1M stranded.
     */
    public static final int CANDIDATES_PER_CREDIT = 4;

    /**
     * Claims credits PENDING for longer than the bound: parameters (1) the bound in milliseconds,
     * (2) the candidate window ({@link #CANDIDATES_PER_CREDIT} x the batch), (3) the batch. Returns
     * each claimed credit's id and how long it has been PENDING (ms, by the database's clock).
     * Locks the claimed credit rows in credit-id order by code point, skipping rows another
     * transaction holds; the flip re-checks {@code status} on the newest row version.
     */
    public static final String CLAIM_SQL = "WITH oldest AS (SELECT id FROM credit"
            + " WHERE status = 'PENDING' AND created_at < now() - ? * interval '1 millisecond' ORDER BY created_at LIMIT ?)"
            + " SELECT c.id, floor(extract(epoch FROM now() - c.created_at) * 1000)::bigint FROM credit c JOIN oldest ON oldest.id = c.id"
            + " WHERE c.status = 'PENDING' ORDER BY c.id COLLATE \"C\" LIMIT ? FOR UPDATE OF c SKIP LOCKED";

    /** The largest batch one claim may take (the worker's own batch bound). */
    public static final int BATCH_MAX = 10_000;

    /** A credit this transaction re-drove, and how long it had been PENDING when claimed. */
    public record Redriven(CreditBatch.Applied credit, long pendingMs) {
    }

    private CreditRedrive() {
    }

    /**
     * Claims at most {@code batchMax} credits PENDING for longer than {@code pendingMsMin} and
     * applies them, in the caller's transaction (one transaction per batch; never commits).
     *
     * @return the credits applied, in the order of their ledger entries (empty when none was stranded)
     */
    public static List<Redriven> claimAndApply(Connection c, long pendingMsMin, int batchMax) throws SQLException {
        if (pendingMsMin < 1 || batchMax < 1 || batchMax > BATCH_MAX) {
            throw new IllegalArgumentException("re-drive bound " + pendingMsMin + " ms, batch " + batchMax + " (1.." + BATCH_MAX + ")");
        }
        Map<String, Long> pendingMs = new HashMap<>();
        List<String> claimed = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(CLAIM_SQL)) {
            ps.setLong(1, pendingMsMin);
            ps.setInt(2, batchMax * CANDIDATES_PER_CREDIT);
            ps.setInt(3, batchMax);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(rs.getString(1));
                    pendingMs.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        List<Redriven> redriven = new ArrayList<>(claimed.size());
        for (CreditBatch.Applied applied : CreditBatch.applyLocked(c, claimed)) {
            redriven.add(new Redriven(applied, pendingMs.get(applied.creditId())));
        }
        return redriven;
    }
}
