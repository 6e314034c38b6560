package com.sportswallet.money;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;

/**
 * Responsible-gaming limits (issue 15; docs/PROTOCOL.md, "Limits"): the rules and statements every
 * path shares.
 * <ul>
 * <li>{@link #BOOK} ({@code usage-book.sql}): a money fact's usage booked to its local day's day,
 * week and month, after the wallet row is locked, returning the usage after it and the limits in
 * force. The make and the deposit refuse on {@link #over}
 * (the caller rolls back); settlements, rollbacks and discards book without a check.</li>
 * <li>{@link Limit#change}: which change takes effect at once (a first limit, a decrease) and which
 * waits for the cooling-off (an increase, a removal).</li>
 * </ul>
 * Every decision is at the caller's clock instant, passed into SQL. Never commits.
 */
public final class Limits {
    public static final List<String> KINDS = List.of("wager", "loss", "deposit");
    /** In the lock order of the usage rows. */
    public static final List<String> PERIODS = List.of("day", "week", "month");
    /** The limit a deposit is checked against. */
    public static final List<String> DEPOSIT_KINDS = List.of("deposit");
    public static final NamedSql BOOK = NamedSql.load("usage-book");
    private static final NamedSql LOCK = NamedSql.load("limit-lock");
    private static final NamedSql LOCK_WALLET = NamedSql.load("limit-lock-wallet");
    private static final NamedSql READ = NamedSql.load("limit-read");
    private static final NamedSql WRITE = NamedSql.load("limit-write");
    private static final NamedSql USAGE_READ = NamedSql.load("usage-read");
    private static final NamedSql MAKE_CHECKED = NamedSql.load("usage-make-checked");
    private static final NamedSql DEPOSIT_BOOKED = NamedSql.load("usage-deposit-booked");
    /** The largest limit accepted, in minor units (a bound, not a policy: the largest stake is far below it). */
    public static final long VALUE_MAX = 1_000_000_000_000_000L;

    private Limits() {
    }

    /** The local day an instant books to, in LIMITS_TIME_ZONE; its week (ISO) and month follow from it in SQL (usage_periods). */
    public static LocalDate day(Instant at, ZoneId zone) {
        return at.atZone(zone).toLocalDate();
    }

    /**
     * One limit as stored: the value in force until a pending change's {@code pendingEffectiveAt}
     * (a pending removal has a null {@code pendingValue}). {@code value} null: none.
     */
    public record Limit(Long value, Long pendingValue, Instant pendingEffectiveAt) {
        public static final Limit NONE = new Limit(null, null, null);

        /** The limit as it stands at {@code at}: a pending change that is effective by then is the value. */
        public Limit resolve(Instant at) {
            return pendingEffectiveAt != null && !pendingEffectiveAt.isAfter(at) ? new Limit(pendingValue, null, null) : this;
        }

        /** The value in force at {@code at}. */
        public Long inForce(Instant at) {
            return resolve(at).value();
        }

        /**
         * The rule of a change to {@code requested} (null: remove) at {@code at}: a limit where none
         * is in force, a decrease, or the value in force, take effect at once and cancel any pending
         * change; an increase or a removal waits {@code delay}, replacing any pending change.
         */
        public Limit change(Long requested, Instant at, Duration delay) {
            Limit now = resolve(at);
            if (now.value() == null || (requested != null && requested <= now.value())) {
                return new Limit(requested, null, null);
            }
            return new Limit(now.value(), requested, at.plus(delay));
        }
    }

    /**
     * A period's usage after a booking, beside the limits in force (null: none).
     */
    public record Usage(String period, LocalDate periodStart, long wager, long loss, long deposit, Long wagerLimit, Long lossLimit,
            Long depositLimit) {
        /** The usage of {@code kind}. */
        public long used(String kind) {
            return switch (kind) {
                case "wager" -> wager;
                case "loss" -> loss;
                case "deposit" -> deposit;
                default -> throw new IllegalArgumentException(kind);
            };
        }

        /** The limit of {@code kind} in force at the booking, or null. */
        public Long limit(String kind) {
            return switch (kind) {
                case "wager" -> wagerLimit;
                case "loss" -> lossLimit;
                case "deposit" -> depositLimit;
                default -> throw new IllegalArgumentException(kind);
            };
        }
    }

    /**
     * What a money fact books to its period's usage (docs/PROTOCOL.md, "Limits": the table of facts,
     * written once here). A freebet's stake is not cash (issue 14): its cash stake 0 books nothing.
     */
    public record Booking(long wager, long loss, long deposit) {
        public static final Booking NONE = new Booking(0, 0, 0);

        /** A make's cash stake s: wager +s, loss +s. */
        public static Booking make(long cashStake) {
            return new Booking(cashStake, cashStake, 0);
        }

        /**
         * A settlement crediting {@code cash} (its state: WON, CASHED_OUT, REFUNDED or LOST): a win or cashout
         * loss -cash; a refund wager and loss -cash; lost nothing.
         */
        public static Booking settlement(String state, long cash) {
            return switch (state) {
                case "WON", "CASHED_OUT" -> new Booking(0, -cash, 0);
                case "REFUNDED" -> new Booking(-cash, -cash, 0);
                case "LOST" -> NONE;
                default -> throw new IllegalArgumentException("not a settlement: " + state);
            };
        }

        /** A deposit d: deposit +d (gross: a withdrawal takes nothing back). */
        public static Booking deposit(long amount) {
            return new Booking(0, 0, amount);
        }

        /** A discard or rollback takes back exactly what the fact it reverses booked, in that fact's period. */
        public Booking reversed() {
            return new Booking(-wager, -loss, -deposit);
        }

        public boolean isNone() {
            return wager == 0 && loss == 0 && deposit == 0;
        }
    }

    /**
     * Books {@code b} to the periods of {@code day} without a check (settlements, rollbacks, discards:
     * the provider reports what happened). Nothing for a fact that books nothing, or one from before
     * the limits ({@code day} null). Run after the wallet row is locked.
     */
    public static void bookUnchecked(Connection c, String playerId, LocalDate day, Booking b, Instant at) throws SQLException {
        if (day != null && !b.isNone()) {
            book(c, playerId, day, b, at);
        }
    }

    /** {@link #book(Connection, String, LocalDate, long, long, long, Instant)} of a {@link Booking}. */
    public static List<Usage> book(Connection c, String playerId, LocalDate day, Booking b, Instant at) throws SQLException {
        return book(c, playerId, day, b.wager(), b.loss(), b.deposit(), at);
    }

    /** A limit in force at a booking and the usage the booking left under it. */
    public record Checked(String kind, String period, LocalDate periodStart, long limit, long used) {
        /** Above the limit: the fact is refused (reaching it exactly is allowed). */
        public boolean over() {
            return used > limit;
        }

        /** Exactly at the limit: an accepted fact's {@code wallet.limit.reached} event. */
        public boolean reached() {
            return used == limit;
        }
    }

    /**
     * Books a fact's usage deltas to the periods of {@code day} (run after the wallet row is locked)
     * and returns each period's usage after it with the limits in force at {@code at}, day, week, month.
     */
    public static List<Usage> book(Connection c, String playerId, LocalDate day, long wager, long loss, long deposit, Instant at)
            throws SQLException {
        try (NamedSql.Bound s = BOOK.prepare(c)) {
            bindBook(s, playerId, day, wager, loss, deposit, at);
            try (ResultSet rs = s.statement().executeQuery()) {
                return usage(rs);
            }
        }
    }

    /** Binds {@link #BOOK}'s parameters, for callers that fold it into a round trip of theirs. */
    public static NamedSql.Bound bindBook(NamedSql.Bound s, String playerId, LocalDate day, long wager, long loss, long deposit, Instant at)
            throws SQLException {
        return s.set("player_id", playerId).set("day", day).set("wager", wager).set("loss", loss).set("deposit", deposit).set("at", at);
    }

    /** {@link #BOOK}'s rows. */
    public static List<Usage> usage(ResultSet rs) throws SQLException {
        List<Usage> out = new ArrayList<>(3);
        while (rs.next()) {
            out.add(new Usage(rs.getString(1), rs.getObject(2, LocalDate.class), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                    (Long) rs.getObject(6), (Long) rs.getObject(7), (Long) rs.getObject(8)));
        }
        if (out.size() != PERIODS.size()) {
            throw new IllegalStateException("a booking returned " + out.size() + " periods, not " + PERIODS.size());
        }
        return out;
    }

    /**
     * What an accepted fact stores as the limits it was checked against ({@code kinds}) and the usage
     * it left: {@code {"day": {"wager": [limit, usage after], ...}, ...}}, only the limits in force;
     * null when none was.
     */
    public static String checked(List<Usage> usage, List<String> kinds) {
        ObjectNode out = CloudEventJson.mapper().createObjectNode();
        for (Checked c : checks(usage, kinds)) {
            ObjectNode period = out.has(c.period()) ? (ObjectNode) out.get(c.period()) : out.putObject(c.period());
            period.putArray(c.kind()).add(c.limit()).add(c.used());
        }
        return out.isEmpty() ? null : out.toString();
    }

    /** The limits among {@code kinds} in force at a booking, with the usage it left, day, week, month. */
    public static List<Checked> checks(List<Usage> usage, List<String> kinds) {
        List<Checked> out = new ArrayList<>();
        for (Usage u : usage) {
            for (String kind : kinds) {
                Long limit = u.limit(kind);
                if (limit != null) {
                    out.add(new Checked(kind, u.period(), u.periodStart(), limit, u.used(kind)));
                }
            }
        }
        return out;
    }

    /** The first limit among {@code kinds} the booking took its usage above (the refusal names it), or null: within them all. */
    public static Checked over(List<Usage> usage, List<String> kinds) {
        return checks(usage, kinds).stream().filter(Checked::over).findFirst().orElse(null);
    }

    /** The limits among {@code kinds} that {@code usage} reached exactly (an accepted fact never goes above one). */
    public static List<Checked> reached(List<Usage> usage, List<String> kinds) {
        return checks(usage, kinds).stream().filter(Checked::reached).toList();
    }

    /**
     * Locks the player row, then the player's CASH wallet (the lock order), for a limit change: so it
     * is ordered wholly before or after every make (which holds the player row FOR SHARE) and every
     * deposit and settlement (which hold the wallet row). False for an unknown player.
     */
    public static boolean lock(Connection c, String playerId) throws SQLException {
        return exists(c, LOCK, playerId) && exists(c, LOCK_WALLET, playerId);
    }

    private static boolean exists(Connection c, NamedSql sql, String playerId) throws SQLException {
        try (NamedSql.Bound s = sql.prepare(c)) {
            s.set("player_id", playerId);
            try (ResultSet rs = s.statement().executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The player's limits as stored, by kind then period (absent: never set). */
    public static Map<String, Map<String, Limit>> read(Connection c, String playerId) throws SQLException {
        Map<String, Map<String, Limit>> out = new LinkedHashMap<>();
        try (NamedSql.Bound s = READ.prepare(c)) {
            s.set("player_id", playerId);
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime effective = rs.getObject(5, OffsetDateTime.class);
                    out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2),
                            new Limit((Long) rs.getObject(3), (Long) rs.getObject(4), effective == null ? null : effective.toInstant()));
                }
            }
        }
        return out;
    }

    /** Stores changed limits ({@code kind -> period -> limit}), under the lock {@link #lock} took. */
    public static void write(Connection c, String playerId, Map<String, Map<String, Limit>> changed, Instant at) throws SQLException {
        List<Object> kinds = new ArrayList<>();
        List<Object> periods = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        List<Object> pendingValues = new ArrayList<>();
        List<Object> pendingEffectiveAts = new ArrayList<>();
        changed.forEach((kind, byPeriod) -> byPeriod.forEach((period, l) -> {
            kinds.add(kind);
            periods.add(period);
            values.add(l.value());
            pendingValues.add(l.pendingValue());
            pendingEffectiveAts.add(l.pendingEffectiveAt() == null ? null : l.pendingEffectiveAt().toString());
        }));
        if (kinds.isEmpty()) {
            return;
        }
        try (NamedSql.Bound s = WRITE.prepare(c)) {
            s.set("player_id", playerId)
                    .set("at", at)
                    .setArray("kinds", "text", kinds.toArray())
                    .setArray("periods", "text", periods.toArray())
                    .setArray("limit_values", "bigint", values.toArray())
                    .setArray("pending_values", "bigint", pendingValues.toArray())
                    .setArray("pending_effective_ats", "text", pendingEffectiveAts.toArray());
            s.statement().executeUpdate();
        }
    }

    /** The player's usage in the periods of {@code day} (0 where nothing was booked yet), day, week, month. */
    public static List<Usage> usage(Connection c, String playerId, LocalDate day) throws SQLException {
        List<Usage> out = new ArrayList<>(3);
        try (NamedSql.Bound s = USAGE_READ.prepare(c)) {
            s.set("player_id", playerId).set("day", day);
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    out.add(new Usage(rs.getString(1), rs.getObject(2, LocalDate.class), rs.getLong(3), rs.getLong(4), rs.getLong(5), null, null,
                            null));
                }
            }
        }
        return out;
    }

    /** Stores on an accepted make the limits it was checked against ({@link #checked}; nothing when null). */
    public static void storeMakeChecked(Connection c, String betId, String checked) throws SQLException {
        if (checked == null) {
            return;
        }
        try (NamedSql.Bound s = MAKE_CHECKED.prepare(c)) {
            s.set("bet_id", betId).set("checked", checked);
            s.statement().executeUpdate();
        }
    }

    /** Stores on a deposit's ledger entry (by its key) the day it booked to and the limits it was checked against. */
    public static void storeDepositBooked(Connection c, String ledgerKey, LocalDate day, String checked) throws SQLException {
        try (NamedSql.Bound s = DEPOSIT_BOOKED.prepare(c)) {
            s.set("ledger_key", ledgerKey).set("day", day).set("checked", checked);
            if (s.statement().executeUpdate() != 1) {
                throw new IllegalStateException("no ledger entry " + ledgerKey + " to book");
            }
        }
    }
}
