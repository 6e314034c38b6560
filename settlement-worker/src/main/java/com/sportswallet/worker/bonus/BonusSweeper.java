package com.sportswallet.worker.bonus;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import com.sportswallet.contracts.bonus.ProviderBonusApi;
import com.sportswallet.money.BonusExpiry;
import com.sportswallet.money.BonusRevoke;
import com.sportswallet.worker.PeriodicRounds;

/**
 * The bonus sweeps (issue 14), a plain class on its own thread beside the consumers: every interval,
 * bounded batches of
 * <ul>
 * <li>revokes left REVOKING longer than {@code revokingAfterMs} (a process that died between the two
 * steps of a revoke, a provider that did not answer): claimed and leased in one transaction
 * ({@link BonusRevoke#claimStale}, SKIP LOCKED), the provider's revoke called outside any transaction,
 * then REVOKED (with its event) or back to ACTIVE ({@link BonusRevoke#finish}, conditional) in another;</li>
 * <li>ACTIVE bonuses past their {@code expires_at} by the injected clock: EXPIRED with their
 * {@code wallet.bonus.expired} events, one transaction per batch ({@link BonusExpiry}, SKIP LOCKED).</li>
 * </ul>
 * Any number of workers run it at once: a bonus is taken by one of them, and every change is conditional.
 */
public final class BonusSweeper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BonusSweeper.class);

    /**
     * @param revokingAfterMs a bonus REVOKING longer than this is finished by the sweep (BONUS_REVOKING_AFTER_MS): longer
     *                        than a revoke's own provider call, so the sweep does not race it (harmless if it does)
     * @param batchMax        bonuses per batch (BONUS_SWEEP_BATCH_MAX, at most {@link BonusExpiry#BATCH_MAX})
     * @param intervalMs      the pause between two rounds (BONUS_SWEEP_INTERVAL_MS)
     */
    public record Config(long revokingAfterMs, int batchMax, long intervalMs) {
        public Config {
            if (revokingAfterMs < 1 || batchMax < 1 || batchMax > Math.min(BonusExpiry.BATCH_MAX, BonusRevoke.BATCH_MAX) || intervalMs < 1) {
                throw new IllegalArgumentException("bad bonus sweep config (BONUS_REVOKING_AFTER_MS >= 1, BONUS_SWEEP_BATCH_MAX 1.."
                        + Math.min(BonusExpiry.BATCH_MAX, BonusRevoke.BATCH_MAX) + ", BONUS_SWEEP_INTERVAL_MS >= 1): " + this);
            }
        }
    }

    /** What the sweeps report; the service binds it to Micrometer and wakes the outbox relay. */
    public interface Listener {
        /** After the commit of a batch that changed bonuses (their events, if any, are committed). */
        default void swept(List<BonusRevoke.Changed> changed) {
        }

        default void failed(Exception cause) {
        }
    }

    private final DataSource dataSource;
    private final ProviderBonusApi provider;
    private final Config config;
    private final Clock clock;
    private final Listener listener;
    private final PeriodicRounds rounds = new PeriodicRounds("bonus-sweep");

    public BonusSweeper(DataSource dataSource, ProviderBonusApi provider, Config config, Clock clock, Listener listener) {
        this.dataSource = dataSource;
        this.provider = provider;
        this.config = config;
        this.clock = clock;
        this.listener = listener == null ? new Listener() {
        } : listener;
    }

    /** Runs a round every {@code intervalMs}, the first one interval after the start. */
    public BonusSweeper start() {
        rounds.start(this::round, config.intervalMs(), config.intervalMs());
        return this;
    }

    /** True while rounds are scheduled (liveness): a round catches every exception. */
    public boolean alive() {
        return rounds.alive();
    }

    private void round() {
        try {
            while (!rounds.closed() && revokeBatch() == config.batchMax()) {
                // a full batch: more may be left
            }
            while (!rounds.closed() && expireBatch() == config.batchMax()) {
                // a full batch: more may have expired
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            listener.failed(e);
            LOG.warnf("bonus sweep failed, retrying in %d ms: %s", config.intervalMs(), e.toString());
        }
    }

    /**
     * One batch of REVOKING bonuses left longer than the bound; returns how many it claimed. The provider
     * unavailable: they stay REVOKING (leased until the bound passes again) and the exception tells the round.
     */
    public int revokeBatch() throws SQLException, InterruptedException, ProviderBonusApi.Unavailable {
        Instant now = clock.instant();
        List<String> ids = inTransaction(c -> BonusRevoke.claimStale(c, now.minusMillis(config.revokingAfterMs()), config.batchMax(), now));
        if (ids.isEmpty()) {
            return 0;
        }
        List<String> revoked = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        try {
            ProviderBonusApi.RevokeResult r = provider.revoke(ids); // outside any transaction
            for (String id : ids) {
                switch (BonusRevoke.outcome(r, id)) {
                    case REVOKED -> revoked.add(id);
                    case REFUSED -> refused.add(id);
                    case UNANSWERED -> LOG.warnf("revoke sweep: the provider's answer does not name bonus %s; it stays REVOKING", id);
                }
            }
        } catch (ProviderBonusApi.Refused e) {
            // The provider refused the call itself (our configuration, or the call's shape): nothing was revoked there.
            LOG.warnf("revoke sweep: the provider refused the call (%d), %d bonuses back to ACTIVE: %s", e.status(), ids.size(), e.getMessage());
            refused.addAll(ids);
        }
        Instant finished = clock.instant();
        List<BonusRevoke.Changed> changed = inTransaction(c -> BonusRevoke.finish(c, revoked, refused, finished));
        for (BonusRevoke.Changed b : changed) {
            LOG.infof("revoke sweep: bonus %s of player %s finished %s", b.bonusId(), b.playerId(), b.status());
        }
        if (!changed.isEmpty()) {
            listener.swept(changed);
        }
        return ids.size();
    }

    /** One batch of expired bonuses; returns how many it expired. */
    public int expireBatch() throws SQLException {
        Instant now = clock.instant();
        List<BonusRevoke.Changed> expired = inTransaction(c -> BonusExpiry.expire(c, now, config.batchMax()));
        if (!expired.isEmpty()) {
            LOG.infof("expiry sweep: %d bonuses expired at %s", expired.size(), now);
            listener.swept(expired);
        }
        return expired.size();
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // The connection is gone; the server rolls back on its own.
                }
                throw e;
            }
        }
    }

    @Override
    public void close() {
        rounds.close();
    }
}
