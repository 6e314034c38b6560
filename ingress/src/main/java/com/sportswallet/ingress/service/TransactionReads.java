package com.sportswallet.ingress.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.sportswallet.contracts.CloudEventJson;

/**
 * The "transaction status" lookup providers and support ask for (issue 17): from a provider transaction
 * id, or from the operator transaction id the wallet answered, to the stored answer, the bet, the ledger
 * entries and the credit it caused. Each lookup is ONE statement on the reads pool ({@link ReadPool}).
 *
 * <p>An operator id is derived from (endpoint, provider id) ({@code Callbacks.operatorId}), so it
 * cannot be inverted: it is found where the wallet stored it, a bet (make), a settlement (win, lost,
 * refund; since V21 with its provider id), a settlement's {@code rolled_back_by} (rollback), a credit
 * (a discard's, through its bet), or an operator deposit's or withdrawal's answer.
 */
@ApplicationScoped
public class TransactionReads {
    /** Every endpoint whose requests are keyed by a provider (or operator) transaction id, in the order shown. */
    public static final List<String> ENDPOINTS = List.of("bet/make", "bet/win", "bet/lost", "bet/refund", "bet/rollback", "bet/discard",
            "operator/deposit", "operator/withdrawal");

    // t: the candidate (endpoint, key, operator id, bet id when known without the answer) rows; i: the stored answer.
    // The bet: the make's own, a discard's make, else the parent the money body names. Ledger entries: the make's debit,
    // a rollback's reversal (with its absorbed part), a credit's application, an operator movement's entry.
    private static final String LOOKUP_SQL = """
            SELECT t.endpoint, t.key, t.op_id, i.response_status, i.response_body, i.created_at,
              (SELECT row_to_json(x) FROM (SELECT b.id, b.provider_tx_id AS provider_transaction_id, b.player_id, b.state, b.currency,
                 b.stake, b.bonus_stake, b.bonus_id, b.potential_win, b.latest_settlement_id, b.created_at, b.updated_at FROM bet b
                 WHERE b.id = coalesce(t.bet_id, (i.response_body::jsonb ->> 'parent_transaction_id'))) x),
              (SELECT coalesce(json_agg(json_build_object('id', l.id, 'operation', l.operation, 'amount', l.amount,
                 'balance_after', l.balance_after, 'sequence', l.wallet_version, 'idempotency_key', l.idempotency_key,
                 'created_at', l.created_at) ORDER BY l.id), '[]')
               FROM ledger_entry l WHERE l.idempotency_key IN (t.ledger_key, t.ledger_key || ':absorbed', t.ledger_key || ':write-off',
                 'credit:' || t.credit_id)),
              (SELECT row_to_json(x) FROM (SELECT k.id, k.kind, k.amount, k.status, k.created_at, k.decided_at FROM credit k
                 WHERE k.id = t.credit_id) x)
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
              AS t(endpoint, key, op_id, bet_id, ledger_key, credit_id)
            JOIN idempotency_record i ON i.endpoint = t.endpoint AND i.key = t.key
            ORDER BY i.created_at, t.endpoint""";
    // Where an operator id is stored, as (endpoint, provider key) pairs; the operator movements' answers name it as transaction_id.
    private static final String BY_OPERATOR_ID_SQL = """
            SELECT 'bet/make', b.provider_tx_id FROM bet b WHERE b.id = ?1 AND b.provider_tx_id IS NOT NULL
            UNION ALL SELECT CASE s.kind WHEN 'LOST' THEN 'bet/lost' WHEN 'REFUNDED' THEN 'bet/refund' ELSE 'bet/win' END, s.provider_tx_id
              FROM settlement s WHERE s.id = ?1 AND s.provider_tx_id IS NOT NULL
            UNION ALL SELECT 'bet/rollback', s.rollback_tx_id FROM settlement s WHERE s.rolled_back_by = ?1
            UNION ALL SELECT 'bet/discard', b.provider_tx_id FROM credit k JOIN bet b ON b.id = k.bet_id WHERE k.id = ?1 AND k.kind = 'DISCARD'
            """;
    private static final String REFUSALS_SQL = """
            SELECT id, endpoint, provider_tx_id, player_id, bet_id, code, message, created_at FROM callback_refusal
            WHERE provider_tx_id = ? ORDER BY id DESC LIMIT ?""";

    @Inject
    ReadPool reads;

    /** One callback or operator movement: its stored answer and what it caused (JSON texts the database built, or null). */
    public record Transaction(String endpoint, String providerTransactionId, String id, Integer responseStatus, String responseBody,
            Instant createdAt, String betJson, String ledgerEntriesJson, String creditJson) {
    }

    /** A refused callback, as the refusal log keeps it. */
    public record Refusal(long id, String endpoint, String providerTransactionId, String playerId, String betId, int code, String message,
            Instant createdAt) {
    }

    /** Every endpoint's transaction keyed by this provider (or operator movement) id: none, one, or several (a make and its discard). */
    public List<Transaction> byProviderId(String providerTransactionId) throws SQLException {
        List<String[]> candidates = new ArrayList<>();
        for (String endpoint : ENDPOINTS) {
            candidates.add(new String[] { endpoint, providerTransactionId });
        }
        return lookup(candidates);
    }

    /** The transaction the wallet answered with this operator id, or null when none is stored under it. */
    public Transaction byOperatorId(String operatorId) throws SQLException {
        List<String[]> candidates = new ArrayList<>();
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(BY_OPERATOR_ID_SQL.replace("?1", "?"))) {
            for (int i = 1; i <= 4; i++) {
                ps.setString(i, operatorId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    candidates.add(new String[] { rs.getString(1), rs.getString(2) });
                }
            }
        }
        if (candidates.isEmpty()) {
            // Operator movements keep no row under their id; their ids are derived the same way, from the movement's own key,
            // which the operator id does not reveal: they are found by that key (byProviderId).
            return null;
        }
        for (Transaction t : lookup(candidates)) {
            if (t.id().equals(operatorId)) {
                return t;
            }
        }
        return null;
    }

    /** The refusals logged for this provider transaction id, newest first. */
    public List<Refusal> refusals(String providerTransactionId, int limit) throws SQLException {
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(REFUSALS_SQL)) {
            ps.setString(1, providerTransactionId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<Refusal> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new Refusal(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6),
                            rs.getString(7), rs.getTimestamp(8).toInstant()));
                }
                return rows;
            }
        }
    }

    private List<Transaction> lookup(List<String[]> candidates) throws SQLException {
        int n = candidates.size();
        String[] endpoints = new String[n];
        String[] keys = new String[n];
        String[] opIds = new String[n];
        String[] betIds = new String[n];
        String[] ledgerKeys = new String[n];
        String[] creditIds = new String[n];
        for (int i = 0; i < n; i++) {
            String endpoint = candidates.get(i)[0];
            String key = candidates.get(i)[1];
            String opId = CloudEventJson.stableId(endpoint, key);
            endpoints[i] = endpoint;
            keys[i] = key;
            opIds[i] = opId;
            switch (endpoint) {
                case "bet/make" -> {
                    betIds[i] = opId;
                    ledgerKeys[i] = endpoint + ":" + key;
                }
                case "bet/discard" -> {
                    betIds[i] = CloudEventJson.stableId("bet/make", key);
                    creditIds[i] = opId;
                }
                case "bet/win", "bet/refund" -> creditIds[i] = opId;
                case "bet/rollback" -> ledgerKeys[i] = endpoint + ":" + key;
                case "operator/deposit" -> ledgerKeys[i] = "deposit:" + key;
                case "operator/withdrawal" -> ledgerKeys[i] = "withdrawal:" + key;
                default -> {
                    // bet/lost: no money of its own, the settlement and the bet only.
                }
            }
        }
        try (Connection c = reads.connection(); PreparedStatement ps = c.prepareStatement(LOOKUP_SQL)) {
            ps.setArray(1, c.createArrayOf("text", endpoints));
            ps.setArray(2, c.createArrayOf("text", keys));
            ps.setArray(3, c.createArrayOf("text", opIds));
            ps.setArray(4, c.createArrayOf("text", betIds));
            ps.setArray(5, c.createArrayOf("text", ledgerKeys));
            ps.setArray(6, c.createArrayOf("text", creditIds));
            try (ResultSet rs = ps.executeQuery()) {
                List<Transaction> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new Transaction(rs.getString(1), rs.getString(2), rs.getString(3), (Integer) rs.getObject(4, Integer.class),
                            rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getString(7), rs.getString(8), rs.getString(9)));
                }
                return rows;
            }
        }
    }
}
