package com.sportswallet.worker.bonus;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import com.sportswallet.contracts.bonus.ProviderBonusApi;
import com.sportswallet.money.BonusChunks;

/**
 * Grants chunks of a grant's players through the provider's bonus API (issue 14), for the granting
 * consumer and its re-drive alike: {@link BonusChunks#take} in one transaction, the provider call
 * outside any transaction, {@link BonusChunks#complete} in a second one. A crash anywhere leaves
 * either PENDING players (taken again later) or a CALLING chunk (called again with the same id and
 * players by {@link #redrive}: the provider answers the same bonus ids, and the completion is
 * insert-if-absent), so every player ends with exactly one bonus on both sides.
 *
 * <p>What the call answered decides: the bonuses (complete); the provider unreachable, failing, or
 * refusing us as a partner (401/403: our configuration, not the players) — the chunk stays CALLING,
 * its attempts and error recorded, and {@link ProviderUnavailable} tells the caller to back off; any
 * other refusal, or an answer that does not grant exactly the players asked — the chunk is DONE and
 * its players REJECTED ('provider').
 */
public final class Granter {
    private static final Logger LOG = Logger.getLogger(Granter.class);

    /** What the granter reports; the service binds it to Micrometer and wakes the outbox relay. */
    public interface Listener {
        /** After the commit of a chunk's completion that recorded {@code bonuses} bonuses. */
        default void granted(String chunkId, int bonuses) {
        }

        default void rejected(String chunkId, int players, String reason) {
        }

        default void providerFailed(String chunkId, String reason) {
        }
    }

    /**
     * Test hook: called with the chunk and the provider's answer, before the completing transaction. An
     * {@link Error} thrown there is the crash between the provider's answer and our commit.
     */
    public interface CrashPoints {
        default void afterProviderAnswer(BonusChunks.Chunk chunk) {
        }
    }

    /** The provider could not be reached or would not serve us: back off; the chunk stays CALLING for the re-drive. */
    public static final class ProviderUnavailable extends Exception {
        ProviderUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final DataSource dataSource;
    private final ProviderBonusApi api;
    private final int chunkPlayersMax;
    private final Listener listener;
    private final CrashPoints crashPoints;

    public Granter(DataSource dataSource, ProviderBonusApi api, int chunkPlayersMax, Listener listener, CrashPoints crashPoints) {
        if (chunkPlayersMax < 1 || chunkPlayersMax > ProviderBonusApi.CHUNK_PLAYERS_MAX) {
            throw new IllegalArgumentException("BONUS_GRANT_CHUNK_PLAYERS_MAX must be 1.." + ProviderBonusApi.CHUNK_PLAYERS_MAX + ": "
                    + chunkPlayersMax);
        }
        this.dataSource = dataSource;
        this.api = api;
        this.chunkPlayersMax = chunkPlayersMax;
        this.listener = listener == null ? new Listener() {
        } : listener;
        this.crashPoints = crashPoints == null ? new CrashPoints() {
        } : crashPoints;
    }

    /**
     * Grants those of {@code playerIds} that are still PENDING in grant {@code requestId}, a chunk at a
     * time, until none is left.
     */
    public void grantPending(String requestId, List<String> playerIds) throws SQLException, ProviderUnavailable, InterruptedException {
        while (true) {
            BonusChunks.Chunk chunk = take(requestId, playerIds);
            if (chunk == null) {
                return;
            }
            call(chunk);
        }
    }

    /** Calls a CALLING chunk again, with the id and players it was recorded with (a no-op once it is DONE). */
    public void redrive(String chunkId) throws SQLException, ProviderUnavailable, InterruptedException {
        BonusChunks.Chunk chunk;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            chunk = BonusChunks.load(c, chunkId);
        }
        if (chunk != null) {
            LOG.infof("re-driving bonus grant chunk %s (%d players)", chunkId, chunk.players().size());
            call(chunk);
        }
    }

    /** The chunk recorded and committed, or null (rolled back: the grant's chunk number is given back). */
    private BonusChunks.Chunk take(String requestId, List<String> playerIds) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                BonusChunks.Chunk chunk = BonusChunks.take(c, requestId, playerIds, chunkPlayersMax);
                if (chunk == null) {
                    c.rollback();
                } else {
                    c.commit();
                }
                return chunk;
            } catch (Throwable e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    /** The provider call (no transaction open), then the completing transaction. */
    private void call(BonusChunks.Chunk chunk) throws SQLException, ProviderUnavailable, InterruptedException {
        List<ProviderBonusApi.Player> players = chunk.players().stream()
                .map(p -> new ProviderBonusApi.Player(p.playerId(), chunk.currency(), p.amount())).toList();
        Map<String, String> bonusIds;
        try {
            bonusIds = api.grant(chunk.id(), chunk.bonusType(), chunk.expiresAt(), players);
        } catch (ProviderBonusApi.Unavailable e) {
            fail(chunk, e.getMessage());
            throw new ProviderUnavailable(e.getMessage(), e);
        } catch (ProviderBonusApi.Refused e) {
            if (e.status() == 401 || e.status() == 403) {
                // Refusing the operator, not the players: a secret or cid to fix, after which the re-drive lands.
                fail(chunk, e.getMessage());
                throw new ProviderUnavailable(e.getMessage(), e);
            }
            int n = inTransaction(c -> BonusChunks.refused(c, chunk.id(), e.getMessage()));
            LOG.warnf("the provider refused bonus grant chunk %s: its %d players are rejected ('provider'): %s", chunk.id(), n,
                    e.getMessage());
            listener.rejected(chunk.id(), n, e.getMessage());
            return;
        }
        crashPoints.afterProviderAnswer(chunk);
        Instant now = Instant.now();
        List<BonusChunks.Granted> granted = inTransaction(c -> BonusChunks.complete(c, chunk, bonusIds, now));
        listener.granted(chunk.id(), granted.size());
    }

    private void fail(BonusChunks.Chunk chunk, String reason) throws SQLException {
        LOG.warnf("bonus grant chunk %s not granted yet (left CALLING for the re-drive): %s", chunk.id(), reason);
        inTransaction(c -> {
            BonusChunks.failed(c, chunk.id(), reason);
            return null;
        });
        listener.providerFailed(chunk.id(), reason);
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** One transaction; rolled back on any Throwable (an Error included: a pooled connection must not be handed back open). */
    private <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Throwable e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is gone; the server rolls back on its own.
        }
    }
}
