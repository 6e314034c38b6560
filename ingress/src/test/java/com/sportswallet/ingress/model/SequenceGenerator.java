package com.sportswallet.ingress.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import com.sportswallet.ingress.model.Op.ApplyCredit;
import com.sportswallet.ingress.model.Op.Balance;
import com.sportswallet.ingress.model.Op.Commit;
import com.sportswallet.ingress.model.Op.CreatePlayer;
import com.sportswallet.ingress.model.Op.Deposit;
import com.sportswallet.ingress.model.Op.Discard;
import com.sportswallet.ingress.model.Op.EndSession;
import com.sportswallet.ingress.model.Op.ExtendSession;
import com.sportswallet.ingress.model.Op.GrantBonus;
import com.sportswallet.ingress.model.Op.Kind;
import com.sportswallet.ingress.model.Op.LimitChange;
import com.sportswallet.ingress.model.Op.Make;
import com.sportswallet.ingress.model.Op.OpenSession;
import com.sportswallet.ingress.model.Op.ProviderStatus;
import com.sportswallet.ingress.model.Op.ReadLimits;
import com.sportswallet.ingress.model.Op.RevokeBonus;
import com.sportswallet.ingress.model.Op.Rollback;
import com.sportswallet.ingress.model.Op.SetBlocked;
import com.sportswallet.ingress.model.Op.SetExclusion;
import com.sportswallet.ingress.model.Op.SetLimits;
import com.sportswallet.ingress.model.Op.Settle;
import com.sportswallet.ingress.model.Op.Withdraw;

/**
 * Draws a callback sequence from a seeded {@link SplittableRandom}: a few players and bets, each
 * bet's life (make, settlements, rollbacks naming the latest, an older or a not-yet-seen
 * settlement, a discard, commit and status notes, the worker applying credits), interleaved, then
 * perturbed the way a provider and a network perturb it: adjacent calls swapped (a rollback before
 * its win, a discard before its make), retries of a callback later in the sequence (always re-signed
 * with a new jti and iat, sometimes with its JSON keys in another order, and, only when
 * {@link Options#decimalNumbers} is on, with its integers written as decimals, e.g. 100.0), a
 * transaction id reused with another payload, and pairs of calls fired at once (two neighbours, or
 * a call and its own retry).
 *
 * <p>Bonuses (issue 14): in about a third of the sequences each player is granted 0-2 bonuses of
 * the four granted types (a few granted late, in the middle of the sequence), and most makes use
 * one: the player's own (sometimes under another type, or a freebet stake above its amount),
 * another player's, one never granted, or a {@code global_comboboost}. Bets sharing a bonus reuse a
 * used one; some bonus makes race a twin make of the same bonus (a pair at once); a full refund of
 * a bonus bet is sometimes followed by another bet taking the released bonus before the refund's
 * rollback (bonus_rebind_failed); some bonuses are revoked, racing or not a make.
 *
 * <p>Responsible gaming (issue 15; {@link #responsible}, drawn from a random stream of its own so
 * that the rest of a seed's sequence stays what it was): the setup opens a session per player, and
 * every make names one by its label; in half the sequences players get wager, loss and deposit
 * limits (day, week, month apart) that later change (decreases at once, increases and removals
 * pending), with more deposits; in a third a session is ended (and mostly a new one opened); in a
 * sixth a player self-excludes. Limit changes, session ends and exclusions race makes of their
 * player, and two makes of one player race under a limit.
 *
 * <p>Pure: the same seed and prefix give the same sequence; nothing here touches the wallet.
 */
public final class SequenceGenerator {

    /**
     * @param decimalNumbers retries may write integers as decimals ({@code 100} as {@code 100.0}).
     * Off by default: whether those are the same request is being changed by issue 12 finding 6
     * (canonical JSON); the model already says they are (PROTOCOL.md: compared as canonical JSON).
     * @param stepsMax the sequence is cut after this many calls (pairs count as two)
     */
    public record Options(boolean decimalNumbers, int stepsMax) {
    }

    /**
     * One call as it goes on the wire: the op, and how its payload is presented. Every call is
     * signed afresh (new jti, iat); {@code reorderKeys} writes every JSON object's keys in reverse
     * order; {@code decimalNumbers} writes every integer as a decimal.
     */
    public record Call(Op op, boolean reorderKeys, boolean decimalNumbers, String note) {
        static Call of(Op op) {
            return new Call(op, false, false, "");
        }

        public String describe(String prefix) {
            String s = op.toString().replace(prefix, "");
            if (reorderKeys) {
                s += " [keys reordered]";
            }
            if (decimalNumbers) {
                s += " [decimal numbers]";
            }
            return note.isEmpty() ? s : s + " (" + note + ")";
        }
    }

    /** One step of a sequence: a call alone, or two calls fired at the same moment. */
    public sealed interface Step {
        record Single(Call call) implements Step {
        }

        record Pair(Call first, Call second) implements Step {
        }
    }

    /**
     * A generated sequence.
     *
     * @param setup players, their currency and opening deposits (run one by one before the steps)
     * @param players the players created (the unknown player is not among them)
     * @param betTxs every make tx the sequence names
     * @param keys every settlement, rollback-parent and credit key the sequence names
     */
    public record Sequence(long seed, String prefix, List<Op> setup, List<Step> steps, List<String> players, List<String> betTxs,
            Set<Key> keys) {

        public String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append("sequence of seed ").append(seed).append(" (ids below without the prefix ").append(prefix).append(")\n");
            for (Op op : setup) {
                sb.append("  setup ").append(op.toString().replace(prefix, "")).append('\n');
            }
            for (int i = 0; i < steps.size(); i++) {
                sb.append(String.format("  %3d ", i)).append(describe(steps.get(i))).append('\n');
            }
            return sb.toString();
        }

        public String describe(Step step) {
            if (step instanceof Step.Pair p) {
                return "AT ONCE { " + p.first().describe(prefix) + " || " + p.second().describe(prefix) + " }";
            }
            return ((Step.Single) step).call().describe(prefix);
        }
    }

    private static final long[] STAKES = { 20, 50, 100, 250, 700 };
    private static final long[] DEPOSITS = { 100, 300, 1000 };
    private static final String[] STATUSES = { "won", "lost", "canceled", "refund", "cashed out", "half-won", "half-lost" };
    private static final String[] BONUS_TYPES = { WalletModel.FREEBET_REFUND, WalletModel.FREEBET_FREEMONEY, WalletModel.FREEBET_NO_RISK,
            WalletModel.COMBOBOOST };
    private static final long[] BONUS_AMOUNTS = { 100, 250, 500 };
    /** Seeds issue 15's draws apart from the rest of the sequence's. */
    private static final long RESPONSIBLE_SALT = 0x15_4001_1007L;
    /** A self-exclusion's end, in days after the run's base instant (null, drawn apart: indefinitely). */
    private static final long[] EXCLUSION_DAYS = { 1, 2, 30 };
    /** A wager or loss limit, as a fraction (numerator over 4) of the player's stakes in the sequence. */
    private static final long[] LIMIT_QUARTERS = { 1, 2, 3, 4, 4, 5, 6, 12 };
    /** A deposit limit, above the opening deposit by one of these. */
    private static final long[] DEPOSIT_HEADROOM = { 0, 100, 300, 1000, 2000 };

    private final Options options;

    public SequenceGenerator(Options options) {
        this.options = options;
    }

    /** The sequence for {@code seed}; every id starts with {@code prefix} (unique per run and sequence). */
    public Sequence generate(long seed, String prefix) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Op> setup = new ArrayList<>();
        List<String> players = new ArrayList<>();
        int playerCount = 1 + r.nextInt(3);
        for (int i = 0; i < playerCount; i++) {
            String player = prefix + "p" + i;
            players.add(player);
            setup.add(new CreatePlayer(player, "EUR"));
            // bet/make needs an open session of its player (issue 15): the operator opens one as it launches the sportsbook.
            setup.add(new OpenSession(player, firstSession(player)));
        }
        String nobody = prefix + "nobody";

        // Each bet's life, in its own order.
        List<List<Call>> scripts = new ArrayList<>();
        List<String> betTxs = new ArrayList<>();
        Set<Key> keys = new LinkedHashSet<>();
        // The bets first (player, stake), then the opening deposits: mostly enough for the player's stakes,
        // sometimes half, sometimes nothing.
        int betCount = 2 + r.nextInt(4);
        int[] betPlayer = new int[betCount];
        long[] betStake = new long[betCount];
        long[] stakes = new long[players.size()];
        for (int j = 0; j < betCount; j++) {
            betPlayer[j] = r.nextInt(players.size());
            betStake[j] = STAKES[r.nextInt(STAKES.length)];
            stakes[betPlayer[j]] += betStake[j];
        }
        long[] deposits = new long[players.size()];
        for (int i = 0; i < players.size(); i++) {
            deposits[i] = switch (r.nextInt(16)) {
                case 0 -> 0;
                case 1 -> stakes[i] / 2;
                case 2, 3 -> stakes[i];
                case 4, 5, 6, 7, 8, 9, 10, 11 -> 2 * stakes[i] + 100;
                default -> 1000;
            };
            if (deposits[i] > 0) {
                setup.add(new Deposit(players.get(i), prefix + "dep" + i, deposits[i]));
            }
        }
        // Bonuses: granted in the setup, or (one in five) late, anywhere in the sequence.
        boolean bonusSequence = r.nextInt(2) == 0;
        List<GrantBonus> granted = new ArrayList<>();
        List<GrantBonus> lateGrants = new ArrayList<>();
        if (bonusSequence) {
            for (String player : players) {
                int bonuses = r.nextInt(3);
                for (int k = 0; k < bonuses; k++) {
                    GrantBonus g = new GrantBonus(player, player + "-bonus" + k, BONUS_TYPES[r.nextInt(BONUS_TYPES.length)],
                            BONUS_AMOUNTS[r.nextInt(BONUS_AMOUNTS.length)]);
                    granted.add(g);
                    if (r.nextInt(5) == 0) {
                        lateGrants.add(g);
                    } else {
                        setup.add(g);
                    }
                }
            }
        }
        // Makes that race a twin with the same bonus: the make's call -> the twin's.
        Map<Op, Call> twins = new HashMap<>();
        List<Call> twinsLater = new ArrayList<>();
        List<Make> bonusMakes = new ArrayList<>();
        for (int j = 0; j < betCount; j++) {
            String player = players.get(betPlayer[j]);
            String makeTx = prefix + "b" + j;
            betTxs.add(makeTx);
            List<Call> script = new ArrayList<>();
            String maker = r.nextInt(40) == 0 ? nobody : player;
            Make make = new Make(maker, makeTx, betStake[j], r.nextInt(40) == 0 ? "USD" : "EUR", firstSession(maker));
            if (bonusSequence && r.nextInt(3) != 0) {
                make = bonusMake(r, make, granted, prefix);
            }
            long stake = make.stake();
            if (r.nextInt(20) != 0) { // else the bet is never made: its settlements name an unknown bet
                script.add(Call.of(make));
                if (make.bonusId() != null) {
                    bonusMakes.add(make);
                }
                if (make.bonusId() != null && r.nextInt(4) == 0) {
                    // A twin make with the same bonus, at the same moment: one redeems it, the other is 3001.
                    String twinTx = makeTx + "twin";
                    betTxs.add(twinTx);
                    twins.put(make, Call.of(new Make(make.player(), twinTx, make.stake(), make.currency(), make.bonusType(), make.bonusId(),
                            make.session())));
                    if (r.nextBoolean()) {
                        // Later the twin's bet is refunded in full (if it won the bonus, it gives it back).
                        twinsLater.add(Call.of(new Settle(Kind.REFUND, twinTx, twinTx + "s0", make.stake(), null)));
                    }
                }
            }
            List<Key> earlier = new ArrayList<>();
            int rounds = r.nextInt(4);
            for (int k = 0; k < rounds; k++) {
                Kind kind = pickKind(r);
                String tx = makeTx + "s" + k;
                long amount = switch (kind) {
                    case WIN, CASHOUT -> new long[] { 1, Math.max(1, stake / 2), stake, 3 * stake, 375 }[r.nextInt(5)];
                    case LOST -> 0;
                    // A bonus bet's full refund releases its bonus: more of those.
                    case REFUND -> r.nextInt(7) == 0 ? stake + 1
                            : r.nextInt(make.bonusId() != null ? 3 : 2) != 0 ? stake : Math.max(1, stake / 2);
                };
                String currency = kind == Kind.REFUND ? null : r.nextInt(30) == 0 ? "USD" : "EUR";
                Settle settle = new Settle(kind, makeTx, tx, amount, currency);
                script.add(Call.of(settle));
                boolean rebindLater = false;
                if (make.bonusId() != null && kind == Kind.REFUND && amount == stake && r.nextInt(3) == 0) {
                    // The full refund released the bonus; another bet takes it before the refund's rollback
                    // (which then cannot bind it again: bonus_rebind_failed, the rollback still succeeds).
                    String nextTx = makeTx + "n" + k;
                    betTxs.add(nextTx);
                    script.add(Call.of(new Make(make.player(), nextTx, stake, "EUR", make.bonusType(), make.bonusId(), make.session())));
                    if (r.nextInt(3) == 0) {
                        // ... and gives it back (a full refund) before that rollback: ACTIVE again, but taken since.
                        script.add(Call.of(new Settle(Kind.REFUND, nextTx, nextTx + "s0", stake, null)));
                    }
                    rebindLater = true;
                }
                if (amount > 0 && r.nextInt(10) == 0) {
                    // The player spends the pending money: the withdrawal applies the wallet's pending credits first.
                    script.add(Call.of(new Withdraw(player, makeTx + "spend-pending" + k, amount)));
                }
                if (amount > 0 && r.nextInt(6) == 0) {
                    // Another bet whose stake only the pending money covers (when nothing else moved): the make applies it first.
                    String spendTx = makeTx + "x" + k;
                    betTxs.add(spendTx);
                    script.add(Call.of(new Make(player, spendTx, Math.max(1, deposits[betPlayer[j]] - stake + amount), "EUR",
                            firstSession(player))));
                } else if (amount > 0 && r.nextInt(3) == 0) {
                    script.add(Call.of(new ApplyCredit(settle.key())));
                    if (r.nextInt(3) == 0) {
                        // The player spends the applied money: a rollback of it now meets ROLLBACK_SHORTFALL.
                        script.add(Call.of(new Withdraw(player, makeTx + "spend" + k, amount)));
                    }
                }
                if (k < rounds - 1 || r.nextBoolean() || rebindLater) {
                    Key parent;
                    int pick = rebindLater ? 0 : r.nextInt(10);
                    if (pick < 8 || (pick == 8 && earlier.isEmpty())) {
                        parent = settle.key();
                    } else if (pick == 8) {
                        parent = earlier.get(r.nextInt(earlier.size()));
                    } else {
                        // A settlement not seen yet: the next round's (tombstoned, so it will be refused) or a ghost.
                        parent = r.nextBoolean() ? new Key(Key.WIN, makeTx + "s" + (k + 1)) : new Key(Key.LOST, makeTx + "ghost" + k);
                    }
                    script.add(Call.of(new Rollback(makeTx, makeTx + "r" + k, parent)));
                    if (r.nextInt(8) == 0) {
                        // The provider rolls the same settlement back again, under another transaction id.
                        script.add(Call.of(new Rollback(makeTx, makeTx + "r" + k + "again", parent)));
                    }
                }
                earlier.add(settle.key());
            }
            if (r.nextInt(5) == 0) {
                String who = r.nextInt(8) == 0 ? (players.size() > 1 ? otherThan(r, players, player) : nobody) : player;
                // Mostly after the make; sometimes before it (the provider discards a make it never saw answered).
                int at = script.isEmpty() || r.nextInt(4) == 0 ? r.nextInt(script.size() + 1) : 1 + r.nextInt(script.size());
                script.add(at, Call.of(new Discard(who, makeTx, "provider error")));
                if (r.nextInt(3) == 0) {
                    script.add(at + 1 + r.nextInt(script.size() - at), Call.of(new ApplyCredit(new Key(Key.DISCARD, makeTx))));
                }
            }
            if (r.nextInt(8) == 0) {
                script.add(r.nextInt(script.size() + 1), Call.of(new Commit(makeTx)));
            }
            if (r.nextInt(8) == 0) {
                script.add(r.nextInt(script.size() + 1), Call.of(new ProviderStatus(makeTx, STATUSES[r.nextInt(STATUSES.length)])));
            }
            scripts.add(script);
        }
        // Interleave the bets' lives, then the calls about players.
        List<Call> calls = new ArrayList<>();
        List<List<Call>> open = new ArrayList<>(scripts);
        open.removeIf(List::isEmpty);
        while (!open.isEmpty()) {
            List<Call> s = open.get(r.nextInt(open.size()));
            calls.add(s.remove(0));
            if (s.isEmpty()) {
                open.remove(s);
            }
        }
        int balances = r.nextInt(3);
        for (int i = 0; i < balances; i++) {
            String who = r.nextInt(12) == 0 ? nobody : players.get(r.nextInt(players.size()));
            insertAnywhere(r, calls, Call.of(new Balance(who, r.nextInt(10) == 0 ? "USD" : r.nextBoolean() ? "EUR" : null)));
        }
        if (r.nextInt(3) == 0) {
            String who = players.get(r.nextInt(players.size()));
            insertAnywhere(r, calls, Call.of(new Deposit(who, prefix + "dep-late" + calls.size(), DEPOSITS[r.nextInt(DEPOSITS.length)])));
        }
        if (r.nextInt(3) == 0) {
            String who = players.get(r.nextInt(players.size()));
            insertAnywhere(r, calls, Call.of(new Withdraw(who, prefix + "wd" + calls.size(), STAKES[r.nextInt(STAKES.length)])));
        }
        for (GrantBonus g : lateGrants) {
            insertAnywhere(r, calls, Call.of(g));
        }
        if (!granted.isEmpty() && r.nextInt(3) == 0) {
            Call revoke = Call.of(new RevokeBonus(granted.get(r.nextInt(granted.size())).bonusId()));
            Make racing = bonusMakes.isEmpty() ? null : bonusMakes.get(r.nextInt(bonusMakes.size()));
            if (racing != null && !twins.containsKey(racing) && r.nextBoolean()) {
                // The revoke races a make of that bonus, at the same moment: exactly one of them wins it.
                twins.put(racing, new Call(new RevokeBonus(racing.bonusId()), false, false, ""));
            } else {
                insertAnywhere(r, calls, revoke);
            }
        }
        if (r.nextInt(6) == 0) {
            String who = players.get(r.nextInt(players.size()));
            int at = r.nextInt(calls.size() + 1);
            calls.add(at, Call.of(new SetBlocked(who, true)));
            if (r.nextBoolean()) {
                calls.add(at + 1 + r.nextInt(calls.size() - at), Call.of(new SetBlocked(who, false)));
            }
        }

        // Issue 15: limits, self-exclusion and sessions, drawn from their own random stream so that the rest of a
        // seed's sequence is what it was before them; then each make names its player's session as it then stands.
        responsible(new SplittableRandom(seed ^ RESPONSIBLE_SALT), players, stakes, deposits, setup, calls, twins, betTxs);

        // What the provider and the network do to them.
        for (int i = 0; i + 1 < calls.size(); i++) {
            if (r.nextInt(12) == 0) {
                calls.set(i, calls.set(i + 1, calls.get(i)));
            }
        }
        for (int i = 0; i < calls.size(); i++) {
            Op op = calls.get(i).op();
            if (Op.idempotencyKey(op) == null) {
                continue;
            }
            if (r.nextInt(8) == 0) {
                insertWithin(r, calls, i, retry(r, op));
            } else if (r.nextInt(30) == 0) {
                insertWithin(r, calls, i, new Call(otherPayload(op), false, false, "same key, other payload"));
            }
        }
        while (calls.size() > options.stepsMax()) {
            calls.remove(calls.size() - 1);
        }

        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            Call twin = c.note().isEmpty() ? twins.remove(c.op()) : null;
            if (twin != null) {
                steps.add(new Step.Pair(c, twin));
                if (twin.op() instanceof Make m) {
                    keys.add(new Key(Key.REFUND, m.tx() + "s0"));
                }
            } else if (i + 1 < calls.size() && pairable(c.op()) && pairable(calls.get(i + 1).op()) && r.nextInt(6) == 0) {
                steps.add(new Step.Pair(c, calls.get(i + 1)));
                i++;
            } else if (Op.idempotencyKey(c.op()) != null && r.nextInt(25) == 0) {
                steps.add(new Step.Pair(c, retry(r, c.op())));
            } else {
                steps.add(new Step.Single(c));
            }
        }
        for (Call later : twinsLater) {
            // Only for a twin that was sent (its make was not cut off), somewhere after it.
            String twinTx = ((Settle) later.op()).betTx();
            int at = -1;
            for (int i = 0; i < steps.size(); i++) {
                if (steps.get(i) instanceof Step.Pair p && p.second().op() instanceof Make m && m.tx().equals(twinTx)) {
                    at = i;
                }
            }
            if (at >= 0) {
                steps.add(at + 1 + r.nextInt(steps.size() - at), new Step.Single(later));
            }
        }
        for (Call c : calls) {
            collectKeys(c.op(), keys);
        }
        return new Sequence(seed, prefix, setup, steps, players, betTxs, keys);
    }

    /** The session the setup opens for the player (issue 15). */
    static String firstSession(String player) {
        return player + "-s0";
    }

    /**
     * Issue 15's calls, inserted into {@code calls} (and {@code setup}):
     * <ul>
     * <li>in half the sequences, limits: each of some players gets 1-3 changes of 1-2 kinds and 1-3
     * periods each (values around the player's stakes in the sequence, periods apart, a deposit limit
     * around the opening deposit; later changes decrease, increase (pending), remove (pending) or
     * repeat), the first mostly in the setup (now and then before the opening deposit, which it may
     * refuse); more deposits; a read of the limits; some changes race a make of the player, and some
     * makes race a twin make of the same player and stake (two makes under one limit);</li>
     * <li>in a third, sessions: a player's session ended somewhere (sometimes racing a make on it),
     * mostly a new one opened later, an extension, a repeated end, an end of another player's session
     * under this player's path (404);</li>
     * <li>in a sixth, a self-exclusion (for days or indefinitely; sometimes racing a make), then maybe
     * a second one (extending, the same: 200, or shortening: 409), a deposit (422 excluded), a
     * withdrawal (still fine) and a session opened (422 excluded).</li>
     * </ul>
     * Then every make names the session its player last opened before it (so a make after an end
     * names the ended one: 1007), or now and then another player's, one never opened, or the player's
     * older one (1007), the last sometimes followed by the same make naming the right one.
     */
    private static void responsible(SplittableRandom g, List<String> players, long[] stakes, long[] deposits, List<Op> setup,
            List<Call> calls, Map<Op, Call> twins, List<String> betTxs) {
        boolean limitSequence = g.nextInt(2) == 0;
        boolean sessionSequence = g.nextInt(3) == 0;
        boolean exclusionSequence = g.nextInt(6) == 0;
        // Calls that race the next make of their player (as its twin), once the makes name their sessions.
        List<Call> racers = new ArrayList<>();
        Set<String> limited = new java.util.HashSet<>();
        if (limitSequence) {
            for (int i = 0; i < players.size(); i++) {
                if (i > 0 && g.nextInt(3) == 0) {
                    continue;
                }
                String p = players.get(i);
                limited.add(p);
                int changes = 1 + g.nextInt(3);
                for (int k = 0; k < changes; k++) {
                    Call set = Call.of(new SetLimits(p, limitChanges(g, stakes[i], deposits[i], k > 0)));
                    if (k == 0 && g.nextInt(3) != 0) {
                        int deposit = indexOfDeposit(setup, p);
                        setup.add(deposit >= 0 && g.nextInt(6) == 0 ? deposit : setup.size(), set.op());
                    } else {
                        insertAnywhere(g, calls, set);
                        if (g.nextInt(3) == 0) {
                            racers.add(set);
                        }
                    }
                }
                for (int k = g.nextInt(3); k > 0; k--) {
                    insertAnywhere(g, calls, Call.of(new Deposit(p, p + "-dep-limit" + k, DEPOSITS[g.nextInt(DEPOSITS.length)])));
                }
                if (g.nextInt(3) == 0) {
                    insertAnywhere(g, calls, Call.of(new ReadLimits(p)));
                }
            }
        }
        if (sessionSequence) {
            for (String p : players) {
                if (!p.equals(players.get(0)) && g.nextBoolean()) {
                    continue;
                }
                int at = g.nextInt(calls.size() + 1);
                Call end = Call.of(new EndSession(p, firstSession(p)));
                calls.add(at, end);
                if (g.nextInt(3) == 0) {
                    racers.add(end);
                }
                if (g.nextInt(3) != 0) {
                    calls.add(at + 1 + g.nextInt(calls.size() - at), Call.of(new OpenSession(p, p + "-s1")));
                }
                if (g.nextInt(4) == 0) {
                    insertAnywhere(g, calls, Call.of(new ExtendSession(p, firstSession(p))));
                }
                if (g.nextInt(5) == 0) {
                    calls.add(at + 1 + g.nextInt(calls.size() - at), Call.of(new EndSession(p, firstSession(p))));
                }
                if (players.size() > 1 && g.nextInt(6) == 0) {
                    insertAnywhere(g, calls, Call.of(new EndSession(p, firstSession(otherThan(g, players, p)))));
                }
            }
        }
        if (exclusionSequence) {
            String p = players.get(g.nextInt(players.size()));
            int at = g.nextInt(calls.size() + 1);
            Long until = g.nextInt(4) == 0 ? null : EXCLUSION_DAYS[g.nextInt(EXCLUSION_DAYS.length)];
            Call exclusion = Call.of(new SetExclusion(p, until));
            calls.add(at, exclusion);
            if (g.nextInt(3) == 0) {
                racers.add(exclusion);
            }
            if (g.nextBoolean()) {
                Long again = g.nextInt(4) == 0 ? null : g.nextInt(3) == 0 ? until : Long.valueOf(EXCLUSION_DAYS[g.nextInt(EXCLUSION_DAYS.length)]);
                calls.add(at + 1 + g.nextInt(calls.size() - at), Call.of(new SetExclusion(p, again)));
            }
            if (g.nextBoolean()) {
                calls.add(at + 1 + g.nextInt(calls.size() - at), Call.of(new Deposit(p, p + "-dep-excluded", DEPOSITS[g.nextInt(DEPOSITS.length)])));
            }
            if (g.nextInt(3) == 0) {
                calls.add(at + 1 + g.nextInt(calls.size() - at), Call.of(new Withdraw(p, p + "-wd-excluded", STAKES[g.nextInt(STAKES.length)])));
            }
            if (g.nextInt(3) == 0) {
                calls.add(at + 1 + g.nextInt(calls.size() - at), Call.of(new OpenSession(p, p + "-x")));
            }
        }
        nameSessions(g, players, calls, twins);
        for (Call racer : racers) {
            raceNextMake(calls, twins, racer);
        }
        if (!limited.isEmpty() && g.nextBoolean()) {
            // Two makes of one player at once under a limit: the twin has the same stake and session, its own bet.
            List<Make> plain = new ArrayList<>();
            for (Call c : calls) {
                if (c.op() instanceof Make m && m.bonusType() == null && limited.contains(m.player()) && !twins.containsKey(m)) {
                    plain.add(m);
                }
            }
            if (!plain.isEmpty()) {
                Make m = plain.get(g.nextInt(plain.size()));
                String twinTx = m.tx() + "lim";
                betTxs.add(twinTx);
                twins.put(m, Call.of(new Make(m.player(), twinTx, m.stake(), m.currency(), m.session())));
            }
        }
    }

    /** A change of 1-2 limit kinds, 1-3 periods each, values apart per period; a later one may remove some (null). */
    private static List<LimitChange> limitChanges(SplittableRandom g, long stakes, long deposit, boolean later) {
        List<String> kinds = new ArrayList<>(WalletModel.LIMIT_KINDS);
        List<LimitChange> out = new ArrayList<>();
        for (int n = 1 + g.nextInt(2); n > 0; n--) {
            String kind = kinds.remove(g.nextInt(kinds.size()));
            for (String period : WalletModel.PERIODS) {
                if (g.nextInt(2) != 0 && !(period.equals("month") && out.stream().noneMatch(c -> c.kind().equals(kind)))) {
                    continue;
                }
                Long value;
                if (later && g.nextInt(6) == 0) {
                    value = null;
                } else if (kind.equals("deposit")) {
                    value = g.nextInt(8) == 0 ? deposit / 2 : deposit + DEPOSIT_HEADROOM[g.nextInt(DEPOSIT_HEADROOM.length)];
                } else {
                    value = g.nextInt(25) == 0 ? 0 : Math.max(stakes, 20) * LIMIT_QUARTERS[g.nextInt(LIMIT_QUARTERS.length)] / 4;
                }
                out.add(new LimitChange(kind, period, value));
            }
        }
        return out;
    }

    private static int indexOfDeposit(List<Op> setup, String player) {
        for (int i = 0; i < setup.size(); i++) {
            if (setup.get(i) instanceof Deposit d && d.player().equals(player)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Each make names the session its player last opened before it in {@code calls} (the setup's at
     * first), or, now and then, another player's, one never opened, or the player's older one; after
     * such a make, the same make naming the right session sometimes follows (1007 wrote nothing: a new
     * request). A twin make names what its make names.
     */
    private static void nameSessions(SplittableRandom g, List<String> players, List<Call> calls, Map<Op, Call> twins) {
        Map<String, String> current = new HashMap<>();
        Map<String, String> older = new HashMap<>();
        for (String p : players) {
            current.put(p, firstSession(p));
        }
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            if (c.op() instanceof OpenSession o && current.containsKey(o.player())) {
                older.put(o.player(), current.get(o.player()));
                current.put(o.player(), o.session());
                continue;
            }
            if (!(c.op() instanceof Make m) || !current.containsKey(m.player()) || !c.note().isEmpty()) {
                continue;
            }
            String right = current.get(m.player());
            String named = right;
            int pick = g.nextInt(40);
            if (pick == 0 && players.size() > 1) {
                named = current.get(otherThan(g, players, m.player()));
            } else if (pick == 1) {
                named = m.player() + "-never-opened";
            } else if (pick < 5 && older.containsKey(m.player())) {
                named = older.get(m.player());
            }
            Make renamed = m.withSession(named);
            calls.set(i, new Call(renamed, c.reorderKeys(), c.decimalNumbers(), c.note()));
            Call twin = twins.remove(m);
            if (twin != null) {
                twins.put(renamed, twin.op() instanceof Make t ? Call.of(t.withSession(named)) : twin);
            }
            if (!named.equals(right) && g.nextBoolean()) {
                calls.add(i + 1 + g.nextInt(Math.min(4, calls.size() - i)), new Call(m.withSession(right), false, false, "its session now"));
            }
        }
    }

    /**
     * Makes {@code racer} the twin (fired at the same moment) of the next make of its player, when
     * there is one free; a limit change or an exclusion races the next deposit instead when that comes first.
     */
    private static void raceNextMake(List<Call> calls, Map<Op, Call> twins, Call racer) {
        int at = -1;
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i) == racer) {
                at = i;
            }
        }
        String player = racer.op() instanceof SetLimits l ? l.player()
                : racer.op() instanceof EndSession e ? e.player() : ((SetExclusion) racer.op()).player();
        for (int j = at + 1; at >= 0 && j < calls.size(); j++) {
            Op next = calls.get(j).op();
            boolean target = next instanceof Make m && m.player().equals(player)
                    || !(racer.op() instanceof EndSession) && next instanceof Deposit d && d.player().equals(player);
            if (target && calls.get(j).note().isEmpty() && !twins.containsKey(next)) {
                calls.remove(at);
                twins.put(next, racer);
                return;
            }
        }
    }

    /** The settlement, rollback-parent and credit keys an op names. */
    private static void collectKeys(Op op, Set<Key> keys) {
        if (op instanceof Settle s) {
            keys.add(s.key());
        } else if (op instanceof Rollback rb) {
            keys.add(rb.parent());
        } else if (op instanceof Discard d) {
            keys.add(new Key(Key.DISCARD, d.makeTx()));
        } else if (op instanceof ApplyCredit a) {
            keys.add(a.credit());
        }
    }

    /**
     * The make with a bonus: mostly one of the player's own, with its type (sometimes another) and a
     * stake within a freebet's amount (sometimes above it); sometimes another player's, one never
     * granted, or a global_comboboost (no bonus id). The plain make when the player holds none.
     */
    private static Make bonusMake(SplittableRandom r, Make plain, List<GrantBonus> granted, String prefix) {
        List<GrantBonus> own = new ArrayList<>();
        List<GrantBonus> others = new ArrayList<>();
        for (GrantBonus g : granted) {
            (g.player().equals(plain.player()) ? own : others).add(g);
        }
        int pick = r.nextInt(20);
        if (pick == 0 || (own.isEmpty() && pick < 6)) {
            return new Make(plain.player(), plain.tx(), plain.stake(), plain.currency(), WalletModel.GLOBAL_COMBOBOOST, null, plain.session());
        }
        if (pick == 1) {
            return new Make(plain.player(), plain.tx(), plain.stake(), plain.currency(), WalletModel.FREEBET_FREEMONEY, prefix + "never-granted",
                    plain.session());
        }
        if (pick == 2 && !others.isEmpty()) {
            GrantBonus g = others.get(r.nextInt(others.size()));
            return new Make(plain.player(), plain.tx(), Math.min(plain.stake(), g.amount()), plain.currency(), g.bonusType(), g.bonusId(),
                    plain.session());
        }
        if (own.isEmpty()) {
            return plain;
        }
        GrantBonus g = own.get(r.nextInt(own.size()));
        String type = r.nextInt(8) == 0 ? BONUS_TYPES[r.nextInt(BONUS_TYPES.length)] : g.bonusType();
        long stake = plain.stake();
        if (WalletModel.isFreebet(type)) {
            stake = switch (r.nextInt(6)) {
                case 0 -> g.amount() + 1;
                case 1, 2 -> g.amount();
                default -> Math.min(plain.stake(), g.amount());
            };
        }
        return new Make(plain.player(), plain.tx(), stake, plain.currency(), type, g.bonusId(), plain.session());
    }

    private static Kind pickKind(SplittableRandom r) {
        int p = r.nextInt(20);
        return p < 8 ? Kind.WIN : p < 10 ? Kind.CASHOUT : p < 15 ? Kind.LOST : Kind.REFUND;
    }

    private static String otherThan(SplittableRandom r, List<String> players, String player) {
        List<String> others = new ArrayList<>(players);
        others.remove(player);
        return others.get(r.nextInt(others.size()));
    }

    private static void insertAnywhere(SplittableRandom r, List<Call> calls, Call call) {
        calls.add(r.nextInt(calls.size() + 1), call);
    }

    /** Inserts {@code call} after position {@code i}: mostly at most six calls later, sometimes anywhere later. */
    private static void insertWithin(SplittableRandom r, List<Call> calls, int i, Call call) {
        int within = r.nextInt(4) == 0 ? calls.size() - i : Math.min(6, calls.size() - i);
        calls.add(i + 1 + r.nextInt(within), call);
    }

    private Call retry(SplittableRandom r, Op op) {
        return new Call(op, r.nextBoolean(), options.decimalNumbers() && r.nextBoolean(), "retry");
    }

    /** The same idempotency key with another payload. */
    private static Op otherPayload(Op op) {
        if (op instanceof Make m) {
            return new Make(m.player(), m.tx(), m.stake() + 1, m.currency(), m.bonusType(), m.bonusId(), m.session());
        }
        if (op instanceof Settle s) {
            return s.kind() == Kind.LOST ? new Settle(s.kind(), s.betTx(), s.tx(), 0, "USD")
                    : new Settle(s.kind(), s.betTx(), s.tx(), s.amount() + 1, s.currency());
        }
        if (op instanceof Rollback rb) {
            return new Rollback(rb.betTx(), rb.tx(), new Key(Key.WIN, rb.tx() + "other"));
        }
        if (op instanceof Discard d) {
            return new Discard(d.extPlayer(), d.makeTx(), "timeout");
        }
        throw new IllegalArgumentException("no idempotency key: " + op);
    }

    /** Calls that may race another: callbacks, the worker's apply, operator money (not creates or status changes). */
    private static boolean pairable(Op op) {
        return Op.isCallback(op) || op instanceof ApplyCredit || op instanceof Withdraw || op instanceof Deposit || op instanceof RevokeBonus
                || op instanceof SetLimits || op instanceof SetExclusion || op instanceof OpenSession || op instanceof EndSession
                || op instanceof ExtendSession || op instanceof ReadLimits;
    }
}
