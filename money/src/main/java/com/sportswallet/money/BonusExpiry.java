package com.sportswallet.money;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The expiry sweep's batch (issue 14), in the caller's transaction: ACTIVE bonuses whose
 * {@code expires_at} is at or before {@code now} (the injected clock, passed into SQL) become EXPIRED
 * ({@code sql/bonus-expire.sql}, FOR UPDATE SKIP LOCKED: many workers at once), each with its
 * {@code wallet.bonus.expired} event under its wallet's lock, taken last.
 */
public final class BonusExpiry {
    /** Most bonuses one batch expires: one transaction's events and wallet locks. */
    public static final int BATCH_MAX = 1000;
    private static final NamedSql EXPIRE = NamedSql.load("bonus-expire");

    private BonusExpiry() {
    }

    /** Expires at most {@code batchMax} bonuses; returns them. */
    public static List<BonusRevoke.Changed> expire(Connection c, Instant now, int batchMax) throws SQLException {
        if (batchMax < 1 || batchMax > BATCH_MAX) {
            throw new IllegalArgumentException("batchMax must be 1.." + BATCH_MAX + ": " + batchMax);
        }
        List<BonusRevoke.Changed> expired;
        try (NamedSql.Bound s = EXPIRE.prepare(c)) {
            s.set("now", now.toString()).set("batch_max", batchMax);
            expired = BonusRevoke.read(s);
        }
        BonusRevoke.appendEnded(c, expired, now);
        return expired;
    }
}
