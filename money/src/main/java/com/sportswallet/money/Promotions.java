package com.sportswallet.money;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;

import com.sportswallet.contracts.event.BonusClaimed;
import com.sportswallet.contracts.event.Position;

/**
 * Limited-claim promotions (issue 14), in the caller's transaction, never committing: a promotion is
 * {@code claims_max} slot rows, and a claim takes a free one ({@code FOR UPDATE SKIP LOCKED LIMIT 1}),
 * so no number of concurrent claims ever exceeds {@code claims_max}: nothing is counted and then
 * raised. Each statement is a file under {@code sql/promotion-*.sql}.
 *
 * <p>Lock order: the promotion row (a claim {@code FOR KEY SHARE}, a PUT {@code FOR UPDATE}), then the
 * claim's {@code bonus_grant_player} row, then slots, then the wallet, last.
 */
public final class Promotions {
    /** The most slots one promotion has: one PUT creates them in one transaction (100,000 rows, about a second). */
    public static final int CLAIMS_MAX_BOUND = 100_000;
    /**
     * The most free slots a claim counts for its event's {@code promotion_claims_left}: exact below it, this
     * value meaning "at least this many" (the count costs each claim at most this many index entries).
     */
    public static final int CLAIMS_LEFT_COUNT_MAX = 1000;
    /** The prefix of a promotion's grant id ({@code bonus_grant.request_id}). */
    public static final String REQUEST_ID_PREFIX = "promotion:";

    private static final NamedSql GRANT = NamedSql.load("promotion-grant");
    private static final NamedSql GRANT_SOURCE = NamedSql.load("promotion-grant-source");
    private static final NamedSql INSERT = NamedSql.load("promotion-insert");
    private static final NamedSql LOCK = NamedSql.load("promotion-lock");
    private static final NamedSql SLOTS_COUNT = NamedSql.load("promotion-slots-count");
    private static final NamedSql UPDATE = NamedSql.load("promotion-update");
    private static final NamedSql SLOTS_ADD = NamedSql.load("promotion-slots-add");
    private static final NamedSql SLOTS_REMOVE = NamedSql.load("promotion-slots-remove");
    private static final NamedSql VIEW = NamedSql.load("promotion-view");
    private static final NamedSql CLAIM_READ = NamedSql.load("promotion-claim-read");
    private static final NamedSql CLAIM_FIND = NamedSql.load("promotion-claim-find");
    private static final NamedSql CLAIM_TAKE = NamedSql.load("promotion-claim-take");
    private static final NamedSql CLAIM_FREE = NamedSql.load("promotion-claim-free");
    private static final NamedSql CLAIM_LAST = NamedSql.load("promotion-claim-last");

    private Promotions() {
    }

    /** What the operator sets with a PUT. */
    public record Terms(String bonusType, long amount, String currency, int claimsMax, Instant expiresAt) {
        public Terms {
            // What PostgreSQL keeps (microseconds), so a repeated PUT compares equal to what was stored.
            expiresAt = expiresAt.truncatedTo(ChronoUnit.MICROS);
            if (amount <= 0 || claimsMax < 0 || claimsMax > CLAIMS_MAX_BOUND) {
                throw new IllegalArgumentException("a promotion needs a positive amount and claims_max 0.." + CLAIMS_MAX_BOUND);
            }
        }

        /** True when what a claim grants (type, amount, currency) is the same in both. */
        boolean sameBonus(Terms o) {
            return bonusType.equals(o.bonusType) && amount == o.amount && currency.equals(o.currency);
        }
    }

    /** A promotion as it stands. */
    public record Promotion(String id, Terms terms, long claimsTaken, String requestId, long version) {
    }

    /** The grant id of promotion {@code id}. */
    public static String requestId(String id) {
        return REQUEST_ID_PREFIX + id;
    }

    /** What a PUT did. */
    public sealed interface PutResult permits Created, Updated, BelowClaims, BonusFrozen, GrantIdTaken {
    }

    /** Refused: an operator grant already has the id {@code promotion:<id>}. Nothing was changed. */
    public record GrantIdTaken(String requestId) implements PutResult {
    }

    /** Created, with its slots. */
    public record Created(Promotion promotion) implements PutResult {
    }

    /** Updated (or unchanged, {@code changed} false). */
    public record Updated(Promotion promotion, boolean changed) implements PutResult {
    }

    /** Refused: claims_max below the claims already taken. Nothing was changed. */
    public record BelowClaims(long claimsTaken) implements PutResult {
    }

    /** Refused: the bonus (type, amount, currency) cannot change once a player claimed it. Nothing was changed. */
    public record BonusFrozen(long claimsTaken) implements PutResult {
    }

    /**
     * Creates promotion {@code id} with {@code terms.claimsMax()} free slots and its grant, or changes
     * it: claims_max raised adds free slots, lowered removes free slots only (below the claims taken:
     * {@link BelowClaims}); the bonus (type, amount, currency) only while nobody claimed it
     * ({@link BonusFrozen}); expires_at at any time (it moves the grant's expiry with it: bonuses granted
     * before keep theirs). On a refusal nothing was written by this call; the caller rolls back anyway.
     */
    public static PutResult put(Connection c, String id, Terms terms, Instant now) throws SQLException {
        String requestId = requestId(id);
        try (NamedSql.Bound s = GRANT.prepare(c)) {
            s.set("request_id", requestId).set("request_hash", sha256(requestId)).set("bonus_type", terms.bonusType())
                    .set("currency", terms.currency()).set("expires_at", terms.expiresAt().toString());
            s.statement().executeUpdate();
        }
        try (NamedSql.Bound s = GRANT_SOURCE.prepare(c)) {
            s.set("request_id", requestId);
            try (ResultSet rs = s.statement().executeQuery()) {
                if (!rs.next() || !rs.getString(1).equals("PROMOTION")) {
                    return new GrantIdTaken(requestId);
                }
            }
        }
        boolean created;
        try (NamedSql.Bound s = INSERT.prepare(c)) {
            s.set("promotion_id", id).set("request_id", requestId).set("bonus_type", terms.bonusType()).set("amount", terms.amount())
                    .set("currency", terms.currency()).set("claims_max", terms.claimsMax()).set("expires_at", terms.expiresAt().toString())
                    .set("now", now.toString());
            try (ResultSet rs = s.statement().executeQuery()) {
                created = rs.next();
            }
        }
        if (created) {
            addSlots(c, id, terms.claimsMax());
            return new Created(new Promotion(id, terms, 0, requestId, 0));
        }
        Terms before;
        long version;
        try (NamedSql.Bound s = LOCK.prepare(c)) {
            s.set("promotion_id", id);
            try (ResultSet rs = s.statement().executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("promotion " + id + " vanished");
                }
                before = new Terms(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getInt(4),
                        rs.getObject(5, OffsetDateTime.class).toInstant());
                version = rs.getLong(6);
            }
        }
        long slots;
        long taken;
        try (NamedSql.Bound s = SLOTS_COUNT.prepare(c)) {
            s.set("promotion_id", id);
            try (ResultSet rs = s.statement().executeQuery()) {
                rs.next();
                slots = rs.getLong(1);
                taken = rs.getLong(2);
            }
        }
        if (terms.claimsMax() < taken) {
            return new BelowClaims(taken);
        }
        if (taken > 0 && !terms.sameBonus(before)) {
            return new BonusFrozen(taken);
        }
        if (terms.equals(before)) {
            return new Updated(new Promotion(id, before, taken, requestId, version), false);
        }
        try (NamedSql.Bound s = UPDATE.prepare(c)) {
            s.set("promotion_id", id).set("request_id", requestId).set("bonus_type", terms.bonusType()).set("amount", terms.amount())
                    .set("currency", terms.currency()).set("claims_max", terms.claimsMax()).set("expires_at", terms.expiresAt().toString())
                    .set("now", now.toString());
            s.statement().execute();
        }
        if (terms.claimsMax() > slots) {
            addSlots(c, id, terms.claimsMax() - slots);
        } else if (terms.claimsMax() < slots) {
            long remove = slots - terms.claimsMax();
            try (NamedSql.Bound s = SLOTS_REMOVE.prepare(c)) {
                s.set("promotion_id", id).set("remove", remove);
                int removed = s.statement().executeUpdate();
                if (removed != remove) {
                    throw new IllegalStateException("promotion " + id + ": removed " + removed + " of " + remove + " free slots");
                }
            }
        }
        return new Updated(new Promotion(id, terms, taken, requestId, version + 1), true);
    }

    private static void addSlots(Connection c, String id, long add) throws SQLException {
        if (add == 0) {
            return;
        }
        try (NamedSql.Bound s = SLOTS_ADD.prepare(c)) {
            s.set("promotion_id", id).set("add", add);
            s.statement().executeUpdate();
        }
    }

    /** Promotion {@code id} with its claims, or null. */
    public static Promotion view(Connection c, String id) throws SQLException {
        try (NamedSql.Bound s = VIEW.prepare(c)) {
            s.set("promotion_id", id);
            try (ResultSet rs = s.statement().executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Terms terms = new Terms(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getInt(4),
                        rs.getObject(5, OffsetDateTime.class).toInstant());
                return new Promotion(id, terms, rs.getLong(8), rs.getString(6), rs.getLong(7));
            }
        }
    }

    /** What a claim did. Anything but {@link Claimed} with {@code created} wrote nothing the caller should keep: it rolls back. */
    public sealed interface ClaimResult permits Claimed, UnknownPromotion, UnknownPlayer, CurrencyMismatch, Expired, SoldOut, Excluded {
    }

    /**
     * The player's claim: {@code created} by this call (its grant record and its event written), or
     * the one the player made before (a repeat, answered the same way even once sold out or expired).
     */
    public record Claimed(boolean created, String promotionId, String playerId, int slot, Instant claimedAt, String requestId,
            String bonusType, long amount, String currency, Instant expiresAt, long claimsLeft) implements ClaimResult {
    }

    public record UnknownPromotion() implements ClaimResult {
    }

    public record UnknownPlayer() implements ClaimResult {
    }

    /** The player's wallet is in another currency than the promotion's bonus. */
    public record CurrencyMismatch(String walletCurrency, String promotionCurrency) implements ClaimResult {
    }

    public record Expired(Instant expiresAt) implements ClaimResult {
    }

    public record SoldOut() implements ClaimResult {
    }

    /** The player is self-excluded (issue 15): no claim. */
    public record Excluded() implements ClaimResult {
    }

    /**
     * Claims promotion {@code promotionId} for {@code playerId} at {@code now} (the injected clock: it
     * decides expiry and is the claim's time). A new claim, in this transaction: records the player in
     * the promotion's grant ({@link BonusGrants#recordPlayers}: its {@code bonus.grants} record, which the
     * granting consumer turns into a provider grant), takes a free slot, and appends its
     * {@code wallet.bonus.claimed} event under the wallet lock, taken last. The player's repeated claim
     * is found and answered, however many run at once: the grant record's insert-if-absent lets one
     * through and the others find its claim.
     */
    public static ClaimResult claim(Connection c, String promotionId, String playerId, Instant clockNow) throws SQLException {
        Instant now = clockNow.truncatedTo(ChronoUnit.MICROS); // as stored: a repeat answers the same claimed_at
        String bonusType;
        long amount;
        String currency;
        Instant expiresAt;
        String requestId;
        long walletId;
        try (NamedSql.Bound s = CLAIM_READ.prepare(c)) {
            s.set("promotion_id", promotionId).set("player_id", playerId);
            try (ResultSet rs = s.statement().executeQuery()) {
                if (!rs.next()) {
                    return new UnknownPromotion();
                }
                bonusType = rs.getString(1);
                amount = rs.getLong(2);
                currency = rs.getString(3);
                expiresAt = rs.getObject(4, OffsetDateTime.class).toInstant();
                requestId = rs.getString(5);
                if (rs.getObject(6) == null) {
                    return new UnknownPlayer();
                }
                walletId = rs.getLong(6);
                if (!rs.getString(7).equals(currency)) {
                    return new CurrencyMismatch(rs.getString(7), currency);
                }
                if (rs.getObject(8) != null) {
                    return new Claimed(false, promotionId, playerId, rs.getInt(8), rs.getObject(9, OffsetDateTime.class).toInstant(),
                            requestId, bonusType, amount, currency, expiresAt, -1);
                }
            }
        }
        if (!now.isBefore(expiresAt)) {
            return new Expired(expiresAt);
        }
        Set<String> recorded = BonusGrants.recordPlayers(c, requestId, bonusType, currency, List.of(new BonusGrants.Entry(playerId, amount)),
                now);
        if (recorded.isEmpty()) {
            // The player's other claim committed while this one waited on its grant record: answer that one.
            try (NamedSql.Bound s = CLAIM_FIND.prepare(c)) {
                s.set("promotion_id", promotionId).set("player_id", playerId);
                try (ResultSet rs = s.statement().executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("player " + playerId + " is in the grant of promotion " + promotionId
                                + " without a claim");
                    }
                    return new Claimed(false, promotionId, playerId, rs.getInt(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                            requestId, bonusType, amount, currency, expiresAt, -1);
                }
            }
        }
        int slot;
        boolean freeAbove;
        long freeOther;
        try (NamedSql.Bound s = CLAIM_TAKE.prepare(c)) {
            s.set("promotion_id", promotionId).set("player_id", playerId).set("now", now.toString());
            try (ResultSet rs = s.statement().executeQuery()) {
                if (!rs.next()) {
                    return new SoldOut();
                }
                slot = rs.getInt(1);
            }
        }
        try (NamedSql.Bound s = CLAIM_FREE.prepare(c)) {
            s.set("promotion_id", promotionId).set("slot", slot).set("count_max", CLAIMS_LEFT_COUNT_MAX);
            try (ResultSet rs = s.statement().executeQuery()) {
                rs.next();
                freeAbove = rs.getBoolean(1);
                freeOther = rs.getLong(2);
            }
        }
        long claimsLeft;
        if (freeAbove) {
            claimsLeft = freeOther; // >= 1 (the free slot above): the claim on the highest free slot answers whether it is the last
        } else {
            try (NamedSql.Bound s = CLAIM_LAST.prepare(c)) {
                s.set("promotion_id", promotionId).set("slot", slot);
                try (ResultSet rs = s.statement().executeQuery()) {
                    rs.next();
                    claimsLeft = rs.getLong(1);
                }
            }
        }
        long playerSeq = WalletEvents.advance(c, walletId, 0).playerSeq();
        // Read after the wallet lock: an exclusion committed before it is seen (its PUT holds that lock to its commit).
        if (Exclusions.inForce(c, playerId, now)) {
            return new Excluded();
        }
        WalletEvents.append(c, BonusClaimed.of(playerId, currency, now, promotionId, requestId, bonusType, amount, claimsLeft),
                requestId + "#" + playerId, Position.only(playerSeq), now);
        return new Claimed(true, promotionId, playerId, slot, now, requestId, bonusType, amount, currency, expiresAt, claimsLeft);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
