package com.sportswallet.worker.settlement;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import com.sportswallet.money.CreditRedrive;
import com.sportswallet.worker.PeriodicRounds;

/**
 * Applies credits left PENDING longer than a bound from the database, whatever became of their
 * command (skipped offsets, a dead-lettered command, a lost broker): a plain class on its own
 * thread, beside the consumers and never blocking them. Every interval it claims and applies
 * bounded batches ({@link CreditRedrive}: one transaction each, {@code SKIP LOCKED}, the worker's
 * own flip and lock order) until a batch comes back short. Any number of workers may run it at
 * once; a credit the normal path applies meanwhile is applied once.
 */
public final class CreditRedriver implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CreditRedriver.class);

    /**
     * @param afterMs    a credit PENDING longer than this is re-driven (CREDIT_REDRIVE_AFTER_MS)
     * @param batchMax   credits per re-drive transaction (CREDIT_REDRIVE_BATCH_MAX)
     * @param intervalMs the pause between two rounds (CREDIT_REDRIVE_INTERVAL_MS)
     */
    public record Config(long afterMs, int batchMax, long intervalMs) {
        public Config {
            if (afterMs < 1 || batchMax < 1 || batchMax > CreditRedrive.BATCH_MAX || intervalMs < 1) {
                throw new IllegalArgumentException("bad credit re-drive config (CREDIT_REDRIVE_AFTER_MS >= 1, CREDIT_REDRIVE_BATCH_MAX 1.."
                        + CreditRedrive.BATCH_MAX + ", CREDIT_REDRIVE_INTERVAL_MS >= 1): " + this);
            }
        }

        public static Config defaults() {
            return new Config(30_000, 500, 5_000);
        }
    }

    /** What the re-drive reports; the service binds it to Micrometer. */
    public interface Listener {
        /** After the commit of a batch that applied at least one credit. */
        default void redriven(List<CreditRedrive.Redriven> credits) {
        }

        default void failed(Exception cause) {
        }
    }

    private final DataSource dataSource;
    private final Config config;
    private final Listener listener;
    private final PeriodicRounds rounds = new PeriodicRounds("credit-redrive");

    public CreditRedriver(DataSource dataSource, Config config, Listener listener) {
        this.dataSource = dataSource;
        this.config = config;
        this.listener = listener == null ? new Listener() {
        } : listener;
    }

    /** Runs a round every {@code intervalMs}, the first one interval after the start. */
    public CreditRedriver start() {
        rounds.start(this::round, config.intervalMs(), config.intervalMs());
        return this;
    }

    /**
     * True while rounds are scheduled (a liveness check): a round catches every exception, so only
     * an Error ends the schedule, silently, and nothing restarts it.
     */
    public boolean alive() {
        return rounds.alive();
    }

    /** Batches until one comes back short (nothing more stranded, or the rest held by others); a failure waits for the next round. */
    private void round() {
        try {
            while (!rounds.closed() && redriveBatch() == config.batchMax()) {
                // a full batch: more may be stranded
            }
        } catch (Exception e) {
            listener.failed(e);
            LOG.warnf("credit re-drive failed, retrying in %d ms (nothing applied by the failed batch): %s", config.intervalMs(), e.toString());
        }
    }

    /** One bounded batch in one transaction; returns how many credits it applied. */
    public int redriveBatch() throws SQLException {
        List<CreditRedrive.Redriven> redriven;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                redriven = CreditRedrive.claimAndApply(c, config.afterMs(), config.batchMax());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        }
        for (CreditRedrive.Redriven r : redriven) {
            LOG.infof("re-drove credit %s: wallet %d, amount %d, PENDING for %d ms (its command did not apply it within %d ms)",
                    r.credit().creditId(), r.credit().walletId(), r.credit().amount(), r.pendingMs(), config.afterMs());
        }
        if (!redriven.isEmpty()) {
            listener.redriven(redriven);
        }
        return redriven.size();
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is gone; the server rolls back on its own.
        }
    }

    @Override
    public void close() {
        rounds.close();
    }
}
