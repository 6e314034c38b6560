package com.sportswallet.money;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.sportswallet.contracts.bonus.ProviderBonusApi;
import com.sportswallet.contracts.event.BonusEnded;
import com.sportswallet.contracts.event.Position;

/**
 * A bonus's revoke (issue 14) in three steps, the middle one outside any transaction: {@link #begin}
 * (ACTIVE → REVOKING, conditional, committed), the provider's revoke ({@link ProviderBonusApi#revoke}),
 * then {@link #finish} (REVOKING → REVOKED with its {@code wallet.bonus.revoked} event, or back to
 * ACTIVE when the provider refuses). The operator's revoke and the worker's sweep of REVOKING bonuses
 * left by a crash ({@link #claimStale}) share them. Each statement is a file under
 * {@code sql/bonus-*.sql}; every method runs in the caller's transaction and never commits.
 */
public final class BonusRevoke {
    /** Most bonuses one sweep batch, or one provider revoke call, names. */
    public static final int BATCH_MAX = ProviderBonusApi.CHUNK_PLAYERS_MAX;

    private static final NamedSql BEGIN = NamedSql.load("bonus-revoke-begin");
    private static final NamedSql STATE = NamedSql.load("bonus-state");
    private static final NamedSql FINISH = NamedSql.load("bonus-revoke-finish");
    private static final NamedSql STALE = NamedSql.load("bonus-revoke-stale");
    private static final NamedSql WALLET_LOCK = NamedSql.load("wallet-lock");
    private static final NamedSql SEQ_ADVANCE = NamedSql.load("wallet-seq-advance");

    private BonusRevoke() {
    }

    /** A bonus as the operator sees it. */
    public record Bonus(String bonusId, String status, String playerId, String bonusType, long amount, String currency,
            Instant expiresAt, String betId, String requestId) {
    }

    /** ACTIVE → REVOKING; false when the bonus is not ACTIVE (or does not exist): {@link #state} tells which. */
    public static boolean begin(Connection c, String bonusId, Instant now) throws SQLException {
        try (NamedSql.Bound s = BEGIN.prepare(c)) {
            s.set("bonus_id", bonusId).set("now", now.toString());
            try (ResultSet rs = s.statement().executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The bonus, or null. */
    public static Bonus state(Connection c, String bonusId) throws SQLException {
        try (NamedSql.Bound s = STATE.prepare(c)) {
            s.set("bonus_id", bonusId);
            try (ResultSet rs = s.statement().executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Bonus(bonusId, rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                        rs.getObject(6, OffsetDateTime.class).toInstant(), rs.getString(7), rs.getString(8));
            }
        }
    }

    /** What the provider's answer means for one bonus. */
    public enum Outcome {
        /** Revoked there (also when it already was): REVOKED here. */
        REVOKED,
        /** The provider refused it (used there, or unknown there): back to ACTIVE here. */
        REFUSED,
        /** The answer does not name it: it stays REVOKING, for the sweep. */
        UNANSWERED
    }

    /** The outcome for {@code bonusId} of the provider's answer {@code r}. */
    public static Outcome outcome(ProviderBonusApi.RevokeResult r, String bonusId) {
        if (r.revoked().contains(bonusId)) {
            return Outcome.REVOKED;
        }
        return r.refused().containsKey(bonusId) ? Outcome.REFUSED : Outcome.UNANSWERED;
    }

    /** A bonus {@link #finish} or {@link BonusExpiry#expire} changed. */
    public record Changed(String bonusId, String status, String playerId, long walletId, String bonusType, long amount, String currency,
            String requestId) {
    }

    /**
     * Finishes the revokes of {@code revoked} (→ REVOKED, each with its {@code wallet.bonus.revoked}
     * event) and {@code refused} (→ ACTIVE), each only while still REVOKING. Returns the bonuses it changed.
     */
    public static List<Changed> finish(Connection c, List<String> revoked, List<String> refused, Instant now) throws SQLException {
        int n = revoked.size() + refused.size();
        if (n == 0) {
            return List.of();
        }
        Object[] ids = new Object[n];
        Object[] statuses = new Object[n];
        int i = 0;
        for (String id : revoked) {
            ids[i] = id;
            statuses[i++] = "REVOKED";
        }
        for (String id : refused) {
            ids[i] = id;
            statuses[i++] = "ACTIVE";
        }
        List<Changed> changed;
        try (NamedSql.Bound s = FINISH.prepare(c)) {
            s.setArray("bonus_ids", "text", ids).setArray("statuses", "text", statuses).set("now", now.toString());
            changed = read(s);
        }
        appendEnded(c, changed.stream().filter(b -> b.status().equals("REVOKED")).toList(), now);
        return changed;
    }

    /**
     * The sweep's claim: at most {@code batchMax} bonuses REVOKING since before {@code staleBefore}, leased
     * until the bound passes again (their updated_at set to {@code now}). Commit, then call the provider.
     */
    public static List<String> claimStale(Connection c, Instant staleBefore, int batchMax, Instant now) throws SQLException {
        if (batchMax < 1 || batchMax > BATCH_MAX) {
            throw new IllegalArgumentException("batchMax must be 1.." + BATCH_MAX + ": " + batchMax);
        }
        List<String> ids = new ArrayList<>();
        try (NamedSql.Bound s = STALE.prepare(c)) {
            s.set("stale_before", staleBefore.toString()).set("batch_max", batchMax).set("now", now.toString());
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    static List<Changed> read(NamedSql.Bound s) throws SQLException {
        List<Changed> changed = new ArrayList<>();
        try (ResultSet rs = s.statement().executeQuery()) {
            while (rs.next()) {
                changed.add(new Changed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5), rs.getLong(6),
                        rs.getString(7), rs.getString(8)));
            }
        }
        return changed;
    }

    /**
     * The {@code wallet.bonus.revoked} / {@code wallet.bonus.expired} events of bonuses that just ended
     * (REVOKED or EXPIRED), after the statement that changed them: their wallets locked in id order
     * (last), each wallet's player_seq advanced by its number of events, then one event per bonus,
     * a wallet's events in bonus-id order. Event ids derive from the bonus id: a bonus ends once.
     */
    static void appendEnded(Connection c, List<Changed> ended, Instant now) throws SQLException {
        if (ended.isEmpty()) {
            return;
        }
        TreeMap<Long, List<Changed>> byWallet = new TreeMap<>();
        for (Changed b : ended) {
            byWallet.computeIfAbsent(b.walletId(), w -> new ArrayList<>()).add(b);
        }
        Object[] walletIds = byWallet.keySet().toArray();
        Object[] entries = byWallet.values().stream().map(l -> (long) l.size()).toArray();
        try (NamedSql.Bound s = WALLET_LOCK.prepare(c)) {
            s.setArray("wallet_ids", "bigint", walletIds);
            s.statement().executeQuery().close();
        }
        Map<Long, Long> seqAfter = new HashMap<>();
        try (NamedSql.Bound s = SEQ_ADVANCE.prepare(c)) {
            s.setArray("wallet_ids", "bigint", walletIds).setArray("entries", "bigint", entries);
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    seqAfter.put(rs.getLong(1), rs.getLong(2));
                }
            }
        }
        for (Map.Entry<Long, List<Changed>> w : byWallet.entrySet()) {
            List<Changed> bonuses = new ArrayList<>(w.getValue());
            bonuses.sort((a, b) -> a.bonusId().compareTo(b.bonusId()));
            long seq = seqAfter.get(w.getKey()) - bonuses.size();
            for (Changed b : bonuses) {
                BonusEnded fact = b.status().equals("REVOKED")
                        ? BonusEnded.revoked(b.playerId(), b.currency(), now, b.bonusId(), b.bonusType(), b.amount(), b.requestId())
                        : BonusEnded.expired(b.playerId(), b.currency(), now, b.bonusId(), b.bonusType(), b.amount(), b.requestId());
                WalletEvents.append(c, fact, b.bonusId(), Position.only(++seq), now);
            }
        }
    }
}
