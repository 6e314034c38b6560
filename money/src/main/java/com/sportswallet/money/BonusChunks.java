package com.sportswallet.money;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;
import com.sportswallet.contracts.event.BonusGranted;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.outbox.Outbox;

/**
 * The granting consumer's statements (issue 14), each in the caller's transaction, never
 * committing. A grant's players reach the provider in chunks:
 * <ol>
 * <li>{@link #take}, ONE transaction before the call: the grant's next chunk number (the grant row
 * locked, so its takers go one at a time), its named PENDING players no chunk holds, the chunk
 * recorded CALLING and those players CHUNKED in it ({@code chunk_id IS NULL} in the update: a
 * player is never in two chunks);</li>
 * <li>the provider call, by the caller, outside any transaction, with the chunk's id as the
 * provider's {@code request_id} and its players in code-point order; {@link #load} reads the same
 * call back for a re-drive;</li>
 * <li>{@link #complete}, ONE transaction after it: the chunk CALLING -> DONE (once: a second finisher
 * finds it DONE and writes nothing), the bonuses inserted (insert-if-absent), the players GRANTED,
 * and one {@code wallet.bonus.granted} per bonus inserted, each with its player's next player_seq
 * (wallets locked last, in id order).</li>
 * </ol>
 * Lock order: grant, then players (take); chunk, bonuses, players, wallets (complete, refuse).
 */
public final class BonusChunks {
    /** The source of the wallet.bonus.granted records. */
    public static final java.net.URI SOURCE = java.net.URI.create("/wallet/settlement-worker/bonus-grants");

    private static final NamedSql LOOKUP = NamedSql.load("bonus-grant-lookup");
    private static final NamedSql NUMBER = NamedSql.load("bonus-chunk-number");
    private static final NamedSql CANDIDATES = NamedSql.load("bonus-chunk-candidates");
    private static final NamedSql RECORD = NamedSql.load("bonus-chunk-record");
    private static final NamedSql LOAD = NamedSql.load("bonus-chunk-load");
    private static final NamedSql LEASE = NamedSql.load("bonus-chunk-lease");
    private static final NamedSql PENDING_STALE = NamedSql.load("bonus-pending-stale");
    private static final NamedSql FAILED = NamedSql.load("bonus-chunk-failed");
    private static final NamedSql REFUSED = NamedSql.load("bonus-chunk-refused");
    private static final NamedSql DONE = NamedSql.load("bonus-chunk-done");
    private static final NamedSql INSERT_BONUSES = NamedSql.load("bonus-insert");
    private static final NamedSql PLAYERS_GRANTED = NamedSql.load("bonus-players-granted");
    private static final NamedSql WALLET_LOCK = NamedSql.load("wallet-lock");
    private static final NamedSql SEQ_ADVANCE = NamedSql.load("wallet-seq-advance");
    private static final NamedSql OUTBOX_APPEND_ALL = NamedSql.load("outbox-append-all");
    /** The provider's limit per call, and so a chunk's (bonus_grant_chunk.players CHECK). */
    public static final int PLAYERS_MAX = 1000;
    /** Longest last_error kept on a chunk, in characters. */
    static final int ERROR_CHARS_MAX = 1000;

    private BonusChunks() {
    }

    /** One player of a chunk and its bonus amount, minor units. */
    public record Player(String playerId, long amount) {
    }

    /** A recorded chunk: the provider call it is, the same on every attempt. */
    public record Chunk(String id, String requestId, String bonusType, String currency, Instant expiresAt, List<Player> players) {
    }

    /** (requestId, playerId) of a bonus.grants record. */
    public record Named(String requestId, String playerId) {
    }

    /** The recorded state of each named player (PENDING, CHUNKED, GRANTED, REJECTED), or no entry when none is recorded. */
    public static Map<Named, String> lookup(Connection c, List<Named> named) throws SQLException {
        Map<Named, String> states = new HashMap<>();
        try (NamedSql.Bound s = LOOKUP.prepare(c)) {
            s.setArray("request_ids", "text", named.stream().map(Named::requestId).toArray())
                    .setArray("player_ids", "text", named.stream().map(Named::playerId).toArray());
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(3) != null) {
                        states.put(new Named(rs.getString(1), rs.getString(2)), rs.getString(3));
                    }
                }
            }
        }
        return states;
    }

    /**
     * Records the next chunk of grant {@code requestId}: at most {@code playersMax} of {@code playerIds}
     * still PENDING in no chunk. Returns null when none is (nothing is written then: the caller rolls
     * back, which also gives the chunk number back).
     */
    public static Chunk take(Connection c, String requestId, List<String> playerIds, int playersMax) throws SQLException {
        if (playersMax < 1 || playersMax > PLAYERS_MAX) {
            throw new IllegalArgumentException("a chunk holds 1.." + PLAYERS_MAX + " players: " + playersMax);
        }
        long number;
        String bonusType;
        String currency;
        Instant expiresAt;
        try (NamedSql.Bound s = NUMBER.prepare(c)) {
            try (ResultSet rs = s.set("request_id", requestId).statement().executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                number = rs.getLong(1);
                bonusType = rs.getString(2);
                currency = rs.getString(3);
                expiresAt = rs.getObject(4, OffsetDateTime.class).toInstant();
            }
        }
        List<Player> players = new ArrayList<>();
        try (NamedSql.Bound s = CANDIDATES.prepare(c)) {
            s.set("request_id", requestId).setArray("player_ids", "text", playerIds.toArray()).set("players_max", playersMax);
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    players.add(new Player(rs.getString(1), rs.getLong(2)));
                }
            }
        }
        if (players.isEmpty()) {
            return null;
        }
        String chunkId = requestId + ":" + number;
        int moved = 0;
        try (NamedSql.Bound s = RECORD.prepare(c)) {
            s.set("chunk_id", chunkId).set("request_id", requestId).set("players", players.size())
                    .setArray("player_ids", "text", players.stream().map(Player::playerId).toArray());
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    moved++;
                }
            }
        }
        if (moved != players.size()) {
            // The candidates are locked under the grant's row lock: nobody else can have taken them.
            throw new IllegalStateException("chunk " + chunkId + ": " + moved + " of " + players.size() + " locked players moved");
        }
        return new Chunk(chunkId, requestId, bonusType, currency, expiresAt, List.copyOf(players));
    }

    /** The chunk as recorded, while it is CALLING (else null): the call a re-drive repeats. */
    public static Chunk load(Connection c, String chunkId) throws SQLException {
        List<Player> players = new ArrayList<>();
        String requestId = null;
        String bonusType = null;
        String currency = null;
        Instant expiresAt = null;
        try (NamedSql.Bound s = LOAD.prepare(c)) {
            try (ResultSet rs = s.set("chunk_id", chunkId).statement().executeQuery()) {
                while (rs.next()) {
                    requestId = rs.getString(1);
                    bonusType = rs.getString(2);
                    currency = rs.getString(3);
                    expiresAt = rs.getObject(4, OffsetDateTime.class).toInstant();
                    players.add(new Player(rs.getString(5), rs.getLong(6)));
                }
            }
        }
        return players.isEmpty() ? null : new Chunk(chunkId, requestId, bonusType, currency, expiresAt, List.copyOf(players));
    }

    /** Leases at most {@code chunksMax} chunks CALLING for longer than {@code afterMs}, oldest first; returns their ids. */
    public static List<String> leaseCalling(Connection c, long afterMs, int chunksMax) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (NamedSql.Bound s = LEASE.prepare(c)) {
            try (ResultSet rs = s.set("after_ms", afterMs).set("chunks_max", chunksMax).statement().executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /** Players PENDING for longer than {@code afterMs}, at most {@code playersMax}, by grant (request_id order). */
    public static Map<String, List<String>> stalePending(Connection c, long afterMs, int playersMax) throws SQLException {
        Map<String, List<String>> byGrant = new LinkedHashMap<>();
        try (NamedSql.Bound s = PENDING_STALE.prepare(c)) {
            try (ResultSet rs = s.set("after_ms", afterMs).set("players_max", playersMax).statement().executeQuery()) {
                while (rs.next()) {
                    byGrant.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return byGrant;
    }

    /** A call of the chunk that did not land: it stays CALLING (for the re-drive), its attempts and last error recorded. */
    public static void failed(Connection c, String chunkId, String error) throws SQLException {
        try (NamedSql.Bound s = FAILED.prepare(c)) {
            s.set("chunk_id", chunkId).set("error", clip(error)).statement().executeUpdate();
        }
    }

    /** The provider refused the chunk: DONE, its players REJECTED ('provider'). Returns how many players this call rejected. */
    public static int refused(Connection c, String chunkId, String error) throws SQLException {
        int n = 0;
        try (NamedSql.Bound s = REFUSED.prepare(c)) {
            try (ResultSet rs = s.set("chunk_id", chunkId).set("error", clip(error)).statement().executeQuery()) {
                while (rs.next()) {
                    n++;
                }
            }
        }
        return n;
    }

    /** A bonus this transaction recorded, with the player_seq of its wallet.bonus.granted record. */
    public record Granted(String bonusId, String playerId, long walletId, long amount, String currency, long playerSeq) {
    }

    /**
     * Finishes the chunk the provider answered ({@code bonusIds}: player id -> bonus id): returns the
     * bonuses recorded by this call, empty when the chunk was finished before (nothing written then).
     */
    public static List<Granted> complete(Connection c, Chunk chunk, Map<String, String> bonusIds, Instant now) throws SQLException {
        try (NamedSql.Bound s = DONE.prepare(c)) {
            try (ResultSet rs = s.set("chunk_id", chunk.id()).statement().executeQuery()) {
                if (!rs.next()) {
                    return List.of();
                }
            }
        }
        Object[] players = bonusIds.keySet().toArray();
        Object[] bonuses = bonusIds.values().toArray();
        record Inserted(String bonusId, String playerId, long walletId, long amount, String currency, String bonusType, Instant expiresAt,
                String requestId) {
        }
        // Per wallet, in wallet-id order (one bonus per player of a chunk, so one record each).
        TreeMap<Long, Inserted> byWallet = new TreeMap<>();
        try (NamedSql.Bound s = INSERT_BONUSES.prepare(c)) {
            s.setArray("player_ids", "text", players).setArray("bonus_ids", "text", bonuses).set("chunk_id", chunk.id());
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    Inserted i = new Inserted(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5), rs.getString(6),
                            rs.getObject(7, OffsetDateTime.class).toInstant(), rs.getString(8));
                    if (byWallet.put(i.walletId(), i) != null) {
                        throw new IllegalStateException("chunk " + chunk.id() + " names one wallet twice: " + i.walletId());
                    }
                }
            }
        }
        try (NamedSql.Bound s = PLAYERS_GRANTED.prepare(c)) {
            s.setArray("player_ids", "text", players).setArray("bonus_ids", "text", bonuses).set("chunk_id", chunk.id())
                    .statement().executeUpdate();
        }
        if (byWallet.isEmpty()) {
            return List.of();
        }
        Long[] walletIds = byWallet.keySet().toArray(Long[]::new);
        try (NamedSql.Bound s = WALLET_LOCK.prepare(c)) {
            s.setArray("wallet_ids", "bigint", walletIds).statement().executeQuery().close();
        }
        Map<Long, Long> seqs = new HashMap<>();
        try (NamedSql.Bound s = SEQ_ADVANCE.prepare(c)) {
            Object[] ones = new Object[walletIds.length];
            java.util.Arrays.fill(ones, 1L);
            s.setArray("wallet_ids", "bigint", walletIds).setArray("entries", "bigint", ones);
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    seqs.put(rs.getLong(1), rs.getLong(2));
                }
            }
        }
        List<Granted> granted = new ArrayList<>();
        List<Outbox.Row> events = new ArrayList<>();
        for (Inserted i : byWallet.values()) {
            long seq = seqs.get(i.walletId());
            granted.add(new Granted(i.bonusId(), i.playerId(), i.walletId(), i.amount(), i.currency(), seq));
            BonusGranted fact = BonusGranted.of(i.playerId(), i.currency(), i.amount(), now, i.bonusId(), i.bonusType(), i.expiresAt(),
                    i.requestId());
            String eventId = CloudEventJson.stableId(fact.type(), i.bonusId());
            events.add(new Outbox.Row(Topics.WALLET_EVENTS, i.playerId(), eventId,
                    CloudEventJson.serialize(eventId, fact.type(), SOURCE, i.playerId(), now, Position.only(seq).writeTo(fact.data()))));
        }
        try (NamedSql.Bound s = OUTBOX_APPEND_ALL.prepare(c)) {
            s.setArray("topics", "text", events.stream().map(Outbox.Row::topic).toArray())
                    .setArray("msg_keys", "text", events.stream().map(Outbox.Row::key).toArray())
                    .setArray("event_ids", "text", events.stream().map(Outbox.Row::eventId).toArray())
                    .setArray("payloads", "text", events.stream().map(Outbox.Row::payload).toArray())
                    .statement().executeUpdate();
        }
        return granted;
    }

    private static String clip(String error) {
        return error == null || error.length() <= ERROR_CHARS_MAX ? error : error.substring(0, ERROR_CHARS_MAX);
    }
}
