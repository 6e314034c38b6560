package com.sportswallet.ingress.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.event.MoneyMoved;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.contracts.event.StatusChanged;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Claim;
import com.sportswallet.ingress.idempotency.IdempotencyStore;
import com.sportswallet.ingress.limits.LimitEvents;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.money.Exclusions;
import com.sportswallet.money.Ledger;
import com.sportswallet.money.Limits;
import com.sportswallet.money.Spend;
import com.sportswallet.money.WalletEvents;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The operator's money and player operations. Each public method is ONE transaction with ONE
 * commit (the {@code @Transactional} boundary; no helper commits): the idempotency claim, an
 * atomic conditional update of the wallet, the ledger entry, the outbox row and the stored answer.
 * Any refusal throws {@link ApiException}, which rolls everything back: nothing is written
 * ({@code rollbackOn = Exception.class}: a checked SQLException must roll back too).
 */
@ApplicationScoped
public class OperatorWalletService {
    /** A money movement the operator orders directly. */
    enum Movement {
        DEPOSIT("operator/deposit", "deposit", EventTypes.DEPOSIT),
        WITHDRAWAL("operator/withdrawal", "withdrawal", EventTypes.WITHDRAWAL);

        final String endpoint;
        final String operation;
        final String eventType;

        Movement(String endpoint, String operation, String eventType) {
            this.endpoint = endpoint;
            this.operation = operation;
            this.eventType = eventType;
        }
    }

    /** The one algorithm of a deposit's or withdrawal's request hash (SHA-256 of player id and amount): hash_version 1. */
    static final int REQUEST_HASH_VERSION = 1;

    @Inject
    BonusClock clock;
    @Inject
    DataSource dataSource;
    @Inject
    MoneySettings money;
    @Inject
    LimitSettings limits;
    @Inject
    MeterRegistry meters;

    /** Creates the player and its CASH wallet, or answers the existing ones (201 when created, else 200). */
    @Transactional(rollbackOn = Exception.class)
    public Answer createPlayer(String playerId, String currency, String sub) throws SQLException {
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
            wallet.remove("wallet_id");
            if (created) {
                OperatorAudit.record(c, sub, "player.create", playerId, currency, null);
            }
            return new Answer(created ? 201 : 200, wallet.toString());
        }
    }

    @Transactional(rollbackOn = Exception.class)
    public Answer setStatus(String playerId, String status, String sub) throws SQLException {
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
            long walletId = view.remove("wallet_id").asLong();
            if (statusVersion != null) {
                // The wallet row after the player row (the lock order): the event's player_seq.
                long playerSeq = WalletEvents.advance(c, walletId, 0).playerSeq();
                Instant now = Instant.now();
                // A status change moves no money: amount 0, no balance_after or sequence.
                WalletEvents.append(c, StatusChanged.of(playerId, view.get("currency").asText(), now, status), playerId + "#" + statusVersion,
                        Position.only(playerSeq), now);
                OperatorAudit.record(c, sub, "player.status", playerId, status, null);
            }
            return new Answer(200, view.toString());
        }
    }

    @Transactional(rollbackOn = Exception.class)
    public Answer deposit(String playerId, String key, long amount, String sub) throws SQLException {
        return move(Movement.DEPOSIT, playerId, key, amount, sub);
    }

    @Transactional(rollbackOn = Exception.class)
    public Answer withdraw(String playerId, String key, long amount, String sub) throws SQLException {
        return move(Movement.WITHDRAWAL, playerId, key, amount, sub);
    }

    private Answer move(Movement m, String playerId, String key, long amount, String sub) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Claim claim = IdempotencyStore.claim(c, m.endpoint, key,
                    IdempotencyStore.single(REQUEST_HASH_VERSION, IdempotencyStore.hash(playerId + "\n" + amount)));
            if (claim instanceof IdempotencyStore.Replay replay) {
                return replay.answer();
            }
            if (claim instanceof IdempotencyStore.Mismatch) {
                throw new ApiException(409, "idempotency_conflict",
                        m.operation + " id " + key + " was already used with another player or amount");
            }
            ObjectNode wallet = walletView(c, playerId);
            long walletId = wallet.get("wallet_id").asLong();
            String currency = wallet.get("currency").asText();
            String ledgerKey = m.operation + ":" + key;
            Ledger.Moved moved;
            List<Limits.Usage> usage = List.of();
            Instant limitsAt = null;
            if (m == Movement.DEPOSIT) {
                moved = Ledger.apply(c, walletId, amount, m.operation, ledgerKey);
                // Read after the deposit's statement locked the wallet: an exclusion committed before it is seen (its PUT
                // holds that lock to its commit). Refused: everything this transaction wrote rolls back, the claim too.
                if (Exclusions.inForce(c, playerId, clock.instant())) {
                    throw new ApiException(422, "excluded", "player " + playerId + " is self-excluded: no deposits (withdrawals still work)");
                }
                // Its usage (issue 15), after the wallet row (the lock order), checked against the deposit limits in force.
                limitsAt = clock.instant();
                LocalDate day = Limits.day(limitsAt, limits.timeZone());
                usage = Limits.book(c, playerId, day, Limits.Booking.deposit(amount), limitsAt);
                Limits.Checked over = Limits.over(usage, Limits.DEPOSIT_KINDS);
                if (over != null) {
                    throw new ApiException(422, "limit_exceeded", "a deposit of " + amount + " exceeds the player's " + over.period()
                            + " deposit limit of " + over.limit() + " (deposited " + (over.used() - amount) + ")");
                }
                Limits.storeDepositBooked(c, ledgerKey, day, Limits.checked(usage, Limits.DEPOSIT_KINDS));
            } else {
                // A withdrawal may spend pending money: the path is chosen from the unlocked read above.
                boolean fast = Spend.fastPath(wallet.get("settled_balance").asLong(), amount);
                if (fast) {
                    Spend.savepoint(c);
                }
                Spend.Spent<Ledger.Moved> spent = Spend.debit(c, walletId, fast, money.creditFlipMax(),
                        () -> Ledger.debitIfFunded(c, walletId, amount, m.operation, ledgerKey));
                if (spent.flipCapped()) {
                    meters.counter(MoneySettings.FLIP_CAPPED_METRIC, "endpoint", m.endpoint).increment();
                }
                moved = spent.debited();
            }
            if (moved == null) {
                throw new ApiException(422, "insufficient_funds", m.operation + " refused: the available balance is lower than the amount");
            }
            long signedAmount = m == Movement.DEPOSIT ? amount : -amount;
            Instant now = Instant.now();
            String transactionId = CloudEventJson.stableId(m.endpoint, key);
            WalletEvents.append(c, MoneyMoved.of(m.eventType, playerId, currency, signedAmount, now, transactionId), key,
                    Position.moved(moved.playerSeq(), moved.balanceAfter(), moved.version(), moved.available()), now);
            LimitEvents.appendReached(c, walletId, playerId, currency, Limits.reached(usage, Limits.DEPOSIT_KINDS), ledgerKey, transactionId,
                    limitsAt);

            ObjectNode body = CloudEventJson.mapper().createObjectNode()
                    .put("id", key)
                    .put("transaction_id", transactionId)
                    .put("player_id", playerId)
                    .put("operation", m.operation)
                    .put("amount", amount)
                    .put("currency", currency)
                    .put("balance", moved.available())
                    .put("settled_balance", moved.balanceAfter())
                    .put("version", moved.version());
            Answer answer = new Answer(200, body.toString());
            IdempotencyStore.complete(c, m.endpoint, key, answer, moved.playerSeq());
            OperatorAudit.record(c, sub, m.operation, playerId, key, ledgerKey);
            return answer;
        }
    }

    /**
     * {"player_id","currency","balance" (available),"settled_balance","pending_credits","version","status"}
     * from one row version read without a lock in the current transaction (and "wallet_id", which
     * callers remove before answering).
     */
    private static ObjectNode walletView(Connection c, String playerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT w.currency, w.balance, w.version, p.status, w.id, w.pending FROM wallet w"
                + " JOIN player p ON p.id = w.player_id WHERE w.player_id = ? AND w.kind = 'CASH'")) {
            ps.setString(1, playerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("player " + playerId + " not found");
                }
                return CloudEventJson.mapper().createObjectNode()
                        .put("player_id", playerId)
                        .put("currency", rs.getString(1))
                        .put("balance", rs.getLong(2) + rs.getLong(6))
                        .put("settled_balance", rs.getLong(2))
                        .put("pending_credits", rs.getLong(6))
                        .put("version", rs.getLong(3))
                        .put("status", rs.getString(4))
                        .put("wallet_id", rs.getLong(5));
            }
        }
    }
}
