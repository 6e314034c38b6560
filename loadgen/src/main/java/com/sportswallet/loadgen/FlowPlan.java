package com.sportswallet.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;

/**
 * The bet flows of a run, generated deterministically from the seed and run id before anything is
 * timed. A flow is one bet's callbacks, sent in order by one worker, step by step (the calls of a
 * step at the same time, each step after the previous one's answers):
 * <ul>
 * <li>make; then, by the mix weights, win | lost | refund | discard | nothing (open);</li>
 * <li>after a win, lost or refund, with {@code --rollback-percent}, a rollback of that settlement,
 * and for a quarter of those a second rollback (a new transaction id) of the same settlement;</li>
 * <li>with {@code --discard-race-percent}, instead: the make and its discard, at the same moment or
 * the discard first (the race docs/PROTOCOL.md resolves: one of them wins, never both);</li>
 * <li>with {@code --discard-after-settlement-percent}, after a win, lost or refund: the make's
 * discard, which changes nothing (the bet is settled); then for half of those a rollback of the
 * settlement, which reopens the bet, and the same discard again, which now discards it (a discard
 * that changed nothing is not stored: docs/PROTOCOL.md, Idempotency);</li>
 * <li>with {@code --duplicate-percent}, any call is followed by a duplicate: the identical body (same
 * token), sent right after it or at the same moment from another thread; with
 * {@code --resign-percent}, that share of the duplicates is a re-signed copy instead (a new token,
 * the payload re-serialised: {@link Resign}), and that share of the other calls re-sign their
 * retries.</li>
 * </ul>
 * Every win, lost, refund and rollback names its bet by the operator id of the make,
 * {@code CloudEventJson.stableId("bet/make", makeTxId)}, and a rollback its settlement by
 * {@code stableId(endpoint, settlementTxId)}: known in advance, so every body can be pre-signed.
 */
final class FlowPlan {
    static final String MAKE = "bet/make";
    static final String WIN = "bet/win";
    static final String LOST = "bet/lost";
    static final String REFUND = "bet/refund";
    static final String ROLLBACK = "bet/rollback";
    static final String DISCARD = "bet/discard";
    /** Of the rolled-back flows, this % send a second rollback of the same settlement. */
    static final int SECOND_ROLLBACK_PERCENT = 25;
    /** The bonus types a make may be drawn to use (--bonus-percent). */
    static final String[] BONUS_TYPES = { "freebet_freemoney", "freebet_refund", "freebet_no_risk", "comboboost" };
    /** A win pays the stake times 1.10 to 5.09 (percent factor drawn uniformly). */
    private static final int WIN_FACTOR_PERCENT_MIN = 110;
    private static final int WIN_FACTOR_PERCENT_SPAN = 400;

    private FlowPlan() {
    }

    /** One callback: what is sent, and what its log line says. A duplicate shares its original's body. */
    static final class Call {
        final long seq;
        final String endpoint;
        final String txId;
        final String betTxId;
        final String betId;
        final String parentTxId;
        final String parentEndpoint;
        final String playerId;
        final long amount;
        final Call original;
        /** A make drawn to use a bonus of this type (null: cash); {@link BonusSetup} names the bonus before signing, or leaves it cash. */
        String bonusType;
        /** A duplicate: it is a re-signed copy of its original. Another call: its retries are re-signed. */
        final boolean resign;
        /** The JWT payload until it is signed (then null); null for a duplicate (it re-sends its original's body). */
        ObjectNode payload;
        /** {"payload":"<jwt>"}, set by pre-signing. */
        byte[] body;

        Call(long seq, String endpoint, String txId, String betTxId, String parentTxId, String parentEndpoint, String playerId,
                long amount, ObjectNode payload) {
            this(seq, endpoint, txId, betTxId, parentTxId, parentEndpoint, playerId, amount, payload, false);
        }

        Call(long seq, String endpoint, String txId, String betTxId, String parentTxId, String parentEndpoint, String playerId,
                long amount, ObjectNode payload, boolean resign) {
            this.seq = seq;
            this.endpoint = endpoint;
            this.txId = txId;
            this.betTxId = betTxId;
            this.betId = CloudEventJson.stableId(MAKE, betTxId);
            this.parentTxId = parentTxId;
            this.parentEndpoint = parentEndpoint;
            this.playerId = playerId;
            this.amount = amount;
            this.original = null;
            this.resign = resign;
            this.payload = payload;
        }

        /** A duplicate of {@code original}: the same endpoint, ids and body. */
        Call(long seq, Call original) {
            this(seq, original, false);
        }

        /** A duplicate of {@code original}: the same endpoint and ids; the same body, or with {@code resign} a re-signed copy of it. */
        Call(long seq, Call original, boolean resign) {
            this.seq = seq;
            this.endpoint = original.endpoint;
            this.txId = original.txId;
            this.betTxId = original.betTxId;
            this.betId = original.betId;
            this.parentTxId = original.parentTxId;
            this.parentEndpoint = original.parentEndpoint;
            this.playerId = original.playerId;
            this.amount = original.amount;
            this.original = original;
            this.resign = resign;
            this.payload = null;
        }

        boolean duplicate() {
            return original != null;
        }

        /** Whether the body it first sends is a re-signed copy of its original's (a re-signed duplicate). */
        boolean resignedCopy() {
            return original != null && resign;
        }

        byte[] body() {
            return body != null || original == null ? body : original.body();
        }
    }

    /** Calls sent at the same moment; the next step waits for all their final answers. */
    record Step(List<Call> calls) {
    }

    /**
     * One bet's callbacks. {@code kind}: the settlement drawn from the mix ("win", "lost", "refund",
     * "discard", "open"), or "race" (make and discard at once) / "discard-first";
     * {@code discardAfterSettlement}: a discard follows the settlement.
     */
    record Flow(int index, String playerId, long stake, String kind, boolean rolledBack, boolean discardAfterSettlement,
            List<Step> steps) {
        int calls() {
            return steps.stream().mapToInt(s -> s.calls().size()).sum();
        }
    }

    /** The hot player's id. */
    static String hotPlayer(LoadGenOptions o) {
        return o.playerPrefix + "hot";
    }

    /** Flows 0..count-1; the same options (seed, run id, mix, ...) give the same flows. */
    static List<Flow> generate(LoadGenOptions o, int count) {
        List<Flow> flows = new ArrayList<>(count);
        long[] seq = { 0 };
        long timestamp = 1_790_000_000L;
        for (int i = 0; i < count; i++) {
            flows.add(flow(o, i, seq, timestamp));
        }
        return flows;
    }

    private static Flow flow(LoadGenOptions o, int index, long[] seq, long timestamp) {
        // One generator per flow, from the seed and the flow's index: flow i is the same whatever the count.
        SplittableRandom r = new SplittableRandom(o.seed * 0x9E3779B97F4A7C15L + index);
        String player = percent(r, o.hotPlayerPercent) ? hotPlayer(o) : o.playerPrefix + (1 + r.nextInt(o.players));
        long stake = o.stakeMin + r.nextLong(o.stakeMax - o.stakeMin + 1);
        String makeTx = "lg-" + o.runId + "-" + index;
        String betId = CloudEventJson.stableId(MAKE, makeTx);
        int sport = 1 + r.nextInt(Payloads.SPORTS.length);
        int event = 1 + r.nextInt(Payloads.EVENTS_PER_SPORT);
        Builder b = new Builder(r, o.duplicatePercent, o.resignPercent, seq);

        Call make = b.call(MAKE, makeTx, makeTx, null, null, player, stake,
                Payloads.make(o.operatorId, o.currency, player, makeTx, stake, sport, event, timestamp));
        // Drawn only when asked for: a plan without bonuses draws exactly as before.
        if (percent(r, o.bonusPercent)) {
            make.bonusType = BONUS_TYPES[r.nextInt(BONUS_TYPES.length)];
        }
        if (percent(r, o.discardRacePercent)) {
            boolean discardFirst = r.nextBoolean();
            Call discard = b.call(DISCARD, makeTx, makeTx, null, null, player, stake, Payloads.discard(player, makeTx));
            if (discardFirst) {
                b.step(discard);
                b.step(make);
            } else {
                b.step(make, discard);
            }
            return new Flow(index, player, stake, discardFirst ? "discard-first" : "race", false, false, b.steps);
        }
        b.step(make);
        String kind = weighted(r, o.mix);
        Call settlement = switch (kind) {
            case "win" -> {
                long amount = Math.max(1, stake * (WIN_FACTOR_PERCENT_MIN + r.nextInt(WIN_FACTOR_PERCENT_SPAN)) / 100);
                String tx = makeTx + "-win";
                yield b.call(WIN, tx, makeTx, null, null, player, amount, Payloads.settle("win", o.currency, betId, tx, amount));
            }
            case "lost" -> {
                String tx = makeTx + "-lost";
                yield b.call(LOST, tx, makeTx, null, null, player, 0, Payloads.settle("lost", o.currency, betId, tx, 0));
            }
            case "refund" -> {
                long amount = r.nextBoolean() ? stake : Math.max(1, stake / 2);
                String tx = makeTx + "-refund";
                yield b.call(REFUND, tx, makeTx, null, null, player, amount, Payloads.refund(betId, tx, amount));
            }
            case "discard" -> b.call(DISCARD, makeTx, makeTx, null, null, player, stake, Payloads.discard(player, makeTx));
            default -> null;
        };
        if (settlement == null) {
            return new Flow(index, player, stake, kind, false, false, b.steps);
        }
        b.step(settlement);
        if (settlement.endpoint.equals(DISCARD)) {
            return new Flow(index, player, stake, kind, false, false, b.steps);
        }
        String parentId = CloudEventJson.stableId(settlement.endpoint, settlement.txId);
        if (percent(r, o.discardAfterSettlementPercent)) {
            // The discard of a settled bet changes nothing; after the rollback that reopens the bet, the same discard discards it.
            b.step(b.call(DISCARD, makeTx, makeTx, null, null, player, stake, Payloads.discard(player, makeTx)));
            boolean rolledBack = r.nextBoolean();
            if (rolledBack) {
                String tx = makeTx + "-rb1";
                b.step(b.call(ROLLBACK, tx, makeTx, settlement.txId, settlement.endpoint, player, settlement.amount,
                        Payloads.rollback(betId, tx, parentId, settlement.amount)));
                b.step(b.call(DISCARD, makeTx, makeTx, null, null, player, stake, Payloads.discard(player, makeTx)));
            }
            return new Flow(index, player, stake, kind, rolledBack, true, b.steps);
        }
        boolean rolledBack = percent(r, o.rollbackPercent);
        if (rolledBack) {
            int rollbacks = percent(r, SECOND_ROLLBACK_PERCENT) ? 2 : 1;
            for (int k = 1; k <= rollbacks; k++) {
                String tx = makeTx + "-rb" + k;
                b.step(b.call(ROLLBACK, tx, makeTx, settlement.txId, settlement.endpoint, player, settlement.amount,
                        Payloads.rollback(betId, tx, parentId, settlement.amount)));
            }
        }
        return new Flow(index, player, stake, kind, rolledBack, false, b.steps);
    }

    /** Assigns sequence numbers in generation order and adds the drawn duplicates to the steps. */
    private static final class Builder {
        final SplittableRandom r;
        final double duplicatePercent;
        final double resignPercent;
        final long[] seq;
        final List<Step> steps = new ArrayList<>();
        /** Duplicates drawn for the calls made so far, by their original (in call order). */
        final Map<Call, Call> duplicates = new java.util.IdentityHashMap<>();
        final Map<Call, Boolean> concurrent = new java.util.IdentityHashMap<>();

        Builder(SplittableRandom r, double duplicatePercent, double resignPercent, long[] seq) {
            this.r = r;
            this.duplicatePercent = duplicatePercent;
            this.resignPercent = resignPercent;
            this.seq = seq;
        }

        Call call(String endpoint, String txId, String betTxId, String parentTxId, String parentEndpoint, String player,
                long amount, ObjectNode payload) {
            Call c = new Call(seq[0]++, endpoint, txId, betTxId, parentTxId, parentEndpoint, player, amount, payload,
                    percent(r, resignPercent));
            if (percent(r, duplicatePercent)) {
                duplicates.put(c, new Call(seq[0]++, c, percent(r, resignPercent)));
                concurrent.put(c, r.nextBoolean());
            }
            return c;
        }

        /** A step of {@code calls} at once, with their concurrent duplicates; a sequential duplicate in the step after. */
        void step(Call... calls) {
            List<Call> now = new ArrayList<>(List.of(calls));
            List<Call> after = new ArrayList<>();
            for (Call c : calls) {
                Call dup = duplicates.get(c);
                if (dup != null) {
                    (concurrent.get(c) ? now : after).add(dup);
                }
            }
            steps.add(new Step(List.copyOf(now)));
            if (!after.isEmpty()) {
                steps.add(new Step(List.copyOf(after)));
            }
        }
    }

    static boolean percent(SplittableRandom r, double percent) {
        return percent > 0 && r.nextDouble() * 100 < percent;
    }

    /** One of the keys, drawn by weight. */
    static String weighted(SplittableRandom r, Map<String, Integer> weights) {
        long total = weights.values().stream().mapToLong(Integer::longValue).sum();
        long x = r.nextLong(total);
        for (Map.Entry<String, Integer> e : weights.entrySet()) {
            x -= e.getValue();
            if (x < 0) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("weights changed");
    }
}
