package com.sportswallet.money;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.CreditCommand;
import com.sportswallet.contracts.Topics;
import com.sportswallet.contracts.event.Alert;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.contracts.event.WalletFact;
import com.sportswallet.outbox.AlertLog;
import com.sportswallet.outbox.Outbox;

/**
 * Builds the {@code wallet.events} and {@code settlement.commands} records of DESIGN.md and
 * appends them to the outbox in the caller's transaction. Ids are stable: derived from the
 * event type and the operator transaction id that decided the fact.
 *
 * <p>Every {@code wallet.events} record about a player carries {@code player_seq} (DESIGN.md,
 * "Per-player order"): the caller advances the wallet's counter under the row lock (with the
 * money statement of {@link Ledger}, or {@link #advance} when no settled money moves) BEFORE it
 * appends the records, so a player's outbox ids rise with it.
 */
public final class WalletEvents {
    public static final URI SOURCE = URI.create("/wallet/ingress");

    private WalletEvents() {
    }

    /**
     * The wallet after {@link #advance}: the new player_seq, the settled balance and the pending
     * credits, from one row version.
     */
    public record Advanced(long playerSeq, long balance, long pending) {
        /** What the player has and may spend: settled + pending (DESIGN.md, "Available = settled + pending"). */
        public long available() {
            return balance + pending;
        }
    }

    private static final String ADVANCE_SQL = "UPDATE wallet SET player_seq = player_seq + ?, pending = pending + ? WHERE id = ?"
            + " RETURNING player_seq, balance, pending";

    /**
     * For a transaction that writes one wallet event and moves no settled money: advances the
     * wallet's player_seq by one and changes its pending credits by {@code pendingDelta} (a new
     * credit: +amount; a cancelled one: -amount; else 0). This statement takes the wallet row lock
     * (after every other row lock of the transaction), so it comes after the bet, settlement and
     * credit statements.
     */
    public static Advanced advance(Connection c, long walletId, long pendingDelta) throws SQLException {
        return advance(c, walletId, pendingDelta, 1);
    }

    /**
     * {@link #advance} for a transaction that writes {@code events} wallet events (a bonus bet's
     * decision and its bonus event): player_seq advances by that many; the returned value is the
     * last one's, the first event takes {@code playerSeq() - events + 1}.
     */
    public static Advanced advance(Connection c, long walletId, long pendingDelta, int events) throws SQLException {
        if (events < 1) {
            throw new IllegalArgumentException("a wallet statement advances player_seq for at least one event: " + events);
        }
        try (PreparedStatement ps = c.prepareStatement(ADVANCE_SQL)) {
            ps.setInt(1, events);
            ps.setLong(2, pendingDelta);
            ps.setLong(3, walletId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("wallet " + walletId + " vanished");
                }
                return new Advanced(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    /**
     * Appends a wallet event: {@code fact}'s data with its {@code position}, its id derived from its
     * type and {@code idSeed} (the operator transaction id that decided it).
     */
    public static void append(Connection c, WalletFact fact, String idSeed, Position position, Instant time) throws SQLException {
        String eventId = CloudEventJson.stableId(fact.type(), idSeed);
        ObjectNode data = position.writeTo(fact.data());
        Outbox.append(c, Topics.WALLET_EVENTS, fact.playerId(), eventId,
                CloudEventJson.serialize(eventId, fact.type(), SOURCE, fact.playerId(), time, data));
        if (fact instanceof Alert) {
            AlertLog.record(c, eventId, fact.playerId(), data, time);
        }
    }

    /**
     * Appends the command that tells the settlement-worker to apply a pending credit. It carries
     * the player_seq of the decision event written with it (won, refunded, discarded) and takes
     * none of its own.
     */
    public static void appendCreditCommand(Connection c, String creditId, long walletId, String playerId, String betId,
            String kind, long amount, String currency, long playerSeq, Instant time) throws SQLException {
        String eventId = CloudEventJson.stableId(CreditCommand.TYPE, creditId);
        Outbox.append(c, Topics.SETTLEMENT_COMMANDS, playerId, eventId, CloudEventJson.serialize(eventId, CreditCommand.TYPE, SOURCE, playerId,
                time, CreditCommand.data(creditId, walletId, playerId, betId, kind, amount, currency, playerSeq)));
    }
}
