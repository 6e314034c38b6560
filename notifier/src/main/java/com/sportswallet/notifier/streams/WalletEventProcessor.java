package com.sportswallet.notifier.streams;

import java.time.Instant;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import com.sportswallet.contracts.EventTypes;

/**
 * The notifier's one processor over {@code wallet.events} (key = player id, so all of a player's
 * events, and all of a bet's, reach the same task in the order of their partition).
 *
 * <ol>
 * <li><b>Dedupe</b> ({@link Dedupe}): by (player, {@code player_seq}), or by id for an event
 * without one. Nothing expires by stream time or by an event's {@code time}, so a re-send of any
 * age, or one after a far-future {@code time}, is dropped. Under exactly_once_v2 the dedupe
 * state, the aggregates, the outputs and the input offset commit together: a crash never lets a
 * duplicate through or loses an event.</li>
 * <li><b>Aggregates</b> ({@link PlayerState}): sums and a max, order-independent.</li>
 * <li><b>crm.events</b>: first bet (the first {@code wallet.bet.placed} seen for the player, once),
 * big win ({@code wallet.bet.won}, cash-outs included, amount &gt;= threshold), negative balance
 * (a {@code wallet.alert} with reason negative_balance, or any debit whose balance_after &lt; 0;
 * once per wallet version: the alert and the rollback that caused it name the same sequence),
 * deposit, withdrawal, status change, self-exclusion, limit reached. The marketing ones (first bet,
 * big win, bonus granted) are suppressed for a fact that occurred while the player was self-excluded
 * ({@link PlayerState#excludedAt}; issue 15); a limit reached is not marketing but responsible gaming,
 * and goes whatever the exclusion.</li>
 * <li><b>bonus.events</b>: {@code bonus.wagering.progress} on every settlement decision (won,
 * lost, refunded, rolled back). Each bet event carries the bet's {@code stake} (and a rollback the
 * reversed settlement's time), so its wagering share derives from the event alone, in any order;
 * events written before that ({@code stake} absent) are joined through the bets store
 * ({@link BetState}).</li>
 * </ol>
 * Every output carries the {@code wallet.events} offset of the fact that caused it
 * ({@code sourceoffset}) and its index among that fact's outputs ({@code sourceindex}): a player's
 * outputs are emitted in that order the first time and in every rebuild, which is what lets the
 * webhook remember what it delivered per player.
 * A record that is not a usable wallet event is logged and skipped (it can never become one).
 */
final class WalletEventProcessor implements Processor<String, byte[], String, String> {
    private static final Logger LOG = Logger.getLogger(WalletEventProcessor.class);
    static final String NEGATIVE_BALANCE_REASON = "negative_balance";
    /** The bonus types whose stake is the bonus, not cash (freebet_freemoney, freebet_refund, freebet_no_risk). */
    static final String FREEBET_PREFIX = "freebet_";
    private static final String NEGATIVE_BALANCE_FACT = "negative-balance";

    private final NotifierSettings settings;
    private final String sinceText;
    private ProcessorContext<String, String> context;
    private Dedupe dedupe;
    private KeyValueStore<String, BetState> bets;
    private KeyValueStore<String, PlayerState> players;
    /** The input record's timestamp: outputs carry it, so a replay re-emits identical records. */
    private long currentTimestampMs;
    /** The input record's offset in wallet.events, and the index of the next output it causes. */
    private long sourceOffset;
    private int sourceIndex;

    WalletEventProcessor(NotifierSettings settings) {
        this.settings = settings;
        this.sinceText = settings.wageringSince().toString();
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.dedupe = new Dedupe(context.getStateStore(StoreNames.DEDUPE_SEQ), context.getStateStore(StoreNames.DEDUPE_HOLES),
                context.getStateStore(StoreNames.DEDUPE_IDS), settings.dedupeAheadMax());
        this.bets = context.getStateStore(StoreNames.BETS);
        this.players = context.getStateStore(StoreNames.PLAYERS);
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
        currentTimestampMs = record.timestamp();
        sourceOffset = context.recordMetadata().map(m -> m.offset()).orElse(-1L);
        sourceIndex = 0;
        if (!dedupe.firstSighting(player, e.playerSeq(), e.id())) {
            return;
        }
        PlayerState p = players.get(player);
        if (p == null) {
            p = new PlayerState();
        }
        switch (e.type()) {
            case EventTypes.BET_PLACED -> placed(e, player, p);
            case EventTypes.BET_WON -> settled(e, player, p, e.cashout() ? BetState.Kind.CASHOUT : BetState.Kind.WIN);
            case EventTypes.BET_LOST -> settled(e, player, p, BetState.Kind.LOST);
            case EventTypes.BET_REFUNDED -> settled(e, player, p, BetState.Kind.REFUND);
            case EventTypes.BET_ROLLED_BACK -> rolledBack(e, player, p);
            case EventTypes.BET_DISCARDED -> {
                p.net += e.amount();
                p.touch(e.occurredAt());
            }
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
            case EventTypes.PLAYER_EXCLUDED -> {
                p.excludeUntil(e.excludedUntil());
                Instant until = e.excludedUntil();
                emitCrm(EventTypes.CRM_PLAYER_EXCLUDED, e, player, 0, g -> {
                    if (until == null || until.equals(Instant.MAX)) {
                        g.writeNullField("excluded_until");
                    } else {
                        g.writeStringField("excluded_until", until.toString());
                    }
                });
            }
            case EventTypes.LIMIT_REACHED -> {
                // Responsible gaming, not marketing: emitted even while the player is excluded. No
                // aggregate changes: the make or deposit that reached the limit has its own event.
                if (e.limit() != null) {
                    emitCrm(EventTypes.CRM_LIMIT_REACHED, e, player, 0, Outputs.limitFields(e.limit(), e.transactionId()));
                } else {
                    LOG.warnf("skipping wallet.limit.reached %s: no limit_kind", e.id());
                }
            }
            case EventTypes.ALERT -> {
                if (NEGATIVE_BALANCE_REASON.equals(e.reason())) {
                    negativeBalance(e, player);
                }
            }
            case EventTypes.BONUS_GRANTED -> {
                if (e.bonus() != null && !p.excludedAt(e.occurredAt())) {
                    emitCrm(EventTypes.CRM_BONUS_GRANTED, e, player, e.amount(), Outputs.bonusFields(e.bonus()));
                }
            }
            case EventTypes.BONUS_REDEEMED -> {
                if (e.bonus() != null && e.bonus().bonusType() != null && e.bonus().bonusType().startsWith(FREEBET_PREFIX)) {
                    emitBonus(player, Outputs.freebetRedeemed(e, player, sourceOffset, sourceIndex++));
                }
            }
            default -> {
                // wallet.credit.applied (the money of a decision already counted) and unknown types: no output.
            }
        }
        if (e.amount() < 0 && e.balanceAfter() != null && e.balanceAfter() < 0 && !EventTypes.ALERT.equals(e.type())) {
            negativeBalance(e, player);
        }
        if (e.bonus() != null && e.bonus().promotionId() != null && Long.valueOf(0).equals(e.bonus().promotionClaimsLeft())) {
            // The claim that took a limited promotion's last slot (issue 14): the promotion is sold out.
            emitBonus(player, Outputs.promotionSoldOut(e, player, sourceOffset, sourceIndex++));
        }
        players.put(player, p);
    }

    private void placed(WalletEvent e, String player, PlayerState p) {
        long stake = e.stake() != null ? e.stake() : -e.amount();
        p.bets++;
        p.stakeTotal += stake;
        p.net += e.amount();
        p.touch(e.occurredAt());
        if (p.bets == 1 && !p.excludedAt(e.occurredAt())) {
            emitCrm(EventTypes.CRM_FIRST_BET, e, player, stake, Outputs.NONE);
        }
        if (e.stake() != null || e.betId() == null) {
            return; // its settlements carry the stake themselves
        }
        BetState bet = bet(e.betId());
        long before = bet.wageringContribution(settings.wageringSince());
        bet.stake = stake;
        p.wageredTotal += bet.wageringContribution(settings.wageringSince()) - before;
        bets.put(e.betId(), bet);
        if (bet.hasSettlements()) {
            // Settlements written before bet events carried the stake, seen before it: the total is complete now.
            emitWagering(e, player, p);
        }
    }

    private void settled(WalletEvent e, String player, PlayerState p, BetState.Kind kind) {
        switch (kind) {
            case WIN, CASHOUT -> p.winTotal += e.amount();
            case REFUND -> p.refundTotal += e.amount();
            case LOST -> {
                // amount 0
            }
        }
        p.net += e.amount();
        p.touch(e.occurredAt());
        if ((kind == BetState.Kind.WIN || kind == BetState.Kind.CASHOUT) && e.amount() >= settings.bigWinThreshold()
                && !p.excludedAt(e.occurredAt())) {
            boolean cashout = kind == BetState.Kind.CASHOUT;
            emitCrm(EventTypes.CRM_BIG_WIN, e, player, e.amount(), g -> {
                g.writeStringField("bet_id", e.betId());
                g.writeBooleanField("is_cashout", cashout);
            });
        }
        if (e.stake() != null) {
            p.wageredTotal += BetState.share(kind, e.stake(), e.amount(), e.occurredAt(), settings.wageringSince());
        } else if (e.betId() != null) {
            BetState bet = bet(e.betId());
            long before = bet.wageringContribution(settings.wageringSince());
            bet.settle(e.transactionId() != null ? e.transactionId() : e.id(), kind, e.amount(), e.occurredAt());
            p.wageredTotal += bet.wageringContribution(settings.wageringSince()) - before;
            bets.put(e.betId(), bet);
        }
        emitWagering(e, player, p);
    }

    private void rolledBack(WalletEvent e, String player, PlayerState p) {
        BetState.Kind kind = BetState.Kind.ofReversedOperation(e.reversedOperation());
        if (kind == BetState.Kind.WIN || kind == BetState.Kind.CASHOUT) {
            p.winTotal += e.amount();
        } else if (kind == BetState.Kind.REFUND) {
            p.refundTotal += e.amount();
        }
        p.net += e.amount();
        p.touch(e.occurredAt());
        if (e.stake() != null && kind != null) {
            // The reversed settlement's share, judged at its own time (the rollback's when an event lacks it).
            Instant reversedAt = e.reversedOccurredAt() != null ? e.reversedOccurredAt() : e.occurredAt();
            p.wageredTotal -= BetState.share(kind, e.stake(), -e.amount(), reversedAt, settings.wageringSince());
        } else if (e.betId() != null && e.reversedTransactionId() != null) {
            BetState bet = bet(e.betId());
            long before = bet.wageringContribution(settings.wageringSince());
            bet.rollBack(e.reversedTransactionId(), kind);
            p.wageredTotal += bet.wageringContribution(settings.wageringSince()) - before;
            bets.put(e.betId(), bet);
        } else {
            LOG.warnf("rollback %s names no bet or reversed transaction: wagering unchanged", e.id());
        }
        emitWagering(e, player, p);
    }

    /** Once per wallet version (player, sequence); an event without a sequence stands for itself. */
    private void negativeBalance(WalletEvent e, String player) {
        if (e.sequence() != null && !dedupe.firstFact(Dedupe.factKey(NEGATIVE_BALANCE_FACT, player, e.sequence()))) {
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

    private void emitCrm(String type, WalletEvent e, String player, long amount, Outputs.Extra extra) {
        context.forward(new Record<>(player, Outputs.crm(type, e, player, amount, extra, sourceOffset, sourceIndex++),
                currentTimestampMs, Outputs.headers()), TopologyProducer.CRM_SINK);
    }

    private void emitBonus(String player, String event) {
        context.forward(new Record<>(player, event, currentTimestampMs, Outputs.headers()), TopologyProducer.BONUS_SINK);
    }

    private void emitWagering(WalletEvent e, String player, PlayerState p) {
        context.forward(new Record<>(player, Outputs.wageringProgress(e, player, p.wageredTotal, sinceText, e.betId(), sourceOffset,
                sourceIndex++), currentTimestampMs, Outputs.headers()), TopologyProducer.BONUS_SINK);
    }
}
