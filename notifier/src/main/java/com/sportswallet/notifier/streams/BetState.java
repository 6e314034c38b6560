package com.sportswallet.notifier.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One bet in the {@link StoreNames#BETS} store (key: bet id; the record key is the player, so a
 * bet's events all reach the same task), used only for settlements written before bet events
 * carried the bet's {@code stake} (a finite history: new events derive their share alone, and
 * never touch this store, so it never grows again and needs no purge). It holds what wagering needs: the stake (from
 * {@code wallet.bet.placed}) and every settlement decision of the bet with whether it was rolled
 * back. The bet's wagering contribution is a function of that set, so it is the same whatever the
 * order the events arrive in: a settlement before its placed event counts once the stake is
 * known; a rollback before the settlement it reverses marks it rolled back in advance.
 *
 * <p>Wagering rule (the stake counted for one active settlement that occurred at or after
 * {@code since}): won, cashed out or lost: the stake; refunded: the part of the stake not
 * returned, {@code max(0, stake - refund)} (a full refund is a void and counts 0). A discarded bet
 * never settled, so it counts nothing. A rolled-back settlement counts nothing.
 */
final class BetState {
    /** 2: without the purge fields of version 1 (state of version 1 is rebuilt by a replay, see docs/REPLAY.md). */
    private static final byte VERSION = 2;
    static final long UNKNOWN = Long.MIN_VALUE;

    enum Kind {
        WIN, CASHOUT, LOST, REFUND;

        static Kind ofReversedOperation(String op) {
            if (op == null) {
                return null;
            }
            return switch (op) {
                case "win" -> WIN;
                case "cashout" -> CASHOUT;
                case "lost" -> LOST;
                case "refund" -> REFUND;
                default -> null;
            };
        }
    }

    /** One settlement decision of the bet, or a rollback seen before the settlement it reverses ({@code seen} false). */
    static final class Settlement {
        final String transactionId;
        Kind kind;
        long amount;
        long occurredSecond;
        int occurredNano;
        boolean seen;
        boolean rolledBack;

        Settlement(String transactionId) {
            this.transactionId = transactionId;
        }

        Instant occurredAt() {
            return Instant.ofEpochSecond(occurredSecond, occurredNano);
        }
    }

    long stake = UNKNOWN;
    final List<Settlement> settlements = new ArrayList<>(2);

    boolean stakeKnown() {
        return stake != UNKNOWN;
    }

    /** The stake this bet contributes to wagering now. */
    long wageringContribution(Instant since) {
        if (!stakeKnown()) {
            return 0;
        }
        long sum = 0;
        for (Settlement s : settlements) {
            if (s.seen && !s.rolledBack) {
                sum += share(s.kind, stake, s.amount, s.occurredAt(), since);
            }
        }
        return sum;
    }

    /**
     * The wagering rule for one settlement in force (the class comment's): won, cashed out or lost
     * count the stake, refunded the part of the stake not returned; nothing that occurred before
     * {@code since} (or at no known time).
     */
    static long share(Kind kind, long stake, long settledAmount, Instant occurredAt, Instant since) {
        if (occurredAt == null || occurredAt.isBefore(since)) {
            return 0;
        }
        return switch (kind) {
            case WIN, CASHOUT, LOST -> stake;
            case REFUND -> Math.max(0, stake - settledAmount);
        };
    }

    boolean hasSettlements() {
        return !settlements.isEmpty();
    }

    void settle(String transactionId, Kind kind, long amount, Instant occurredAt) {
        Settlement s = find(transactionId);
        s.kind = kind;
        s.amount = amount;
        s.occurredSecond = occurredAt.getEpochSecond();
        s.occurredNano = occurredAt.getNano();
        s.seen = true;
    }

    void rollBack(String reversedTransactionId, Kind kind) {
        Settlement s = find(reversedTransactionId);
        s.rolledBack = true;
        if (!s.seen && kind != null) {
            s.kind = kind;
        }
    }

    private Settlement find(String transactionId) {
        for (Settlement s : settlements) {
            if (s.transactionId.equals(transactionId)) {
                return s;
            }
        }
        Settlement s = new Settlement(transactionId);
        settlements.add(s);
        return s;
    }

    byte[] toBytes() {
        int size = 1 + Long.BYTES + Integer.BYTES;
        List<byte[]> ids = new ArrayList<>(settlements.size());
        for (Settlement s : settlements) {
            byte[] id = s.transactionId.getBytes(StandardCharsets.UTF_8);
            ids.add(id);
            size += Integer.BYTES + id.length + 1 + Long.BYTES + Long.BYTES + Integer.BYTES + 1 + 1;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(VERSION).putLong(stake).putInt(settlements.size());
        for (int i = 0; i < settlements.size(); i++) {
            Settlement s = settlements.get(i);
            byte[] id = ids.get(i);
            b.putInt(id.length).put(id).put((byte) (s.kind == null ? -1 : s.kind.ordinal())).putLong(s.amount)
                    .putLong(s.occurredSecond).putInt(s.occurredNano).put((byte) (s.seen ? 1 : 0))
                    .put((byte) (s.rolledBack ? 1 : 0));
        }
        return b.array();
    }

    static BetState fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != VERSION) {
            throw new IllegalStateException("unknown BetState version " + version);
        }
        BetState bet = new BetState();
        bet.stake = b.getLong();
        int n = b.getInt();
        for (int i = 0; i < n; i++) {
            byte[] id = new byte[b.getInt()];
            b.get(id);
            Settlement s = new Settlement(new String(id, StandardCharsets.UTF_8));
            byte kind = b.get();
            s.kind = kind < 0 ? null : Kind.values()[kind];
            s.amount = b.getLong();
            s.occurredSecond = b.getLong();
            s.occurredNano = b.getInt();
            s.seen = b.get() == 1;
            s.rolledBack = b.get() == 1;
            bet.settlements.add(s);
        }
        return bet;
    }

    static Serde<BetState> serde() {
        Serializer<BetState> ser = (topic, s) -> s == null ? null : s.toBytes();
        Deserializer<BetState> de = (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
        return Serdes.serdeFrom(ser, de);
    }
}
