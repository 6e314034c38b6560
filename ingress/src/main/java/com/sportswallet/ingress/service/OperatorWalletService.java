package com.sportswallet.ingress.service;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.Topics;
import com.sportswallet.ingress.idempotency.IdempotencyStore;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Claim;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.outbox.Outbox;

/**
 * The operator's money and player operations. Each public method is ONE transaction with ONE
 * commit (the {@code @Transactional} boundary; no helper commits): the idempotency claim, an
 * atomic conditional update of the wallet, the ledger entry, the outbox row and the stored answer.
 * Any refusal throws {@link ApiException}, which rolls everything back: nothing is written
 * ({@code rollbackOn = Exception.class}: a checked SQLException must roll back too).
 */
@ApplicationScoped
public class OperatorWalletService {
    static final URI SOURCE = URI.create("/wallet/ingress");

    /** A money movement the operator orders directly. */
    enum Movement {
        DEPOSIT("operator/deposit", "deposit", EventTypes.DEPOSIT, 1,
                "UPDATE wallet SET balance = balance + ?, version = version + 1, updated_at = now()"
                        + " WHERE player_id = ? AND kind = 'CASH' RETURNING id, currency, balance, version"),
        // The debit and its funds check are one statement: two withdrawals cannot both see the same money.
        WITHDRAWAL("operator/withdrawal", "withdrawal", EventTypes.WITHDRAWAL, -1,
                "UPDATE wallet SET balance = balance - ?, version = version + 1, updated_at = now()"
                        + " WHERE player_id = ? AND kind = 'CASH' AND balance >= ? RETURNING id, currency, balance, version");

        final String endpoint;
        final String operation;
        final String eventType;
        final int sign;
        final String updateSql;

        Movement(String endpoint, String operation, String eventType, int sign, String updateSql) {
            this.endpoint = endpoint;
            this.operation = operation;
            this.eventType = eventType;
            this.sign = sign;
            this.updateSql = updateSql;
        }
    }

    private static final String LEDGER_SQL = "INSERT INTO ledger_entry (wallet_id, amount, balance_after, wallet_version, operation, idempotency_key)"
            + " VALUES (?, ?, ?, ?, ?, ?)";

    @Inject
    DataSource dataSource;

    /** Creates the player and its CASH wallet, or answers the existing ones (201 when created, else 200). */
    @Transactional(rollbackOn = Exception.class)
    public Answer createPlayer(String playerId, String currency) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean created;
            // Insert-if-absent, twice: concurrent creates of one id wait on the unique index and
            // then do nothing, so all of them answer the one wallet that won. Never a 500.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO player (id) VALUES (?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, playerId);
                created = ps.executeUpdate() == 1;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO wallet (player_id, currency, kind) VALUES (?, ?, 'CASH') ON CONFLICT DO NOTHING")) {
                ps.setString(1, playerId);
                ps.setString(2, currency);
                ps.executeUpdate();
            }
            ObjectNode wallet = walletView(c, playerId);
            if (!wallet.get("currency").asText().equals(currency)) {
                throw new ApiException(409, "currency_conflict",
                        "player " + playerId + " already has a " + wallet.get("currency").asText() + " wallet");
            }
            return new Answer(created ? 201 : 200, wallet.toString());
        }
    }

    @Transactional(rollbackOn = Exception.class)
    public Answer setStatus(String playerId, String status) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Long statusVersion = null;
            try (PreparedStatement ps = c.prepareStatement("UPDATE player SET status = ?, status_version = status_version + 1,"
                    + " updated_at = now() WHERE id = ? AND status <> ? RETURNING status_version")) {
                ps.setString(1, status);
                ps.setString(2, playerId);
                ps.setString(3, status);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        statusVersion = rs.getLong(1);
                    }
                }
            }
            ObjectNode view = walletView(c, playerId);
            if (statusVersion != null) {
                ObjectNode data = CloudEventJson.mapper().createObjectNode()
                        .put("player_id", playerId)
                        .put("currency", view.get("currency").asText())
                        .put("status", status)
                        .put("occurred_at", Instant.now().toString());
                String eventId = CloudEventJson.stableId(EventTypes.PLAYER_STATUS_CHANGED, playerId, Long.toString(statusVersion));
                Outbox.append(c, Topics.WALLET_EVENTS, playerId, eventId, CloudEventJson.serialize(eventId,
                        EventTypes.PLAYER_STATUS_CHANGED, SOURCE, playerId, Instant.now(), data));
            }
            return new Answer(200, view.toString());
        }
    }

    @Transactional(rollbackOn = Exception.class)
    public Answer deposit(String playerId, String key, long amount) throws SQLException {
        return move(Movement.DEPOSIT, playerId, key, amount);
    }

    @Transactional(rollbackOn = Exception.class)
    public Answer withdraw(String playerId, String key, long amount) throws SQLException {
        return move(Movement.WITHDRAWAL, playerId, key, amount);
    }

    private Answer move(Movement m, String playerId, String key, long amount) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            byte[] requestHash = IdempotencyStore.hash(playerId + "\n" + amount);
            Claim claim = IdempotencyStore.claim(c, m.endpoint, key, requestHash);
            if (claim instanceof IdempotencyStore.Replay replay) {
                return replay.answer();
            }
            if (claim instanceof IdempotencyStore.Mismatch) {
                throw new ApiException(409, "idempotency_conflict",
                        m.operation + " id " + key + " was already used with another player or amount");
            }

            long walletId;
            String currency;
            long balanceAfter;
            long version;
            try (PreparedStatement ps = c.prepareStatement(m.updateSql)) {
                ps.setLong(1, amount);
                ps.setString(2, playerId);
                if (m.sign < 0) {
                    ps.setLong(3, amount);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw refusal(c, m, playerId);
                    }
                    walletId = rs.getLong(1);
                    currency = rs.getString(2);
                    balanceAfter = rs.getLong(3);
                    version = rs.getLong(4);
                }
            }

            long signedAmount = m.sign * amount;
            String ledgerKey = m.operation + ":" + key;
            try (PreparedStatement ps = c.prepareStatement(LEDGER_SQL)) {
                ps.setLong(1, walletId);
                ps.setLong(2, signedAmount);
                ps.setLong(3, balanceAfter);
                ps.setLong(4, version);
                ps.setString(5, m.operation);
                ps.setString(6, ledgerKey);
                ps.executeUpdate();
            }

            Instant now = Instant.now();
            String transactionId = CloudEventJson.stableId(m.endpoint, key);
            ObjectNode data = CloudEventJson.mapper().createObjectNode()
                    .put("player_id", playerId)
                    .put("currency", currency)
                    .put("amount", signedAmount)
                    .put("balance_after", balanceAfter)
                    .put("sequence", version)
                    .put("transaction_id", transactionId)
                    .put("occurred_at", now.toString());
            String eventId = CloudEventJson.stableId(m.eventType, key);
            Outbox.append(c, Topics.WALLET_EVENTS, playerId, eventId,
                    CloudEventJson.serialize(eventId, m.eventType, SOURCE, playerId, now, data));

            ObjectNode body = CloudEventJson.mapper().createObjectNode()
                    .put("id", key)
                    .put("transaction_id", transactionId)
                    .put("player_id", playerId)
                    .put("operation", m.operation)
                    .put("amount", amount)
                    .put("currency", currency)
                    .put("balance", balanceAfter)
                    .put("version", version);
            Answer answer = new Answer(200, body.toString());
            IdempotencyStore.complete(c, m.endpoint, key, answer);
            return answer;
        }
    }

    /** Why a conditional update matched no row: an unknown player, or (debits) too little money. */
    private static ApiException refusal(Connection c, Movement m, String playerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM wallet WHERE player_id = ? AND kind = 'CASH'")) {
            ps.setString(1, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return ApiException.notFound("player " + playerId + " not found");
                }
                return new ApiException(422, "insufficient_funds",
                        m.operation + " refused: balance " + rs.getLong(1) + " is lower than the amount");
            }
        }
    }

    /** {"player_id","currency","balance","version","status"} read in the current transaction. */
    private static ObjectNode walletView(Connection c, String playerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT w.currency, w.balance, w.version, p.status FROM wallet w"
                + " JOIN player p ON p.id = w.player_id WHERE w.player_id = ? AND w.kind = 'CASH'")) {
            ps.setString(1, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("player " + playerId + " not found");
                }
                return CloudEventJson.mapper().createObjectNode()
                        .put("player_id", playerId)
                        .put("currency", rs.getString(1))
                        .put("balance", rs.getLong(2))
                        .put("version", rs.getLong(3))
                        .put("status", rs.getString(4));
            }
        }
    }
}
