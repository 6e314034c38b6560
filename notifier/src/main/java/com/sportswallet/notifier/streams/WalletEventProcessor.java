package com.sportswallet.notifier.streams;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.jboss.logging.Logger;

import com.sportswallet.contracts.EventTypes;

/**
 * The notifier's one processor over {@code wallet.events} (key = player id, so all of a player's
 * events, and all of a bet's, reach the same task in the order of their partition).
 *
 * <ol>
 * <li><b>Dedupe</b>: an event id already seen is dropped. The ids live in a changelogged window
 * store, each at its event's time, whose segments expire {@code notifier.dedupe-retention} behind
 * the latest event time the partition's store has seen, so it is bounded (a re-send of an event
 * older than that would count again). Under exactly_once_v2 the store update, the aggregates and the outputs commit
 * together: a crash never lets a duplicate through or loses an event.</li>
 * <li><b>Aggregates</b> ({@link PlayerState}): sums and a max, order-independent.</li>
 * <li><b>crm.events</b>: first bet (the first {@code wallet.bet.placed} seen for the player, once),
 * big win ({@code wallet.bet.won}, cash-outs included, amount &gt;= threshold), negative balance
 * (a {@code wallet.alert} with reason negative_balance, or any debit whose balance_after &lt; 0;
 * once per wallet version: the alert and the rollback that caused it name the same sequence),
 * deposit, withdrawal, status change.</li>
 * <li><b>bonus.events</b>: {@code bonus.wagering.progress} on every settlement decision (won,
 * lost, refunded, rolled back) and when a late {@code wallet.bet.placed} completes settlements
 * seen before it. See {@link BetState} for what counts.</li>
 * </ol>
 * A record that is not a usable wallet event is logged and skipped (it can never become one).
 */
final class WalletEventProcessor implements Processor<String, byte[], String, String> {
    private static final Logger LOG = Logger.getLogger(WalletEventProcessor.class);
    static final String NEGATIVE_BALANCE_REASON = "negative_balance";

    private final NotifierSettings settings;
    private final long dedupeRetentionMs;
    private final long betRetentionMs;
    private final String sinceText;
    private ProcessorContext<String, String> context;
    private WindowStore<String, Long> seen;
    private KeyValueStore<String, BetState> bets;
    private KeyValueStore<String, PlayerState> players;
    /** The input record's timestamp: outputs carry it, so a replay re-emits identical records. */
    private long currentTimestampMs;

    WalletEventProcessor(NotifierSettings settings) {
        this.settings = settings;
        this.dedupeRetentionMs = settings.dedupeRetention().toMillis();
        this.betRetentionMs = settings.betRetention().toMillis();
        this.sinceText = settings.wageringSince().toString();
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.seen = context.getStateStore(StoreNames.DEDUPE);
        this.bets = context.getStateStore(StoreNames.BETS);
        this.players = context.getStateStore(StoreNames.PLAYERS);
        context.schedule(settings.betPurgeInterval(), PunctuationType.STREAM_TIME, this::purgeBets);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        WalletEvent e;
        try {
            e = WalletEvent.parse(record.value());
        } catch (WalletEvent.Unusable u) {
            LOG.warnf("skipping an unusable wallet.events record (key %s): %s", record.key(), u.getMessage());
            return;
        }
        String player = record.key() != null ? record.key() : e.playerId();
        if (player == null) {
            LOG.warnf("skipping wallet event %s: no player id", e.id());
            return;
        }
        long ts = record.timestamp();
        currentTimestampMs = ts;
        if (!firstSighting(e, ts)) {
            return;
        }
        PlayerState p = players.get(player);
        if (p == null) {
            p = new PlayerState();
        }
        switch (e.type()) {
            case EventTypes.BET_PLACED -> placed(e, player, p, ts);
            case EventTypes.BET_WON -> settled(e, player, p, ts, e.cashout() ? BetState.Kind.CASHOUT : BetState.Kind.WIN);
            case EventTypes.BET_LOST -> settled(e, player, p, ts, BetState.Kind.LOST);
            case EventTypes.BET_REFUNDED -> settled(e, player, p, ts, BetState.Kind.REFUND);
            case EventTypes.BET_ROLLED_BACK -> rolledBack(e, player, p, ts);
            case EventTypes.BET_DISCARDED -> discarded(e, p, ts);
            case EventTypes.DEPOSIT -> {
                p.touch(e.occurredAt());
                emitCrm(EventTypes.CRM_DEPOSIT, e, player, e.amount(), Outputs.NONE);
            }
            case EventTypes.WITHDRAWAL -> {
                p.touch(e.occurredAt());
                emitCrm(EventTypes.CRM_WITHDRAWAL, e, player, Math.abs(e.amount()), Outputs.NONE);
            }
            case EventTypes.PLAYER_STATUS_CHANGED ->
                emitCrm(EventTypes.CRM_STATUS_CHANGED, e, player, 0, g -> g.writeStringField("status", e.status()));
            case EventTypes.ALERT -> {
                if (NEGATIVE_BALANCE_REASON.equals(e.reason())) {
                    negativeBalance(e, player, ts);
                }
            }
            default -> {
                // wallet.credit.applied (the money of a decision already counted) and unknown types: no output.
            }
        }
        if (e.amount() < 0 && e.balanceAfter() != null && e.balanceAfter() < 0 && !EventTypes.ALERT.equals(e.type())) {
            negativeBalance(e, player, ts);
        }
        players.put(player, p);
    }

    private void placed(WalletEvent e, String player, PlayerState p, long ts) {
        long stake = -e.amount();
        p.bets++;
        p.stakeTotal += stake;
        p.net += e.amount();
        p.touch(e.occurredAt());
        if (p.bets == 1) {
            emitCrm(EventTypes.CRM_FIRST_BET, e, player, stake, Outputs.NONE);
        }
        if (e.betId() == null) {
            return;
        }
        BetState bet = bet(e.betId());
        long before = bet.wageringContribution(settings.wageringSince());
        bet.stake = stake;
        bet.seenAt(ts);
        p.wageredTotal += bet.wageringContribution(settings.wageringSince()) - before;
        bets.put(e.betId(), bet);
        if (bet.hasSettlements()) {
            // Settlements arrived before their stake: the bonus engine learns the completed total now.
            emitWagering(e, player, p);
        }
    }

    private void settled(WalletEvent e, String player, PlayerState p, long ts, BetState.Kind kind) {
        switch (kind) {
            case WIN, CASHOUT -> p.winTotal += e.amount();
            case REFUND -> p.refundTotal += e.amount();
            case LOST -> {
                // amount 0
            }
        }
        p.net += e.amount();
        p.touch(e.occurredAt());
        if ((kind == BetState.Kind.WIN || kind == BetState.Kind.CASHOUT) && e.amount() >= settings.bigWinThreshold()) {
            boolean cashout = kind == BetState.Kind.CASHOUT;
            emitCrm(EventTypes.CRM_BIG_WIN, e, player, e.amount(), g -> {
                g.writeStringField("bet_id", e.betId());
                g.writeBooleanField("is_cashout", cashout);
            });
        }
        if (e.betId() != null) {
            BetState bet = bet(e.betId());
            long before = bet.wageringContribution(settings.wageringSince());
            bet.settle(e.transactionId() != null ? e.transactionId() : e.id(), kind, e.amount(), e.occurredAt());
            bet.seenAt(ts);
            p.wageredTotal += bet.wageringContribution(settings.wageringSince()) - before;
            bets.put(e.betId(), bet);
        }
        emitWagering(e, player, p);
    }

    private void rolledBack(WalletEvent e, String player, PlayerState p, long ts) {
        BetState.Kind kind = BetState.Kind.ofReversedOperation(e.reversedOperation());
        if (kind == BetState.Kind.WIN || kind == BetState.Kind.CASHOUT) {
            p.winTotal += e.amount();
        } else if (kind == BetState.Kind.REFUND) {
            p.refundTotal += e.amount();
        }
        p.net += e.amount();
        p.touch(e.occurredAt());
        if (e.betId() != null && e.reversedTransactionId() != null) {
            BetState bet = bet(e.betId());
            long before = bet.wageringContribution(settings.wageringSince());
            bet.rollBack(e.reversedTransactionId(), kind);
            bet.seenAt(ts);
            p.wageredTotal += bet.wageringContribution(settings.wageringSince()) - before;
            bets.put(e.betId(), bet);
        } else {
            LOG.warnf("rollback %s names no bet or reversed transaction: wagering unchanged", e.id());
        }
        emitWagering(e, player, p);
    }

    private void discarded(WalletEvent e, PlayerState p, long ts) {
        p.net += e.amount();
        p.touch(e.occurredAt());
        if (e.betId() != null) {
            BetState bet = bet(e.betId());
            bet.discarded = true;
            bet.seenAt(ts);
            bets.put(e.betId(), bet);
        }
    }

    /** Once per wallet version (player, sequence); an event without a sequence stands for itself. */
    private void negativeBalance(WalletEvent e, String player, long ts) {
        if (e.sequence() != null && !firstSighting("negative-balance\u0000" + player + "\u0000" + e.sequence(), ts)) {
            return;
        }
        long balance = e.balanceAfter() != null ? e.balanceAfter() : e.amount();
        emitCrm(EventTypes.CRM_NEGATIVE_BALANCE, e, player, balance, g -> {
            g.writeStringField("source_type", e.type());
            if (e.balanceAfter() != null) {
                g.writeNumberField("balance_after", e.balanceAfter());
            }
            if (e.sequence() != null) {
                g.writeNumberField("sequence", e.sequence());
            }
        });
    }

    private BetState bet(String betId) {
        BetState bet = bets.get(betId);
        return bet != null ? bet : new BetState();
    }

    /**
     * True the first time this event id is seen; records it. A re-sent event is byte-identical, so
     * its id is stored at its own event time (ms) and looked up there: one point lookup, whatever
     * record timestamp the re-send got. Remembered while that time is within the retention of the
     * latest event time stored in this partition (the window store drops older segments).
     */
    private boolean firstSighting(WalletEvent e, long recordTs) {
        long at = e.time() != null ? e.time().toEpochMilli() : recordTs;
        if (seen.fetch(e.id(), at) != null) {
            return false;
        }
        seen.put(e.id(), recordTs, at);
        return true;
    }

    /** Like {@link #firstSighting(WalletEvent, long)} for a fact named by a key whose events may have different times (rare path: a range scan). */
    private boolean firstSighting(String key, long ts) {
        long from = Math.max(0, ts - dedupeRetentionMs);
        long to = ts > Long.MAX_VALUE - dedupeRetentionMs ? Long.MAX_VALUE : ts + dedupeRetentionMs;
        try (WindowStoreIterator<Long> it = seen.fetch(key, from, to)) {
            if (it.hasNext()) {
                return false;
            }
        }
        seen.put(key, ts, ts);
        return true;
    }

    private void emitCrm(String type, WalletEvent e, String player, long amount, Outputs.Extra extra) {
        context.forward(new Record<>(player, Outputs.crm(type, e, player, amount, extra), currentTimestampMs, Outputs.headers()),
                TopologyProducer.CRM_SINK);
    }

    private void emitWagering(WalletEvent e, String player, PlayerState p) {
        context.forward(new Record<>(player, Outputs.wageringProgress(e, player, p.wageredTotal, sinceText,
                e.betId()), currentTimestampMs, Outputs.headers()), TopologyProducer.BONUS_SINK);
    }

    /** Drops settled or discarded bets idle for longer than the retention; open bets stay. */
    private void purgeBets(long streamTimeMs) {
        long cutoff = streamTimeMs - betRetentionMs;
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, BetState> it = bets.all()) {
            while (it.hasNext()) {
                KeyValue<String, BetState> kv = it.next();
                if (!kv.value.open() && kv.value.lastSeenMs < cutoff) {
                    expired.add(kv.key);
                }
            }
        }
        for (String betId : expired) {
            bets.delete(betId);
        }
        if (!expired.isEmpty()) {
            LOG.debugf("purged %d settled bets idle since before %d", expired.size(), cutoff);
        }
    }
}
