package com.sportswallet.notifier.streams;

import java.nio.ByteBuffer;
import java.time.Instant;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A player's aggregate in the {@link StoreNames#PLAYERS} store. Every field is a sum or a maximum
 * of the player's deduplicated events, so it does not depend on their order:
 * <ul>
 * <li>{@code bets}: number of {@code wallet.bet.placed};</li>
 * <li>{@code stakeTotal}: sum of stakes placed (minus the placed amounts);</li>
 * <li>{@code winTotal}: wins and cash-outs decided, minus rolled-back wins and cash-outs;</li>
 * <li>{@code refundTotal}: refunds decided, minus rolled-back refunds (a discard is not a refund);</li>
 * <li>{@code net}: the signed amounts of every bet event: -stakes + wins + refunds + discards -
 * rollbacks ({@code wallet.credit.applied} is the money landing for a decision already counted);</li>
 * <li>{@code lastActivity}: the latest {@code occurred_at} of the player's bet events, deposits and
 * withdrawals (null when there is none yet);</li>
 * <li>{@code wageredTotal}: the stake of settled bets counted for wagering (see {@link BetState}).</li>
 * <li>{@code excludedUntilMs}: the latest end of the player's self-exclusions (issue 15; a maximum:
 * an exclusion is only ever extended), {@link Long#MAX_VALUE} when indefinite, 0 when never
 * excluded. Marketing outputs of a fact that occurred before it are suppressed.</li>
 * </ul>
 * Stored as version 2; version 1 (before exclusions) reads with {@code excludedUntilMs} 0.
 * Mutable: the processor reads, changes and writes it back within one record.
 */
public final class PlayerState {
    private static final byte VERSION = 2;
    private static final byte VERSION_1 = 1;
    private static final int SIZE = 1 + 8 * Long.BYTES + Integer.BYTES + 1;

    long bets;
    long stakeTotal;
    long winTotal;
    long refundTotal;
    long net;
    long wageredTotal;
    /** Epoch second and nanos of lastActivity; {@code hasActivity} false means none yet. */
    long lastActivitySecond;
    int lastActivityNano;
    boolean hasActivity;
    long excludedUntilMs;

    public long bets() {
        return bets;
    }

    public long stakeTotal() {
        return stakeTotal;
    }

    public long winTotal() {
        return winTotal;
    }

    public long refundTotal() {
        return refundTotal;
    }

    public long net() {
        return net;
    }

    public long wageredTotal() {
        return wageredTotal;
    }

    public Instant lastActivity() {
        return hasActivity ? Instant.ofEpochSecond(lastActivitySecond, lastActivityNano) : null;
    }

    /** Extends the player's exclusion to {@code until} ({@link Instant#MAX}: indefinite); an earlier end changes nothing. */
    void excludeUntil(Instant until) {
        long ms = until == null || until.equals(Instant.MAX) ? Long.MAX_VALUE : until.toEpochMilli();
        excludedUntilMs = Math.max(excludedUntilMs, ms);
    }

    /** Whether a fact that occurred at {@code at} fell inside the player's exclusion (a fact without a time: the exclusion as it stands). */
    boolean excludedAt(Instant at) {
        if (excludedUntilMs == 0) {
            return false;
        }
        return at == null || at.toEpochMilli() < excludedUntilMs;
    }

    void touch(Instant occurredAt) {
        if (occurredAt == null) {
            return;
        }
        if (!hasActivity || occurredAt.isAfter(lastActivity())) {
            lastActivitySecond = occurredAt.getEpochSecond();
            lastActivityNano = occurredAt.getNano();
            hasActivity = true;
        }
    }

    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put(VERSION).putLong(bets).putLong(stakeTotal).putLong(winTotal).putLong(refundTotal).putLong(net)
                .putLong(wageredTotal).putLong(lastActivitySecond).putInt(lastActivityNano).put((byte) (hasActivity ? 1 : 0))
                .putLong(excludedUntilMs);
        return b.array();
    }

    static PlayerState fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != VERSION && version != VERSION_1) {
            throw new IllegalStateException("unknown PlayerState version " + version);
        }
        PlayerState p = new PlayerState();
        p.bets = b.getLong();
        p.stakeTotal = b.getLong();
        p.winTotal = b.getLong();
        p.refundTotal = b.getLong();
        p.net = b.getLong();
        p.wageredTotal = b.getLong();
        p.lastActivitySecond = b.getLong();
        p.lastActivityNano = b.getInt();
        p.hasActivity = b.get() == 1;
        if (version == VERSION) {
            p.excludedUntilMs = b.getLong();
        }
        return p;
    }

    public static Serde<PlayerState> serde() {
        Serializer<PlayerState> ser = (topic, p) -> p == null ? null : p.toBytes();
        Deserializer<PlayerState> de = (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
        return Serdes.serdeFrom(ser, de);
    }

    @Override
    public String toString() {
        return "PlayerState{bets=" + bets + ", stakeTotal=" + stakeTotal + ", winTotal=" + winTotal + ", refundTotal="
                + refundTotal + ", net=" + net + ", wageredTotal=" + wageredTotal + ", lastActivity=" + lastActivity() + ", excludedUntilMs=" + excludedUntilMs + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlayerState p && java.util.Arrays.equals(toBytes(), p.toBytes());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(toBytes());
    }
}
