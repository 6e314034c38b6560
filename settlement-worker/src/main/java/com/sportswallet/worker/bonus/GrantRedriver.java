package com.sportswallet.worker.bonus;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import com.sportswallet.money.BonusChunks;
import com.sportswallet.worker.PeriodicRounds;

/**
 * Finishes what the granting consumer left (issue 14), from the database, on its own thread: at
 * start every chunk CALLING (what a crash left: a live call of another instance is only repeated,
 * harmlessly), then every {@code intervalMs} each chunk left CALLING longer than {@code afterMs} (a
 * crash between the provider's answer and our commit, a provider that stayed away) is called again with
 * the same id and players and completed ({@link Granter#redrive}); then players PENDING longer than
 * {@code pendingAfterMs} (their bonus.grants record lost or skipped) are chunked and granted as the
 * consumer would. Chunks are leased ({@code FOR UPDATE SKIP LOCKED}, then {@code updated_at}), so
 * several workers re-drive different chunks; a chunk re-driven twice is still completed once.
 */
public final class GrantRedriver implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GrantRedriver.class);

    /**
     * @param afterMs        a chunk CALLING longer than this is called again (BONUS_GRANT_REDRIVE_AFTER_MS); longer
     *                       than one call's whole bound (attempts x timeout + back-off), or a live call is repeated
     *                       (harmless, only wasted)
     * @param pendingAfterMs a player PENDING longer than this is chunked from the database (BONUS_GRANT_PENDING_REDRIVE_AFTER_MS)
     * @param intervalMs     the pause between two rounds (BONUS_GRANT_REDRIVE_INTERVAL_MS)
     * @param chunksMax      chunks leased per round
     * @param playersMax     stale PENDING players read per round
     */
    public record Config(long afterMs, long pendingAfterMs, long intervalMs, int chunksMax, int playersMax) {
        public Config {
            if (afterMs < 0 || pendingAfterMs < 0 || intervalMs < 1 || chunksMax < 1 || playersMax < 1) {
                throw new IllegalArgumentException("bad bonus grant re-drive config: " + this);
            }
        }
    }

    /** What the re-drive reports. */
    public interface Listener {
        default void failed(Exception cause) {
        }
    }

    private final DataSource dataSource;
    private final Granter granter;
    private final Config config;
    private final Listener listener;
    private final PeriodicRounds rounds = new PeriodicRounds("bonus-grant-redrive");
    /** Only the scheduler's thread reads and writes it. */
    private boolean started;

    public GrantRedriver(DataSource dataSource, Granter granter, Config config, Listener listener) {
        this.dataSource = dataSource;
        this.granter = granter;
        this.config = config;
        this.listener = listener == null ? new Listener() {
        } : listener;
    }

    /** The first round at once (what a crash left), then one every {@code intervalMs}. */
    public GrantRedriver start() {
        rounds.start(this::round, 0, config.intervalMs());
        return this;
    }

    /** True while rounds are scheduled (liveness). */
    public boolean alive() {
        return rounds.alive();
    }

    private void round() {
        try {
            long afterMs = started ? config.afterMs() : 0;
            started = true;
            redriveOnce(afterMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            listener.failed(e);
            LOG.warnf("bonus grant re-drive round failed, next in %d ms: %s", config.intervalMs(), e.toString());
        }
    }

    /** One round as the schedule runs it after the first: the chunks CALLING longer than afterMs, then the stale PENDING players. */
    public int redriveOnce() throws SQLException, InterruptedException, Granter.ProviderUnavailable {
        return redriveOnce(config.afterMs());
    }

    /** One round: the chunks CALLING longer than {@code afterMs} (leased), then the stale PENDING players. Returns the chunks re-driven. */
    int redriveOnce(long afterMs) throws SQLException, InterruptedException, Granter.ProviderUnavailable {
        List<String> chunks;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                chunks = BonusChunks.leaseCalling(c, afterMs, config.chunksMax());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        for (String chunk : chunks) {
            if (rounds.closed()) {
                return 0;
            }
            granter.redrive(chunk);
        }
        Map<String, List<String>> pending;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            pending = BonusChunks.stalePending(c, config.pendingAfterMs(), config.playersMax());
        }
        for (Map.Entry<String, List<String>> grant : pending.entrySet()) {
            if (rounds.closed()) {
                break;
            }
            LOG.infof("granting %d players of grant %s left PENDING for over %d ms (their bonus.grants records did not take them)",
                    grant.getValue().size(), grant.getKey(), config.pendingAfterMs());
            granter.grantPending(grant.getKey(), grant.getValue());
        }
        return chunks.size();
    }

    @Override
    public void close() {
        rounds.close();
    }
}
