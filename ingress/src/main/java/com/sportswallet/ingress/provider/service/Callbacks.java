package com.sportswallet.ingress.provider.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.idempotency.IdempotencyStore;
import com.sportswallet.ingress.idempotency.PayloadHash;
import com.sportswallet.ingress.provider.ProtocolException;

/** What every money or state callback does the same way: idempotency, ids, the money body. */
public final class Callbacks {
    private Callbacks() {
    }

    /**
     * The operator transaction id of a callback: derived from (endpoint, provider transaction id)
     * only, so a retry, a replay and a tombstone all name the same id.
     */
    public static String operatorId(String endpoint, String providerTransactionId) {
        return CloudEventJson.stableId(endpoint, providerTransactionId);
    }

    /**
     * Claims the idempotency key (endpoint, provider id) for this payload (compared as the same JSON
     * value, {@link PayloadHash}).
     *
     * @return the first answer to replay byte for byte, or null when this request goes on
     * @throws ProtocolException 2004 when the key was used with another payload
     */
    public static Answer claim(Connection c, String endpoint, String key, ObjectNode payload) throws SQLException {
        return answerOf(IdempotencyStore.claim(c, endpoint, key, PayloadHash.of(payload)), key);
    }

    /**
     * What a claim means for the callback: the first answer to replay, null when this request
     * goes on, or 2004 when the key was used with another payload.
     */
    public static Answer answerOf(IdempotencyStore.Claim claim, String key) {
        if (claim instanceof IdempotencyStore.Replay replay) {
            return replay.answer();
        }
        if (claim instanceof IdempotencyStore.Mismatch) {
            throw ProtocolException.badRequest("transaction id " + key + " was already used with a different request");
        }
        return null;
    }

    /**
     * Stores the success answer with the idempotency record (same transaction) and returns it;
     * {@code playerSeq} is the player's player_seq after the decision (null without a balance).
     */
    public static Answer answer(Connection c, String endpoint, String key, String body, Long playerSeq) throws SQLException {
        Answer answer = new Answer(200, body);
        IdempotencyStore.complete(c, endpoint, key, answer, playerSeq);
        return answer;
    }

    /** The protocol's money body, fields in the documented order. */
    public static String moneyBody(String id, String extTransactionId, String parentTransactionId, String userId,
            String operation, long amount, String currency, Long balance) {
        ObjectNode body = CloudEventJson.mapper().createObjectNode()
                .put("id", id)
                .put("ext_transaction_id", extTransactionId)
                .put("parent_transaction_id", parentTransactionId)
                .put("user_id", userId)
                .put("operation", operation)
                .put("amount", amount)
                .put("currency", currency);
        body.put("balance", balance);
        return body.toString();
    }

    /** A wallet's available balance (settled + pending) and player_seq, from one row version. */
    public record Available(long balance, long playerSeq) {
    }

    /** The wallet's available balance and player_seq, read without a lock (for an answer that changed nothing). */
    public static Available available(Connection c, long walletId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance + pending, player_seq FROM wallet WHERE id = ?")) {
            ps.setLong(1, walletId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("wallet " + walletId + " vanished");
                }
                return new Available(rs.getLong(1), rs.getLong(2));
            }
        }
    }
}
