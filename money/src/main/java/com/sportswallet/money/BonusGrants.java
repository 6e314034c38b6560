package com.sportswallet.money;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.sportswallet.contracts.BonusGrantCommand;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;

/**
 * The one statement that fans a grant out (issue 14): records each accepted player of a grant
 * ({@code bonus_grant_player}, PENDING) and appends its {@code bonus.grant} record to the outbox, in
 * the caller's transaction. The operator's grant endpoint and a promotion's claim both call it; the
 * {@code bonus_grant} row must exist first.
 */
public final class BonusGrants {
    /** The source of the bonus.grants records. */
    public static final URI SOURCE = URI.create("/wallet/bonus-grants");
    private static final NamedSql RECORD_PLAYERS = NamedSql.load("bonus-grant-players");
    private static final NamedSql WALLETS = NamedSql.load("bonus-grant-wallets");
    private static final NamedSql EXCLUDED = NamedSql.load("bonus-grant-excluded");
    private static final NamedSql INSERT_GRANT = NamedSql.load("bonus-grant-insert");
    private static final NamedSql STATUS = NamedSql.load("bonus-grant-status");
    private static final NamedSql PLAYER_BONUSES = NamedSql.load("bonus-player-list");

    private BonusGrants() {
    }

    /** One accepted player of a grant and the bonus amount it gets, in minor units. */
    public record Entry(String playerId, long amount) {
        public Entry {
            if (playerId == null || playerId.isEmpty() || amount <= 0) {
                throw new IllegalArgumentException("a grant entry needs a player and a positive amount");
            }
        }
    }

    /** The stable id of the bonus.grant record of (requestId, player): a replay of the fan-out has the same ids. */
    public static String eventId(String requestId, String playerId) {
        return CloudEventJson.stableId(BonusGrantCommand.TYPE, requestId, playerId);
    }

    /**
     * Records {@code entries} of grant {@code requestId} and appends one bonus.grants record for each
     * player recorded now; a player already recorded for this request is skipped. Returns the players
     * recorded by this call.
     */
    public static Set<String> recordPlayers(Connection c, String requestId, String bonusType, String currency, List<Entry> entries,
            Instant time) throws SQLException {
        int n = entries.size();
        Object[] players = new Object[n];
        Object[] amounts = new Object[n];
        Object[] eventIds = new Object[n];
        Object[] payloads = new Object[n];
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            players[i] = e.playerId();
            amounts[i] = e.amount();
            eventIds[i] = eventId(requestId, e.playerId());
            payloads[i] = CloudEventJson.serialize((String) eventIds[i], BonusGrantCommand.TYPE, SOURCE, e.playerId(), time,
                    BonusGrantCommand.data(requestId, e.playerId(), e.amount(), currency, bonusType));
        }
        Set<String> recorded = new HashSet<>();
        try (NamedSql.Bound s = RECORD_PLAYERS.prepare(c)) {
            s.set("request_id", requestId).set("topic", Topics.BONUS_GRANTS)
                    .setArray("player_ids", "text", players).setArray("amounts", "bigint", amounts)
                    .setArray("event_ids", "text", eventIds).setArray("payloads", "text", payloads);
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    recorded.add(rs.getString(1));
                }
            }
        }
        return recorded;
    }

    /**
     * One operator grant as recorded: its request, the SHA-256 of its canonical body, and the
     * rejections decided when it was recorded (entries in the request, duplicates included, are
     * {@code playersTotal}; every other entry is recorded as a player).
     */
    public record Grant(String requestId, byte[] requestHash, String bonusType, String currency, Instant expiresAt, int playersTotal,
            int rejectedUnknownPlayer, int rejectedCurrency, int rejectedExcluded, int rejectedDuplicate) {
    }

    /** The CASH wallet currency of each of {@code playerIds} that has one: players absent from the map are unknown. */
    public static Map<String, String> walletCurrencies(Connection c, Collection<String> playerIds) throws SQLException {
        Map<String, String> currencies = new HashMap<>();
        try (NamedSql.Bound s = WALLETS.prepare(c)) {
            s.setArray("player_ids", "text", playerIds.toArray());
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    currencies.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return currencies;
    }

    /**
     * The named players self-excluded at {@code at} (issue 15): a grant's record-time rejection
     * {@code excluded}. A read without locks, in the grant's transaction: an exclusion committed
     * later orders after the grant.
     */
    public static Set<String> excluded(Connection c, Collection<String> playerIds, Instant at) throws SQLException {
        Set<String> excluded = new HashSet<>();
        try (NamedSql.Bound s = EXCLUDED.prepare(c)) {
            s.setArray("player_ids", "text", playerIds.toArray()).set("at", at);
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    excluded.add(rs.getString(1));
                }
            }
        }
        return excluded;
    }

    /** Records the grant once (insert-if-absent on its request_id); false when a grant with that id exists already. */
    public static boolean insertGrant(Connection c, Grant g) throws SQLException {
        try (NamedSql.Bound s = INSERT_GRANT.prepare(c)) {
            s.set("request_id", g.requestId()).set("request_hash", g.requestHash()).set("bonus_type", g.bonusType())
                    .set("currency", g.currency()).set("expires_at", g.expiresAt().toString()).set("players_total", g.playersTotal())
                    .set("rejected_unknown_player", g.rejectedUnknownPlayer()).set("rejected_currency", g.rejectedCurrency())
                    .set("rejected_excluded", g.rejectedExcluded()).set("rejected_duplicate", g.rejectedDuplicate());
            try (ResultSet rs = s.statement().executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * A grant's progress: players_total, players GRANTED, and rejections by reason (record-time counts
     * plus recorded players REJECTED later, e.g. {@code provider}).
     */
    public record Status(String requestId, byte[] requestHash, int playersTotal, long granted, Map<String, Long> rejected) {
        /** Every rejection, whatever its reason. */
        public long rejectedTotal() {
            return rejected.values().stream().mapToLong(Long::longValue).sum();
        }

        /** True once every entry of the request is granted or rejected. */
        public boolean done() {
            return granted + rejectedTotal() == playersTotal;
        }
    }

    /** The reasons a grant's entry is rejected, in the order the operator's view lists them. */
    public static final List<String> REJECT_REASONS = List.of("unknown_player", "currency", "excluded", "duplicate", "provider");

    /** The operator grant {@code requestId} (source GRANT), or null. */
    public static Status status(Connection c, String requestId) throws SQLException {
        try (NamedSql.Bound s = STATUS.prepare(c)) {
            s.set("request_id", requestId);
            try (ResultSet rs = s.statement().executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Long> rejected = new java.util.LinkedHashMap<>();
                for (String reason : REJECT_REASONS) {
                    rejected.put(reason, rs.getLong(reason));
                }
                return new Status(requestId, rs.getBytes("request_hash"), rs.getInt("players_total"), rs.getLong("granted"), rejected);
            }
        }
    }

    /** One bonus as the operator sees it. */
    public record Bonus(String bonusId, String bonusType, long amount, String currency, String status, Instant expiresAt, String betId) {
    }

    /** The player's bonuses, newest first, at most {@code limitMax}. */
    public static List<Bonus> ofPlayer(Connection c, String playerId, int limitMax) throws SQLException {
        List<Bonus> bonuses = new ArrayList<>();
        try (NamedSql.Bound s = PLAYER_BONUSES.prepare(c)) {
            s.set("player_id", playerId).set("limit_max", limitMax);
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    bonuses.add(new Bonus(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                            rs.getObject(6, java.time.OffsetDateTime.class).toInstant(), rs.getString(7)));
                }
            }
        }
        return bonuses;
    }
}
