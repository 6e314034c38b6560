package com.sportswallet.money;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Set;

/**
 * A granted bonus on the provider's callbacks (issue 14; docs/PROTOCOL.md, "Bonuses"): its
 * redemption by a make, its end with the bet's settlement, its release by a full refund or a
 * discard, its return to USED by a rollback, and the one rule that turns a bonus bet's win into
 * cash ({@link #cashWin}). Each state change is one conditional statement (a file under sql/),
 * run after the bet, settlement and credit rows and before the wallet row: the lock order. Never
 * commits.
 */
public final class Bonuses {
    public static final String FREEBET_REFUND = "freebet_refund";
    public static final String FREEBET_FREEMONEY = "freebet_freemoney";
    public static final String FREEBET_NO_RISK = "freebet_no_risk";
    public static final String COMBOBOOST = "comboboost";
    public static final String GLOBAL_COMBOBOOST = "global_comboboost";
    /** The types a make may name; every one but {@link #GLOBAL_COMBOBOOST} needs a granted bonus. */
    public static final Set<String> TYPES = Set.of(FREEBET_REFUND, FREEBET_FREEMONEY, FREEBET_NO_RISK, COMBOBOOST, GLOBAL_COMBOBOOST);
    /** A freebet's stake is the bonus, not cash: nothing is debited, and a refund credits no cash. */
    public static final Set<String> FREEBETS = Set.of(FREEBET_REFUND, FREEBET_FREEMONEY, FREEBET_NO_RISK);

    static final NamedSql REDEEM = NamedSql.load("bonus-redeem");
    static final NamedSql SETTLE = NamedSql.load("bonus-settle");
    static final NamedSql REOPEN = NamedSql.load("bonus-reopen");
    static final NamedSql BIND_GLOBAL = NamedSql.load("bonus-bind-global");
    private static final String READ_SQL = "SELECT status, player_id, bonus_type, currency, amount, expires_at FROM bonus WHERE id = ?";

    private Bonuses() {
    }

    public static boolean isFreebet(String bonusType) {
        return bonusType != null && FREEBETS.contains(bonusType);
    }

    /**
     * The cash a bonus bet's win credits: the win as sent, except {@code freebet_no_risk} ("stake
     * not returned"), which credits only the profit, {@code win - bonusStake}, never below 0 (a 0
     * credit writes no credit row).
     */
    public static long cashWin(String bonusType, long win, long bonusStake) {
        return FREEBET_NO_RISK.equals(bonusType) ? Math.max(0, win - bonusStake) : win;
    }

    /**
     * The cash a refund of a bet credits: none for a freebet (its stake was the bonus, which a full
     * refund releases), the refund as sent otherwise.
     */
    public static long cashRefund(String bonusType, long refund) {
        return isFreebet(bonusType) ? 0 : refund;
    }

    /** A refund of the whole stake (cash or bonus) releases the bonus; a partial one ends it. */
    public static boolean releasedBy(long refund, long stake, long bonusStake) {
        return refund == stake + bonusStake;
    }

    /** What the redeemed bonus held. */
    public record Redeemed(long amount, Instant expiresAt) {
    }

    /**
     * Redeems bonus {@code bonusId} for the make's bet and binds it ({@code bonus-redeem.sql}).
     *
     * @return the bonus redeemed, or null when it could not be (the caller reads it, {@link #read}, to say why)
     */
    public static Redeemed redeem(Connection c, String bonusId, String bonusType, String playerId, String betId, String currency, long stake,
            Long potentialComboboostWin, Instant now) throws SQLException {
        try (NamedSql.Bound s = REDEEM.prepare(c)) {
            s.set("bet_id", betId)
                    .set("bonus_id", bonusId)
                    .set("player_id", playerId)
                    .set("bonus_type", bonusType)
                    .set("currency", currency)
                    .set("now", now)
                    .set("freebet", isFreebet(bonusType))
                    .set("stake", stake)
                    .set("potential_comboboost_win", potentialComboboostWin);
            try (ResultSet rs = s.statement().executeQuery()) {
                return rs.next() ? new Redeemed(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant()) : null;
            }
        }
    }

    /** A global_comboboost make: the bet records its boost ({@code bonus-bind-global.sql}); nothing is redeemed. */
    public static void bindGlobal(Connection c, String betId, Long potentialComboboostWin) throws SQLException {
        try (NamedSql.Bound s = BIND_GLOBAL.prepare(c)) {
            s.set("bet_id", betId).set("potential_comboboost_win", potentialComboboostWin);
            s.statement().executeUpdate();
        }
    }

    /** A bonus as it is, for the refusal of a redemption. */
    public record Bonus(String status, String playerId, String bonusType, String currency, long amount, Instant expiresAt) {
    }

    /** The bonus, or null when we never granted it. */
    public static Bonus read(Connection c, String bonusId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(READ_SQL)) {
            ps.setString(1, bonusId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Bonus(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                        rs.getObject(6, OffsetDateTime.class).toInstant()) : null;
            }
        }
    }

    /** The bonus after {@link #settle}: its new status (DONE, ACTIVE or EXPIRED) and amount. */
    public record Settled(String status, long amount) {
    }

    /**
     * Ends ({@code release} false: USED -> DONE) or releases ({@code release} true: USED -> ACTIVE,
     * or EXPIRED at or after its expiry) the bonus bound to {@code betId} ({@code bonus-settle.sql}).
     *
     * @return the bonus after it, or null when it was not USED by this bet
     */
    public static Settled settle(Connection c, String bonusId, String betId, boolean release, Instant now) throws SQLException {
        try (NamedSql.Bound s = SETTLE.prepare(c)) {
            s.set("bonus_id", bonusId).set("bet_id", betId).set("release", release).set("now", now);
            try (ResultSet rs = s.statement().executeQuery()) {
                return rs.next() ? new Settled(rs.getString(1), rs.getLong(2)) : null;
            }
        }
    }

    /**
     * A rollback's bonus: back to USED by {@code betId} ({@code bonus-reopen.sql}).
     *
     * @return true when it is USED by the bet again; false when it could not be bound again (alert bonus_rebind_failed)
     */
    public static boolean reopen(Connection c, String bonusId, String betId, Instant now) throws SQLException {
        try (NamedSql.Bound s = REOPEN.prepare(c)) {
            s.set("bonus_id", bonusId).set("bet_id", betId).set("now", now);
            try (ResultSet rs = s.statement().executeQuery()) {
                return rs.next();
            }
        }
    }
}
