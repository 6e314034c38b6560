package com.sportswallet.ingress.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.sportswallet.ingress.model.Wallet;

/**
 * The operator API's reads of a player's wallet and ledger, on the reads pool ({@link ReadPool}),
 * each ONE statement so what it shows comes from one snapshot (the balance and the entries that
 * made it agree).
 */
@ApplicationScoped
public class PlayerReads {
    private static final String WALLET_SQL = """
            SELECT w.currency, w.balance, w.pending, w.version, w.updated_at, p.status,
              (SELECT count(*) FROM credit c WHERE c.wallet_id = w.id AND c.status = 'PENDING')
            FROM wallet w JOIN player p ON p.id = w.player_id
            WHERE w.player_id = ? AND w.kind = 'CASH'""";
    // Entries older than the cursor (wallet_version < before), each with the sub of the operator whose deposit or withdrawal
    // wrote it (operator_audit, by its ledger key; null for a callback's or the worker's entry).
    private static final String LEDGER_SQL = """
            SELECT w.currency, w.balance, w.pending, e.id, e.operation, e.amount, e.balance_after, e.wallet_version,
              e.idempotency_key, e.created_at, a.sub
            FROM wallet w
            LEFT JOIN LATERAL (SELECT * FROM ledger_entry l WHERE l.wallet_id = w.id AND l.wallet_version < ?
              ORDER BY l.wallet_version DESC LIMIT ?) e ON true
            LEFT JOIN operator_audit a ON a.ledger_key = e.idempotency_key
            WHERE w.player_id = ? AND w.kind = 'CASH'
            ORDER BY e.wallet_version DESC""";
    // Ordered as the text_pattern_ops index (~<~, byte order), so the prefix scan stops at the limit.
    private static final String PLAYERS_SQL = """
            SELECT p.id, p.status, w.currency, w.balance, w.pending
            FROM player p LEFT JOIN wallet w ON w.player_id = p.id AND w.kind = 'CASH'
            WHERE p.id LIKE ? ESCAPE '\\'
            ORDER BY p.id USING ~<~ LIMIT ?""";
    // A page of bets newest first (bet_player_created), each with its selections, settlements (rollbacks included:
    // state ROLLED_BACK and rolled_back_by) and credits as JSON built in the same statement: one snapshot.
    private static final String BETS_SQL = """
            SELECT b.id, b.provider_tx_id, b.state, b.currency, b.stake, b.bonus_stake, b.bonus_id, b.bonus_type, b.potential_win,
              b.confirmed, b.provider_status, b.latest_settlement_id, b.created_at, b.updated_at,
              (SELECT coalesce(json_agg(json_build_object('position', s.position, 'selection_id', s.selection_id, 'event_id', s.event_id,
                 'market_name', s.market_name, 'outcome_name', s.outcome_name, 'odds', s.odds, 'live', s.live) ORDER BY s.position), '[]')
               FROM bet_selection s WHERE s.bet_id = b.id),
              (SELECT coalesce(json_agg(json_build_object('id', t.id, 'kind', t.kind, 'amount', t.amount, 'state', t.state,
                 'provider_transaction_id', t.provider_tx_id, 'rolled_back_by', t.rolled_back_by,
                 'rollback_provider_transaction_id', t.rollback_tx_id, 'created_at', t.created_at) ORDER BY t.created_at, t.id), '[]')
               FROM settlement t WHERE t.bet_id = b.id),
              (SELECT coalesce(json_agg(json_build_object('id', c.id, 'kind', c.kind, 'amount', c.amount, 'status', c.status,
                 'created_at', c.created_at, 'decided_at', c.decided_at) ORDER BY c.created_at, c.id), '[]')
               FROM credit c WHERE c.bet_id = b.id)
            FROM player p
            JOIN bet b ON b.player_id = p.id
            WHERE p.id = ? AND (?::text IS NULL OR b.state = ?)
              AND (?::text IS NULL OR (b.created_at, b.id) < (SELECT o.created_at, o.id FROM bet o WHERE o.id = ? AND o.player_id = p.id))
            ORDER BY b.created_at DESC, b.id DESC LIMIT ?""";
    private static final String PLAYER_EXISTS_SQL = "SELECT 1 FROM player WHERE id = ?";
    // Oldest first (credit_wallet_pending); age from the database's clock, the one created_at was written with.
    private static final String PENDING_CREDITS_SQL = """
            SELECT c.id, c.bet_id, c.kind, c.amount, c.created_at, (extract(epoch FROM now() - c.created_at) * 1000)::bigint
            FROM wallet w
            LEFT JOIN LATERAL (SELECT * FROM credit k WHERE k.wallet_id = w.id AND k.status = 'PENDING' ORDER BY k.id LIMIT ?) c ON true
            WHERE w.player_id = ? AND w.kind = 'CASH'
            ORDER BY c.created_at, c.id""";
    // The newest sessions first (player_session_player_created, V23: the walk stops at the limit), each with its state at
    // the wallet clock's instant passed in (never now(): the state a make at that instant would find, make-batch-sessions.sql).
    // The player row first, so an unknown player is no row and one without sessions a row of nulls: one statement either way.
    // The lateral names the player by the parameter, not p.id: the planner then estimates this player's sessions, and walks
    // the index for one with many (by p.id it assumes the average player and reads and sorts all of them).
    private static final String SESSIONS_SQL = """
            SELECT s.id, s.created_at, s.expires_at, s.ended_at, s.state
            FROM player p
            LEFT JOIN LATERAL (SELECT x.id, x.created_at, x.expires_at, x.ended_at,
                CASE WHEN x.ended_at IS NOT NULL THEN 'ENDED' WHEN x.expires_at <= ? THEN 'EXPIRED' ELSE 'OPEN' END AS state
              FROM player_session x
              WHERE x.player_id = ? AND (?::text IS NULL OR ?::text =
                CASE WHEN x.ended_at IS NOT NULL THEN 'ENDED' WHEN x.expires_at <= ? THEN 'EXPIRED' ELSE 'OPEN' END)
              ORDER BY x.created_at DESC, x.id DESC LIMIT ?) s ON true
            WHERE p.id = ?
            ORDER BY s.created_at DESC, s.id DESC""";

    @Inject
    ReadPool reads;

    /** A player's CASH wallet as the operator sees it. */
    public record WalletView(String currency, long balance, long pending, long version, Instant updatedAt, String status,
            long pendingCredits) {
        public long available() {
            return Wallet.available(balance, pending);
        }
    }

    /** A ledger entry; {@code operatorSub}: who ordered it, for a deposit or a withdrawal (else null). */
    public record Entry(long id, String operation, long amount, long balanceAfter, long sequence, String idempotencyKey,
            Instant createdAt, String operatorSub) {
    }

    /** A player found by a search: its CASH wallet's currency and balances (null without a wallet). */
    public record PlayerRow(String id, String status, String currency, Long balance, Long pending) {
        public Long available() {
            return balance == null ? null : Wallet.available(balance, pending);
        }
    }

    /** A bet with its selections, settlements and credits, each list as the JSON array text the database built. */
    public record BetRow(String id, String providerTxId, String state, String currency, long stake, long bonusStake, String bonusId,
            String bonusType, Long potentialWin, boolean confirmed, String providerStatus, String latestSettlementId, Instant createdAt,
            Instant updatedAt, String selectionsJson, String settlementsJson, String creditsJson) {
    }

    /** A PENDING credit and how long it has waited for the worker. */
    public record PendingCredit(String id, String betId, String kind, long amount, Instant createdAt, long ageMs) {
    }

    /** A player session and its state (OPEN, EXPIRED, ENDED) at the instant it was read at; {@code endedAt} null while not ended. */
    public record SessionRow(String id, Instant createdAt, Instant expiresAt, Instant endedAt, String state) {
    }

    /** The newest entries first, with the wallet they leave. */
    public record LedgerPage(String currency, long balance, long pending, List<Entry> entries) {
        public long available() {
            return Wallet.available(balance, pending);
        }
    }

    /** The player's wallet, or null for an unknown player. */
    public WalletView wallet(String playerId) throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(WALLET_SQL)) {
            ps.setString(1, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new WalletView(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getTimestamp(5).toInstant(),
                        rs.getString(6), rs.getLong(7));
            }
        }
    }

    /**
     * The player's {@code limit} newest ledger entries whose sequence is below {@code before} (the cursor: the last
     * sequence of the previous page; Long.MAX_VALUE for the first), or null for an unknown player.
     */
    public LedgerPage ledger(String playerId, long before, int limit) throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(LEDGER_SQL)) {
            ps.setLong(1, before);
            ps.setInt(2, limit);
            ps.setString(3, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                LedgerPage page = null;
                List<Entry> entries = new ArrayList<>();
                while (rs.next()) {
                    if (page == null) {
                        page = new LedgerPage(rs.getString(1), rs.getLong(2), rs.getLong(3), entries);
                    }
                    if (rs.getObject(4) != null) {
                        entries.add(new Entry(rs.getLong(4), rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getString(9),
                                rs.getTimestamp(10).toInstant(), rs.getString(11)));
                    }
                }
                return page;
            }
        }
    }

    /** Players whose id starts with {@code prefix}, in byte order, at most {@code limit}. */
    public List<PlayerRow> players(String prefix, int limit) throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(PLAYERS_SQL)) {
            ps.setString(1, likePrefix(prefix));
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<PlayerRow> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new PlayerRow(rs.getString(1), rs.getString(2), rs.getString(3), (Long) rs.getObject(4, Long.class),
                            (Long) rs.getObject(5, Long.class)));
                }
                return rows;
            }
        }
    }

    /** {@code prefix} as a LIKE pattern: its wildcards and the escape character taken literally, then %. */
    static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /**
     * A page of the player's bets, newest first: those in {@code state} (null: any), older than bet {@code before}
     * (null: from the newest; a bet of another player or unknown: an empty page). Null for an unknown player.
     */
    public List<BetRow> bets(String playerId, String state, String before, int limit) throws SQLException {
        try (Connection c = reads.connection()) {
            List<BetRow> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(BETS_SQL)) {
                ps.setString(1, playerId);
                ps.setString(2, state);
                ps.setString(3, state);
                ps.setString(4, before);
                ps.setString(5, before);
                ps.setInt(6, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new BetRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6),
                                rs.getString(7), rs.getString(8), (Long) rs.getObject(9, Long.class), rs.getBoolean(10), rs.getString(11),
                                rs.getString(12), rs.getTimestamp(13).toInstant(), rs.getTimestamp(14).toInstant(), rs.getString(15),
                                rs.getString(16), rs.getString(17)));
                    }
                }
            }
            // An empty page: is the player there at all? (A second statement, only then: a page's rows came from one.)
            return rows.isEmpty() && !exists(c, playerId) ? null : rows;
        }
    }

    /** The player's PENDING credits, oldest first, at most {@code limit}; null for an unknown player. */
    public List<PendingCredit> pendingCredits(String playerId, int limit) throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(PENDING_CREDITS_SQL)) {
            ps.setInt(1, limit);
            ps.setString(2, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                List<PendingCredit> rows = null;
                while (rs.next()) {
                    if (rows == null) {
                        rows = new ArrayList<>();
                    }
                    if (rs.getObject(1) != null) {
                        rows.add(new PendingCredit(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.getTimestamp(5).toInstant(), rs.getLong(6)));
                    }
                }
                return rows;
            }
        }
    }

    /**
     * The player's sessions, newest first, at most {@code limit}, each in its state at {@code now} (the wallet's clock):
     * those in {@code state} (OPEN, EXPIRED or ENDED; null: any). Null for an unknown player.
     */
    public List<SessionRow> sessions(String playerId, String state, Instant now, int limit) throws SQLException {
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(SESSIONS_SQL)) {
            ps.setObject(1, at);
            ps.setString(2, playerId);
            ps.setString(3, state);
            ps.setString(4, state);
            ps.setObject(5, at);
            ps.setInt(6, limit);
            ps.setString(7, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                List<SessionRow> rows = null;
                while (rs.next()) {
                    if (rows == null) {
                        rows = new ArrayList<>();
                    }
                    if (rs.getObject(1) != null) {
                        OffsetDateTime ended = rs.getObject(4, OffsetDateTime.class);
                        rows.add(new SessionRow(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                                rs.getObject(3, OffsetDateTime.class).toInstant(), ended == null ? null : ended.toInstant(), rs.getString(5)));
                    }
                }
                return rows;
            }
        }
    }

    private static boolean exists(Connection c, String playerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PLAYER_EXISTS_SQL)) {
            ps.setString(1, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
