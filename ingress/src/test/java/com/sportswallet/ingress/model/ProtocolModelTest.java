package com.sportswallet.ingress.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.model.RealWallet.Observed;
import com.sportswallet.ingress.model.RealWallet.Snapshot;
import com.sportswallet.ingress.model.SequenceGenerator.Call;
import com.sportswallet.ingress.model.SequenceGenerator.Sequence;
import com.sportswallet.ingress.model.SequenceGenerator.Step;
import com.sportswallet.ingress.model.WalletModel.Outcome;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The model test (issue 12, finding 11), in the spirit of Jepsen's bank test and TigerBeetle's
 * simulator: seeded callback sequences over a few players and bets, with duplicates, re-signed
 * retries, reorders and concurrent pairs, run against the real ingress over HTTP, the real
 * PostgreSQL and the worker's own credit code ({@code CreditApplier}); every answer and every
 * balance must be the one {@link WalletModel}, a plain-Java reading of PROTOCOL.md, gives.
 * <ul>
 * <li>A call alone: its answer must be the model's (the whole body: ids, amounts, the available
 * balance), and a replay the first answer byte for byte.</li>
 * <li>Two calls at once: some serial order of the pair, applied to the model, must give both
 * observed answers AND the state the database holds afterwards (a linearizability check; a make,
 * withdrawal or rollback may also have moved pending credits to settled otherwise than the serial
 * order would, which changes nothing available: {@link WalletModel.Choice}).</li>
 * <li>After each sequence: the database's wallets (settled, pending), bets (a bonus bet's type,
 * cash stake and bonus stake too), credits, settlements and bonuses (status and bound bet) are the
 * model's; the balance callback shows the model's available balance; after
 * the worker applies every pending credit, the settled balance (= available) and the rest are
 * still the model's, and each wallet's ledger sums to its balance. The operator API's answers to
 * deposits and withdrawals (balance, settled_balance) are checked on the way.</li>
 * </ul>
 * Issue 15 (sessions, self-exclusion, limits): the sessions (open or ended, by the model's labels),
 * the exclusions in force, the limits (value in force and pending change) and the limit usage of
 * each period (the limit_usage rows) are part of that state, after each pair and each sequence;
 * the operator's answers to sessions, exclusions and limit changes are checked on the way (a limit
 * change's and a read's view: every limit and the usage of the day, week and month), and after each
 * sequence the limits' GET of every player with limits. The test holds the wallet clock in one day
 * ({@link #CLOCK_DAY_HOURS}), so no usage rolls over and no pending increase takes effect within a run
 * (LimitsTest covers both with its clock).
 * Reproducible: {@code -Dmodel.seed=S} (default {@link #DEFAULT_SEED}) seeds the sequences,
 * {@code -Dmodel.sequences=N} (default {@link #DEFAULT_SEQUENCES}) says how many. A failure prints
 * the seed of the failing sequence (re-run it alone with {@code -Dmodel.seed=<that> -Dmodel.sequences=1}),
 * the sequence, what happened up to the failure and the model's state.
 * {@code -Dmodel.maxFailures=F} (default 1) goes on after a failing sequence until F have failed,
 * each printed in full, then fails with a one-line summary of each.
 * {@code -Dmodel.repeat=R} runs each sequence R times (to chase a race a concurrent pair lost once).
 * {@code -Dmodel.lanes=L} (default {@link #DEFAULT_LANES}) runs L sequences side by side (they share
 * no player or bet; each is still decided and checked on its own).
 * Bonuses (issue 14) are granted and revoked by direct statements (the rows the granting consumer
 * and the revoke write), and used by makes: see {@link SequenceGenerator}.
 * {@code -Dwallet.money.rollback-shortfall=absorb} runs the ingress, and the model, under
 * ROLLBACK_SHORTFALL=absorb (negative by default).
 * {@code -Dmodel.decimalNumbers=true} lets retries write integers as decimals (off by default;
 * issue 12 finding 6). {@code -Dmodel.knownDeviations=check} also sends the calls that hit a
 * known deviation of the ingress from PROTOCOL.md ({@link #KNOWN_DEVIATIONS}; skipped by default).
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class ProtocolModelTest {
    static final long DEFAULT_SEED = 0x12_11_5EEDL;
    static final int DEFAULT_SEQUENCES = 150;
    static final int STEPS_MAX = 40;
    static final int DEFAULT_LANES = 4;

    /**
     * Model rows where the ingress is known to answer otherwise than PROTOCOL.md (found by this
     * test), each key a part of the row (a row containing it is meant); their calls are skipped,
     * and counted, unless {@code -Dmodel.knownDeviations=check}. Remove an entry when the ingress
     * (or PROTOCOL.md) is fixed: the model already says what PROTOCOL.md says.
     */
    static final Map<String, String> KNOWN_DEVIATIONS = Map.of();

    /**
     * Pairs the ingress is known not to decide as any serial order would (found by this test); they
     * are sent one after the other instead, and counted, unless {@code -Dmodel.knownDeviations=check}.
     * Remove a case when the ingress is fixed.
     */
    static String knownRace(Op a, Op b) {
        // None known. (Issue 15: a deposit racing a limit change, found here with seed -5364020496103731380 of
        // -Dmodel.seed=4242, step 3, was decided on the limits before the change while the change's answer showed the usage
        // without the deposit; fixed by the change locking the player's wallet too: limit-lock-wallet.sql.)
        return null;
    }

    /**
     * The wallet clock is held within one day for the run (issue 15: every limit usage of a run books to
     * that day, so its day, week and month usage are one number): set back to the latest noon (UTC, the
     * default LIMITS_TIME_ZONE) at or before now, it stays in that day for {@value #CLOCK_DAY_HOURS} hours;
     * set back, never forward, so a bonus granted for an hour of the database's time is not expired at it.
     */
    static final int CLOCK_DAY_HOURS = 12;

    @Inject
    BonusClock clock;

    /** How often each model row was exercised, what happened how often, and time per kind of work (printed, never asserted). */
    private final Map<String, Integer> coverage = new TreeMap<>();
    private WalletModel.Shortfall shortfall;
    private final Map<String, Integer> counts = new TreeMap<>();
    private final Map<String, long[]> timings = new TreeMap<>();

    private <T> T timed(String what, Supplier<T> work) {
        long t = System.nanoTime();
        try {
            return work.get();
        } finally {
            long ns = System.nanoTime() - t;
            synchronized (timings) {
                long[] v = timings.computeIfAbsent(what, k -> new long[2]);
                v[0] += ns;
                v[1]++;
            }
        }
    }

    private void cover(String row) {
        synchronized (coverage) {
            coverage.merge(row, 1, Integer::sum);
        }
    }

    @Test
    void everyAnswerAndEveryBalanceIsExplainedByTheModel() throws Exception {
        long seed = Long.getLong("model.seed", DEFAULT_SEED);
        int sequences = Integer.getInteger("model.sequences", DEFAULT_SEQUENCES);
        boolean checkKnown = "check".equals(System.getProperty("model.knownDeviations"));
        // The ingress's own ROLLBACK_SHORTFALL: negative by default; -Dwallet.money.rollback-shortfall=absorb runs the model under absorb.
        shortfall = WalletModel.Shortfall.valueOf(
                ConfigProvider.getConfig().getValue("wallet.money.rollback-shortfall", String.class).toUpperCase(Locale.ROOT));
        boolean decimalNumbers = Boolean.getBoolean("model.decimalNumbers");
        SequenceGenerator generator = new SequenceGenerator(new SequenceGenerator.Options(decimalNumbers, STEPS_MAX));
        int lanes = Math.max(1, Integer.getInteger("model.lanes", DEFAULT_LANES));
        String run = "m" + Long.toString(System.nanoTime(), 36) + "-";
        // -Dmodel.repeat=R runs each sequence R times (fresh ids each time): a race a pair lost once can be chased.
        int repeat = Math.max(1, Integer.getInteger("model.repeat", 1));
        SplittableRandom seeds = new SplittableRandom(seed);
        long[] sequenceSeeds = new long[sequences * repeat];
        for (int i = 0; i < sequences; i++) {
            long sequenceSeed = i == 0 ? seed : seeds.nextLong();
            for (int k = 0; k < repeat; k++) {
                sequenceSeeds[i * repeat + k] = sequenceSeed;
            }
        }
        // Sequences touch disjoint players and bets, so independent lanes run them side by side; each
        // sequence is decided and checked on its own. A failure ends its sequence; after maxFailures
        // failures every lane stops.
        int maxFailures = Math.max(1, Integer.getInteger("model.maxFailures", 1));
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        Instant now = Instant.now();
        Instant noon = now.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(CLOCK_DAY_HOURS));
        if (noon.isAfter(now)) {
            noon = noon.minus(Duration.ofDays(1));
        }
        clock.shift(Duration.between(now, noon));
        RealWallet.exclusionBase = noon.truncatedTo(ChronoUnit.DAYS);
        ExecutorService pool = Executors.newFixedThreadPool(lanes);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int lane = 0; lane < lanes; lane++) {
                running.add(pool.submit(() -> {
                    try (RealWallet wallet = new RealWallet()) {
                        for (int i = next.getAndIncrement(); i < sequenceSeeds.length && failures.size() < maxFailures;
                                i = next.getAndIncrement()) {
                            Sequence s = generator.generate(sequenceSeeds[i], run + i + "-");
                            try {
                                new Run(s, wallet, checkKnown ? Set.of() : KNOWN_DEVIATIONS.keySet(), checkKnown).run();
                            } catch (AssertionError e) {
                                failures.add(e);
                                if (maxFailures > 1) {
                                    System.out.println(e.getMessage());
                                }
                            }
                            done.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failures.add(new AssertionError("the model test broke (seed " + seed + "): " + t, t));
                        t.printStackTrace(System.out);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            clock.shift(Duration.ZERO);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("[model] %d sequences of seed %d (ROLLBACK_SHORTFALL=%s) in %d ms on %d lanes (%d ms each), %d failed;"
                + " counts %s%n", done.get(), seed, shortfall, millis, lanes, millis / Math.max(1, done.get()), failures.size(), counts);
        coverage.forEach((row, n) -> System.out.printf("[model] %6d  %s%n", n, row));
        timings.forEach((what, v) -> System.out.printf("[model] time %-14s %6d x %6.1f ms%n", what, v[1], v[0] / 1e6 / v[1]));
        if (failures.size() == 1) {
            throw (AssertionError) failures.get(0);
        } else if (!failures.isEmpty()) {
            StringBuilder sb = new StringBuilder(failures.size() + " sequences failed (each printed above in full):");
            failures.forEach(f -> sb.append("\n  ").append(f.getMessage().lines().filter(l -> !l.isBlank()).findFirst().orElse("")));
            throw new AssertionError(sb.toString());
        }
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    private void count(String what) {
        synchronized (counts) {
            counts.merge(what, 1, Integer::sum);
        }
    }

    /** One sequence against the real wallet and the model. */
    private final class Run {
        final Sequence seq;
        final RealWallet real;
        final Set<String> skipRows;
        final boolean raceKnown;
        WalletModel model = new WalletModel(shortfall);
        final List<String> trace = new ArrayList<>();
        /** The first stored answer of each idempotency key, as the ingress sent it: replays must be these bytes. */
        final Map<Key, String> firstBodies = new HashMap<>();
        int stepIndex = -1;

        Run(Sequence seq, RealWallet real, Set<String> skipRows, boolean checkKnown) {
            this.seq = seq;
            this.real = real;
            this.skipRows = skipRows;
            this.raceKnown = checkKnown;
        }

        void run() throws Exception {
            for (Op op : seq.setup()) {
                single(Call.of(op));
            }
            for (stepIndex = 0; stepIndex < seq.steps().size(); stepIndex++) {
                Step step = seq.steps().get(stepIndex);
                if (step instanceof Step.Pair p) {
                    pair(p.first(), p.second());
                } else {
                    single(((Step.Single) step).call());
                }
            }
            stepIndex = seq.steps().size();
            finalChecks();
            count("sequences");
        }

        /** Whether a model row is a known deviation to skip (its row contains a key of KNOWN_DEVIATIONS). */
        boolean known(String row) {
            for (String k : skipRows) {
                if (row.contains(k)) {
                    return true;
                }
            }
            return false;
        }

        /** A call alone: its answer is the model's. */
        void single(Call call) {
            Outcome probe = model.copy().apply(call.op());
            if (known(probe.row())) {
                trace.add(label() + "skipped (known deviation: " + probe.row() + ")");
                count("calls skipped (known deviation: " + probe.row() + ")");
                return;
            }
            Observed o = timed(call.op().getClass().getSimpleName(), () -> real.send(call));
            Outcome expected = model.apply(call.op());
            trace.add(label() + describe(call) + " -> " + o);
            String why = RealWallet.mismatch(expected.answer(), o);
            if (why != null) {
                fail("the answer to " + describe(call) + " is not the model's: " + why + " [model row: " + expected.row() + "]"
                        + "\n  it answered " + o);
            }
            afterAnswer(call, expected, o);
            cover(expected.row());
            count(call.note().isEmpty() ? "calls" : "calls: " + call.note());
        }

        /** Two calls at once: some serial order of the pair explains both answers and the state after them. */
        void pair(Call a, Call b) throws Exception {
            String race = knownRace(a.op(), b.op());
            if (race != null && !raceKnown) {
                trace.add(label() + "pair run one by one (known race: " + race + ")");
                count("pairs run one by one (known race: " + race.substring(0, race.indexOf(':')) + ")");
                single(a);
                single(b);
                return;
            }
            for (boolean aFirst : new boolean[] { true, false }) {
                WalletModel m = model.copy();
                Call first = aFirst ? a : b;
                Call second = aFirst ? b : a;
                if (known(m.apply(first.op()).row()) || known(m.apply(second.op()).row())) {
                    trace.add(label() + "pair run one by one (an order hits a known deviation)");
                    single(a);
                    single(b);
                    return;
                }
            }
            List<Callable<Observed>> calls = List.of(() -> real.send(a), () -> real.send(b));
            List<Observed> observed = OperatorApiTest.concurrently(calls);
            Snapshot after = timed("snapshot", () -> real.snapshot(seq));
            trace.add(label() + "AT ONCE " + describe(a) + " -> " + observed.get(0) + " || " + describe(b) + " -> " + observed.get(1));
            List<String> tried = new ArrayList<>();
            for (boolean aFirst : new boolean[] { true, false }) {
                Call first = aFirst ? a : b;
                Call second = aFirst ? b : a;
                Observed seenFirst = observed.get(aFirst ? 0 : 1);
                Observed seenSecond = observed.get(aFirst ? 1 : 0);
                String order = aFirst ? "in the order sent" : "in the other order";
                for (WalletModel.Choice c1 : choices(first.op(), Set.of())) {
                    WalletModel m1 = model.copy();
                    Outcome o1;
                    try {
                        o1 = m1.apply(first.op(), c1);
                    } catch (WalletModel.Impossible e) {
                        continue;
                    }
                    for (WalletModel.Choice c2 : choices(second.op(), newCredits(model, m1))) {
                        WalletModel m = m1.copy();
                        Outcome o2;
                        try {
                            o2 = m.apply(second.op(), c2);
                        } catch (WalletModel.Impossible e) {
                            continue;
                        }
                        String why1 = RealWallet.mismatch(o1.answer(), seenFirst);
                        String why2 = RealWallet.mismatch(o2.answer(), seenSecond);
                        String state = Snapshot.of(m, seq).difference(after, seq.prefix());
                        if (why1 == null && why2 == null && state.isEmpty()) {
                            model = m;
                            afterAnswer(first, o1, seenFirst);
                            afterAnswer(second, o2, seenSecond);
                            cover(o1.row());
                            cover(o2.row());
                            cover("pair: " + o1.row() + " || " + o2.row());
                            count("pairs: explained " + order);
                            if (!c1.equals(WalletModel.Choice.SERIAL) || !c2.equals(WalletModel.Choice.SERIAL)) {
                                count("pairs: explained with pending credits moved otherwise than serially");
                            }
                            return;
                        }
                        tried.add("  " + order + " " + describe(c1) + "/" + describe(c2) + ": " + describe(first) + " "
                                + (why1 == null ? "ok" : why1) + " [" + o1.row() + "]; then " + describe(second) + " "
                                + (why2 == null ? "ok" : why2) + " [" + o2.row() + "]"
                                + (state.isEmpty() ? "" : "; state differs:\n" + state));
                    }
                }
            }
            fail("no serial order explains AT ONCE { " + describe(a) + " || " + describe(b) + " }:\n" + String.join("\n", tried));
        }

        /**
         * The ways a request may have met the one racing it (WalletModel.Choice): a make or withdrawal
         * may have taken the slow path; a request that applies pending credits first may not have seen
         * the credits {@code racing} the other request decided.
         */
        private List<WalletModel.Choice> choices(Op op, Set<Key> racing) {
            List<WalletModel.Choice> out = new ArrayList<>();
            boolean spends = op instanceof Op.Make || op instanceof Op.Withdraw;
            boolean appliesFirst = spends || op instanceof Op.Rollback;
            for (boolean early : spends ? new boolean[] { false, true } : new boolean[] { false }) {
                out.add(new WalletModel.Choice(early, Set.of()));
                if (appliesFirst && !racing.isEmpty()) {
                    out.add(new WalletModel.Choice(early, racing));
                }
            }
            return out;
        }

        /** The credits {@code after} holds pending that {@code before} did not have. */
        private Set<Key> newCredits(WalletModel before, WalletModel after) {
            Set<Key> out = new HashSet<>(after.pendingCredits());
            out.removeAll(before.credits().keySet());
            return out;
        }

        private String describe(WalletModel.Choice c) {
            return c.equals(WalletModel.Choice.SERIAL) ? "serial"
                    : (c.spendPendingFirst() ? "slow path" : "") + (c.invisible().isEmpty() ? "" : " not seeing " + c.invisible());
        }

        /** A replay is the first answer byte for byte; a stored first answer is remembered. */
        void afterAnswer(Call call, Outcome outcome, Observed o) {
            Key key = Op.idempotencyKey(call.op());
            if (key == null || o.status() != 200) {
                return;
            }
            if (outcome.replay()) {
                String first = firstBodies.get(key);
                if (first != null && !first.equals(o.body())) {
                    fail("a replay is not the first answer byte for byte:\n  first  " + first + "\n  replay " + o.body());
                }
                count("replays");
            } else if (model.isStored(key)) {
                firstBodies.putIfAbsent(key, o.body());
            }
        }

        void finalChecks() {
            String state = Snapshot.of(model, seq).difference(timed("snapshot", () -> real.snapshot(seq)), seq.prefix());
            if (!state.isEmpty()) {
                fail("the database does not hold the model's state:\n" + state);
            }
            for (String player : seq.players()) {
                single(new Call(new Op.Balance(player, null), false, false, "final balance"));
            }
            for (String player : seq.players()) {
                if (model.limitsTouched(player)) {
                    // The operator's view of the limits and the usage of each period (issue 15) is the model's too.
                    single(new Call(new Op.ReadLimits(player), false, false, "final limits"));
                }
            }
            for (Key credit : model.pendingCredits()) {
                single(new Call(new Op.ApplyCredit(credit), false, false, "final apply"));
            }
            List<String> books = real.ledgerDiscrepancies(seq);
            if (!books.isEmpty()) {
                fail("the ledger does not add up: " + books);
            }
            // Every credit applied: settled = available, nothing pending, and the rest as the model says.
            String after = Snapshot.of(model, seq).difference(timed("snapshot", () -> real.snapshot(seq)), seq.prefix());
            if (!after.isEmpty()) {
                fail("after every credit applied the database does not hold the model's state:\n" + after);
            }
            for (String player : seq.players()) {
                if (model.wallet(player).pending() != 0) {
                    fail("the model still has pending credits of " + player + " after applying them all");
                }
            }
        }

        private String label() {
            return stepIndex < 0 ? "  setup " : String.format("  %3d ", stepIndex);
        }

        private String describe(Call call) {
            return call.describe(seq.prefix());
        }

        private void fail(String what) {
            String where = stepIndex < 0 ? "in the setup"
                    : stepIndex >= seq.steps().size() ? "in the final checks" : "at step " + stepIndex;
            String prefix = seq.prefix();
            throw new AssertionError("MODEL TEST FAILED " + where + " of the sequence of seed " + seq.seed() + ": "
                    + what.replace(prefix, "")
                    + "\n\nRe-run this sequence alone: mvn -B -o -pl ingress -am verify -Dtest=ProtocolModelTest"
                    + " -Dsurefire.failIfNoSpecifiedTests=false -Dmodel.seed=" + seq.seed() + " -Dmodel.sequences=1\n\n"
                    + seq.describe() + "\nwhat happened (bodies abridged to the prefix-free ids):\n"
                    + String.join("\n", trace).replace(prefix, "") + "\n\nthe model's state now:\n" + model.toString().replace(prefix, ""));
        }
    }
}
