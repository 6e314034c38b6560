package com.sportswallet.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.money.Bonuses;
import com.sportswallet.reconcile.LoadgenLog.Callback;

/**
 * log-effects: every callback of a loadgen log had exactly its effect, or the refusal the protocol
 * gives it (docs/PROTOCOL.md), judged per idempotency key (endpoint, transaction id), since every
 * copy of one key is one request (a duplicate, a retry, a re-signed copy; a discard that changed
 * nothing is not stored, so a later discard of the same make is the same key too):
 * <ul>
 * <li>accepted (some line answered 200): the effect is there, once, with the logged amounts:
 * make = its bet and one debit of the stake; win/refund = the settlement and its credit, APPLIED
 * with one ledger entry, or CANCELLED because a rollback reversed the settlement (a credit still
 * PENDING is reported by credits-pending, not here); discard = the stake credited back when the
 * bet was still OPEN, else nothing; lost = the settlement, no money; rollback = the named
 * settlement reversed (its credit cancelled, or one debit of its amount when the credit was
 * already applied), nothing when it answered amount 0;</li>
 * <li>unknown (status 0 only): the effect is there once or not at all (a half effect is not);</li>
 * <li>refused (4xx only): no effect at all.</li>
 * </ul>
 * The protocol's expected effect, beyond the answers given: an accepted rollback leaves the
 * settlement it names reversed or tombstoned, never ACTIVE (an ACTIVE settlement is always its
 * bet's latest, which a rollback reverses); an accepted discard of a bet that was never settled
 * discarded it; a discard answered {@code {}} (no player known: a tombstone) left no bet behind.
 * And every refusal is one the protocol gives there, judged on the final state: a make 2004 only
 * for a make its discard tombstoned, 2001 for want of money, 4001 only for a player with a wager or
 * loss limit (issue 15), 1006 / 1005 / 2002 only for a player
 * without a wallet / ever blocked / of another currency; a win, lost or refund 2003 only for an
 * unknown bet (or a tombstone), 2004 only when the bet was DISCARDED, had another settlement, the
 * settlement id was tombstoned, or a refund exceeded the stake; a rollback 2003 only for an unknown
 * bet; a discard only 2004 for another player's bet. A key that was accepted is never refused on
 * another line (a retry, re-signed or not, replays the first answer), except a make's 2001 or 4001 before
 * the accepted attempt; and no answer is an HTTP status other than 200 or 400 (a 5xx is retried
 * until it is one of them, or unknown).
 * A replayed duplicate can add nothing: each effect is keyed by the callback's own ids (unique
 * bet, settlement, credit ids and ledger keys), which the counts below rely on. The log's ids
 * are recomputed here (operator id = stableId(endpoint, provider transaction id)), not trusted.
 * Memory: the log's lines (about 300 bytes each) and the rows they name.
 */
final class LogChecks {
    static final String LOG_EFFECTS = "log-effects";
    private static final int CHUNK = 10_000;

    record Bet(String providerTxId, String playerId, long walletId, long stake, String state, String bonusType, long bonusStake) {
        boolean real() {
            return playerId != null; // a discard's tombstone has no player
        }

        /** A freebet's stake is its bonus_stake: no cash debited, none returned (issue 14). */
        boolean freebet() {
            return Bonuses.isFreebet(bonusType);
        }
    }

    record Settlement(String betId, String kind, long amount, String state) {
        boolean real() {
            return !"TOMBSTONE".equals(kind);
        }
    }

    record Credit(long walletId, String betId, String kind, long amount, String status) {
    }

    record Entry(long walletId, long amount) {
    }

    private enum Outcome { ACCEPTED, UNKNOWN, REFUSED }

    private final Map<String, Bet> bets = new HashMap<>();
    private final Map<String, Settlement> settlements = new HashMap<>();
    private final Map<String, Credit> credits = new HashMap<>();
    private final Map<String, Entry> ledger = new HashMap<>();
    private final Map<String, Integer> debitsPerSettlement = new HashMap<>();
    /** Real settlements per bet. */
    private final Map<String, Integer> settlementsPerBet = new HashMap<>();
    private final Map<String, Player> players = new HashMap<>();

    /** A player: its status, whether it ever changed, its CASH wallet's currency (null: no wallet). */
    record Player(String status, long statusVersion, String currency, boolean limited) {
    }

    private LogChecks() {
    }

    static CheckResult run(Connection c, LoadgenLog log, int examples) throws SQLException {
        return new LogChecks().check(c, log, examples);
    }

    private CheckResult check(Connection c, LoadgenLog log, int examples) throws SQLException {
        Map<String, List<Callback>> byKey = new LinkedHashMap<>();
        log.callbacks().forEach(cb -> byKey.computeIfAbsent(cb.key(), k -> new ArrayList<>()).add(cb));
        load(c, byKey.values());

        CheckResult.Builder check = CheckResult.builder(LOG_EFFECTS, examples);
        for (List<Callback> lines : byKey.values()) {
            Outcome outcome = lines.stream().anyMatch(l -> l.status() == 200) ? Outcome.ACCEPTED
                    : lines.stream().anyMatch(l -> l.status() == 0) ? Outcome.UNKNOWN : Outcome.REFUSED;
            Callback rep = lines.stream().filter(l -> l.status() == 200).findFirst().orElse(lines.get(0));
            List<String> problems = new ArrayList<>();
            switch (rep.endpoint()) {
                case "bet/make" -> make(rep, outcome, problems);
                case "bet/win", "bet/refund" -> credited(rep, outcome, problems);
                case "bet/lost" -> lost(rep, outcome, problems);
                case "bet/discard" -> discard(rep, outcome, problems);
                case "bet/rollback" -> rollback(rep, outcome, problems);
                default -> throw new IllegalStateException(rep.endpoint());
            }
            refusals(lines, outcome, problems);
            if (!problems.isEmpty()) {
                check.add(rep.describe() + " [" + outcome.name().toLowerCase() + (lines.size() > 1 ? ", " + lines.size() + " lines" : "")
                        + "]: " + String.join("; ", problems));
            }
        }
        debitsPerSettlement.forEach((settlement, n) -> {
            if (n > 1) {
                check.add("settlement " + settlement + " was reversed with a debit by " + n + " logged rollbacks");
            }
        });
        return check.build();
    }

    // ------------------------------------------------------------------ per endpoint

    /** make: its bet, and one debit of the stake on the bet's wallet under 'bet/make:<tx>'. */
    private void make(Callback cb, Outcome outcome, List<String> problems) {
        Bet bet = bets.get(cb.betId());
        Entry debit = ledger.get("bet/make:" + cb.txId());
        boolean happened = (bet != null && bet.real()) || debit != null;
        if (outcome == Outcome.REFUSED) {
            if (happened) {
                problems.add("refused, yet " + (debit != null ? "debited " + -debit.amount() : "its bet exists"));
            }
            return;
        }
        if (outcome == Outcome.UNKNOWN && !happened) {
            return;
        }
        if (bet == null || !bet.real()) {
            problems.add(bet == null ? "no bet " + cb.betId() : "the bet " + cb.betId() + " is a discard tombstone");
        } else {
            if (!bet.providerTxId().equals(cb.txId())) {
                problems.add("the bet's provider transaction is " + bet.providerTxId());
            }
            if (cb.playerId() != null && !cb.playerId().equals(bet.playerId())) {
                problems.add("the bet is player " + bet.playerId() + "'s");
            }
            if ((bet.freebet() ? bet.bonusStake() : bet.stake()) != cb.amount()) {
                problems.add("the bet's stake is " + bet.stake() + (bet.freebet() ? ", its bonus stake " + bet.bonusStake() : ""));
            }
            if (bet.freebet()) {
                if (debit != null) {
                    problems.add("a freebet debited " + -debit.amount() + " of cash");
                }
                return;
            }
        }
        if (debit == null) {
            problems.add("no debit (ledger bet/make:" + cb.txId() + ")");
        } else {
            if (debit.amount() != -cb.amount()) {
                problems.add("debited " + -debit.amount() + " instead of " + cb.amount());
            }
            if (bet != null && bet.real() && debit.walletId() != bet.walletId()) {
                problems.add("debited on wallet " + debit.walletId() + ", the bet's is " + bet.walletId());
            }
        }
    }

    /** win / refund: the settlement and its credit; the credit applied once, or cancelled by a rollback. */
    private void credited(Callback cb, Outcome outcome, List<String> problems) {
        String id = cb.operatorId();
        Settlement s = settlements.get(id);
        Credit credit = credits.get(id);
        Entry entry = ledger.get("credit:" + id);
        boolean happened = (s != null && s.real()) || credit != null || entry != null;
        if (outcome == Outcome.REFUSED) {
            if (happened) {
                problems.add("refused, yet " + (entry != null ? "credited " + entry.amount() : credit != null ? "credit " + id + " exists"
                        : "settlement " + id + " exists"));
            }
            return;
        }
        if (outcome == Outcome.UNKNOWN && !happened) {
            return;
        }
        boolean win = cb.endpoint().equals("bet/win");
        // The cash the callback credits: a bonus bet's by the money module's one rule, else the amount sent.
        Bet bet = cb.betId() == null ? null : bets.get(cb.betId());
        long cash = bet == null || bet.bonusType() == null ? cb.amount()
                : win ? Bonuses.cashWin(bet.bonusType(), cb.amount(), bet.bonusStake()) : Bonuses.cashRefund(bet.bonusType(), cb.amount());
        if (s == null || !s.real()) {
            problems.add(s == null ? "no settlement " + id : "settlement " + id + " is a tombstone");
        } else {
            if (win ? !(s.kind().equals("WON") || s.kind().equals("CASHED_OUT")) : !s.kind().equals("REFUNDED")) {
                problems.add("settlement " + id + " is " + s.kind());
            }
            if (s.amount() != cash) {
                problems.add("settlement amount " + s.amount() + (cash == cb.amount() ? "" : ", its cash is " + cash));
            }
            if (cb.betId() != null && !s.betId().equals(cb.betId())) {
                problems.add("settlement of bet " + s.betId());
            }
        }
        if (credit == null) {
            if (cash > 0) {
                problems.add("no credit " + id);
            }
            if (entry != null) {
                problems.add("yet credited " + entry.amount());
            }
            return;
        }
        if (!credit.kind().equals(win ? "WIN" : "REFUND") || credit.amount() != cash) {
            problems.add("credit " + id + " is " + credit.kind() + " " + credit.amount());
        }
        creditApplication(id, credit, entry, s, problems);
    }

    /** What a credit's status requires of its ledger entry (and of its settlement, when cancelled). */
    private static void creditApplication(String id, Credit credit, Entry entry, Settlement s, List<String> problems) {
        switch (credit.status()) {
            case "APPLIED" -> {
                if (entry == null) {
                    problems.add("credit " + id + " is APPLIED without its ledger entry");
                } else if (entry.amount() != credit.amount() || entry.walletId() != credit.walletId()) {
                    problems.add("credit " + id + " applied " + entry.amount() + " to wallet " + entry.walletId() + " instead of "
                            + credit.amount() + " to wallet " + credit.walletId());
                }
            }
            case "CANCELLED" -> {
                if (s == null || !"ROLLED_BACK".equals(s.state())) {
                    problems.add("credit " + id + " is CANCELLED but no rollback reversed its settlement");
                }
                if (entry != null) {
                    problems.add("credit " + id + " is CANCELLED yet credited " + entry.amount());
                }
            }
            default -> { // PENDING: credits-pending reports it
                if (entry != null) {
                    problems.add("credit " + id + " is PENDING yet credited " + entry.amount());
                }
            }
        }
    }

    /** lost: the settlement, no money. */
    private void lost(Callback cb, Outcome outcome, List<String> problems) {
        String id = cb.operatorId();
        Settlement s = settlements.get(id);
        boolean happened = s != null && s.real();
        if (outcome == Outcome.REFUSED) {
            if (happened) {
                problems.add("refused, yet settlement " + id + " exists");
            }
            return;
        }
        if (outcome == Outcome.ACCEPTED && !happened) {
            problems.add(s == null ? "no settlement " + id : "settlement " + id + " is a tombstone");
        }
        if (happened && (!s.kind().equals("LOST") || s.amount() != 0 || (cb.betId() != null && !s.betId().equals(cb.betId())))) {
            problems.add("settlement " + id + " is " + s.kind() + " " + s.amount() + " of bet " + s.betId());
        }
        if (credits.containsKey(id)) {
            problems.add("a lost bet has credit " + id);
        }
    }

    /**
     * discard: an OPEN bet becomes DISCARDED and its stake a credit; an unknown make becomes a
     * tombstone; a settled or discarded bet stays as it is. The discard's credit id is
     * stableId("bet/discard", make's tx id).
     */
    private void discard(Callback cb, Outcome outcome, List<String> problems) {
        String id = cb.operatorId();
        Credit credit = credits.get(id);
        Bet bet = bets.get(cb.betId());
        Entry entry = ledger.get("credit:" + id);
        if (outcome == Outcome.REFUSED) {
            if (credit != null || entry != null) {
                problems.add("refused, yet " + (entry != null ? "credited " + entry.amount() : "credit " + id + " exists"));
            }
            return;
        }
        if (outcome == Outcome.ACCEPTED && bet != null && bet.real() && Boolean.FALSE.equals(cb.answerBalance())) {
            problems.add("answered {} (no player known: a tombstone), but bet " + cb.betId() + " is player " + bet.playerId() + "'s");
        }
        if (credit == null) {
            if (entry != null) {
                problems.add("no credit " + id + ", yet credited " + entry.amount());
            }
            if (bet == null && outcome == Outcome.ACCEPTED) {
                problems.add("no bet " + cb.betId() + " (neither discarded nor tombstoned)");
            } else if (bet != null && bet.real() && bet.state().equals("DISCARDED") && bet.stake() > 0) {
                problems.add("bet " + cb.betId() + " is DISCARDED but its stake was never credited back");
            } else if (outcome == Outcome.ACCEPTED && bet != null && bet.real() && bet.state().equals("OPEN")
                    && settlementsPerBet.getOrDefault(cb.betId(), 0) == 0) {
                problems.add("bet " + cb.betId() + " is OPEN and was never settled: the discard should have discarded it");
            }
            return;
        }
        if (!credit.kind().equals("DISCARD") || !credit.betId().equals(cb.betId())) {
            problems.add("credit " + id + " is " + credit.kind() + " of bet " + credit.betId());
        }
        if (bet == null || !bet.real() || !bet.state().equals("DISCARDED") || bet.stake() != credit.amount()) {
            problems.add("credit " + id + " of " + credit.amount() + " but the bet is "
                    + (bet == null ? "missing" : bet.state() + " with stake " + bet.stake()));
        }
        if (cb.amount() > 0 && cb.amount() != credit.amount()) {
            problems.add("credit " + id + " is " + credit.amount() + ", the logged stake " + cb.amount());
        }
        if (credit.status().equals("CANCELLED")) {
            problems.add("discard credit " + id + " is CANCELLED (nothing cancels a discard)");
        } else {
            creditApplication(id, credit, entry, null, problems);
        }
    }

    /**
     * rollback: reverses the named settlement once. A debit 'bet/rollback:<tx>' exists only when it
     * reversed a settlement whose credit was already APPLIED, and is that credit's amount; an answer
     * with amount > 0 says it reversed the settlement (credit cancelled, or that debit); amount 0
     * says nothing moved.
     */
    private void rollback(Callback cb, Outcome outcome, List<String> problems) {
        Entry debit = ledger.get("bet/rollback:" + cb.txId());
        if (outcome == Outcome.REFUSED) {
            if (debit != null) {
                problems.add("refused, yet debited " + -debit.amount());
            }
            return;
        }
        String parent = parentId(cb);
        Settlement s = parent == null ? null : settlements.get(parent);
        Credit credit = parent == null ? null : credits.get(parent);
        if (debit != null) {
            if (parent == null) {
                problems.add("debited " + -debit.amount() + " but the log names no parent settlement");
                return;
            }
            debitsPerSettlement.merge(parent, 1, Integer::sum);
            if (s == null || !"ROLLED_BACK".equals(s.state())) {
                problems.add("debited " + -debit.amount() + " but settlement " + parent + " is " + (s == null ? "missing" : s.state()));
            }
            if (credit == null || !credit.status().equals("APPLIED")) {
                problems.add("debited " + -debit.amount() + " but credit " + parent + " is " + (credit == null ? "missing" : credit.status()));
            } else if (debit.amount() != -credit.amount() || debit.walletId() != credit.walletId()) {
                problems.add("debited " + -debit.amount() + " on wallet " + debit.walletId() + ", the credit was " + credit.amount()
                        + " to wallet " + credit.walletId());
            }
        }
        if (outcome == Outcome.ACCEPTED && parent != null) {
            if (s == null) {
                problems.add("settlement " + parent + " does not exist: a rollback reverses the settlement it names or tombstones it");
            } else if (s.real() && "ACTIVE".equals(s.state())) {
                problems.add("settlement " + parent + " (" + s.kind() + " " + s.amount() + ") is still ACTIVE: a rollback reverses its bet's"
                        + " latest settlement");
            }
        }
        if (outcome != Outcome.ACCEPTED || cb.answerAmount() == null || parent == null) {
            return;
        }
        if (cb.answerAmount() == 0) {
            if (debit != null) {
                problems.add("answered amount 0, yet debited " + -debit.amount());
            }
            return;
        }
        // It answered that it reversed an amount: the settlement is reversed, its credit cancelled or taken back.
        if (s == null || !"ROLLED_BACK".equals(s.state()) || s.amount() != cb.answerAmount()) {
            problems.add("answered amount " + cb.answerAmount() + " but settlement " + parent + " is "
                    + (s == null ? "missing" : s.state() + " " + s.amount()));
        }
        if (credit != null && credit.status().equals("APPLIED") && debit == null) {
            problems.add("reversed settlement " + parent + " whose credit was applied, without a debit");
        } else if (credit != null && credit.status().equals("PENDING")) {
            problems.add("reversed settlement " + parent + " but its credit is still PENDING");
        }
    }

    /**
     * Every refusal in the key's lines is one the protocol gives (see the class comment); a status
     * other than 200, 400 or unknown never is. One problem per distinct complaint.
     */
    private void refusals(List<Callback> lines, Outcome outcome, List<String> problems) {
        Set<String> seen = new LinkedHashSet<>();
        for (Callback line : lines) {
            if (line.status() == 200 || line.status() == 0) {
                continue;
            }
            String copy = line.duplicate() ? "a duplicate" : "a copy";
            String what = "line seq " + line.seq() + (line.resigned() ? " (re-signed)" : "");
            if (line.status() != 400) {
                seen.add(what + " answered HTTP " + line.status() + ": the protocol answers 200 or a 400 refusal (a 5xx is retried)");
            } else if (outcome == Outcome.ACCEPTED) {
                // A make refused for want of money (2001) or over a limit (4001) wrote nothing: a later copy may go, after a
                // deposit or a credit, or a refund or discard that gave the limit room back.
                if (!(line.endpoint().equals("bet/make") && (Integer.valueOf(2001).equals(line.code())
                        || Integer.valueOf(4001).equals(line.code())))) {
                    seen.add(what + ", " + copy + " of the accepted request" + (line.resigned() ? " with a new token" : "") + ", was refused "
                            + line.code() + ": the same request replays its first answer");
                }
            } else {
                String why = unexplained(line);
                if (why != null) {
                    seen.add(what + " was refused " + line.code() + ", which the protocol does not give here: " + why);
                }
            }
        }
        problems.addAll(seen);
    }

    /** Null when the protocol refuses {@code cb} with its code on the final state; else why it does not. */
    private String unexplained(Callback cb) {
        Integer code = cb.code();
        Bet bet = bets.get(cb.betId());
        boolean betReal = bet != null && bet.real();
        if (code == null) {
            return "a 400 without a protocol code";
        }
        switch (cb.endpoint()) {
            case "bet/make" -> {
                Player p = players.get(cb.playerId());
                return switch (code) {
                    case 2001 -> null;
                    case 4001 -> p != null && p.limited() ? null : "player " + cb.playerId() + " has no wager or loss limit";
                    case 2004 -> bet != null && !bet.real() ? null : "its make was not tombstoned by a discard (" + (bet == null ? "no bet"
                            : "bet " + cb.betId() + " is " + bet.state()) + ")";
                    case 1006 -> p == null || p.currency() == null ? null : "player " + cb.playerId() + " has a wallet";
                    case 1005 -> p != null && (!"ACTIVE".equals(p.status()) || p.statusVersion() > 0) ? null
                            : "player " + cb.playerId() + " was never blocked";
                    case 2002 -> p != null && p.currency() != null && !p.currency().trim().equals(cb.currency()) ? null
                            : "the wallet's currency is " + (p == null ? "unknown" : p.currency());
                    default -> "no make of a loadgen log is refused so";
                };
            }
            case "bet/win", "bet/lost", "bet/refund" -> {
                Settlement own = settlements.get(cb.operatorId());
                int others = settlementsPerBet.getOrDefault(cb.betId(), 0) - (own != null && own.real() ? 1 : 0);
                return switch (code) {
                    case 2003 -> betReal ? "bet " + cb.betId() + " exists" : null;
                    case 2004 -> betReal && (bet.state().equals("DISCARDED") || others > 0 || (own != null && !own.real())
                            || (cb.endpoint().equals("bet/refund") && cb.amount() > bet.stake() + bet.bonusStake())) ? null
                                    : betReal ? "bet " + cb.betId() + " is " + bet.state() + ", had no other settlement, this id was not"
                                            + " tombstoned" + (cb.endpoint().equals("bet/refund") ? " and the refund is within the stake"
                                                    : "")
                                            : "bet " + cb.betId() + (bet == null ? " does not exist (2003)" : " is a tombstone (2003)");
                    case 2002 -> {
                        Player p = betReal ? players.get(bet.playerId()) : null;
                        yield p != null && p.currency() != null && !p.currency().trim().equals(cb.currency()) ? null
                                : "the bet's wallet is in " + (p == null ? "an unknown currency" : p.currency());
                    }
                    default -> "no settlement of a loadgen log is refused so";
                };
            }
            case "bet/rollback" -> {
                return code != 2003 ? "a rollback is refused only for an unknown bet (2003)"
                        : betReal ? "bet " + cb.betId() + " exists" : null;
            }
            case "bet/discard" -> {
                return code == 2004 && betReal && !bet.playerId().equals(cb.playerId()) ? null
                        : "a discard is refused only for another player's bet (2004)";
            }
            default -> throw new IllegalStateException(cb.endpoint());
        }
    }

    private static String parentId(Callback cb) {
        return cb.parentTxId() == null || cb.parentEndpoint() == null ? null : CloudEventJson.stableId(cb.parentEndpoint(), cb.parentTxId());
    }

    // ------------------------------------------------------------------ loading

    /* The rows the log's callbacks name, looked up by id in chunks (id = ANY(array)). */
    private static final String BETS_SQL = "SELECT id, provider_tx_id, player_id, wallet_id, stake, state, bonus_type, bonus_stake FROM bet"
            + " WHERE id = ANY(?)";
    private static final String SETTLEMENTS_SQL = "SELECT id, bet_id, kind, amount, state FROM settlement WHERE id = ANY(?)";
    private static final String CREDITS_SQL = "SELECT id, wallet_id, bet_id, kind, amount, status FROM credit WHERE id = ANY(?)";
    private static final String LEDGER_SQL = "SELECT idempotency_key, wallet_id, amount FROM ledger_entry WHERE idempotency_key = ANY(?)";
    private static final String SETTLEMENTS_PER_BET_SQL = "SELECT bet_id, count(*) FROM settlement WHERE kind <> 'TOMBSTONE'"
            + " AND bet_id = ANY(?) GROUP BY bet_id";
    // limited: the player has, or had, a wager or loss limit (issue 15), so a make of theirs may be 4001.
    private static final String PLAYERS_SQL = "SELECT p.id, p.status, p.status_version, w.currency, EXISTS (SELECT 1 FROM player_limit l"
            + " WHERE l.player_id = p.id AND l.kind IN ('wager', 'loss')) FROM player p"
            + " LEFT JOIN wallet w ON w.player_id = p.id AND w.kind = 'CASH' WHERE p.id = ANY(?)";

    private void load(Connection c, java.util.Collection<List<Callback>> keys) throws SQLException {
        Set<String> betIds = new LinkedHashSet<>();
        Set<String> settlementIds = new LinkedHashSet<>();
        Set<String> creditIds = new LinkedHashSet<>();
        Set<String> ledgerKeys = new LinkedHashSet<>();
        Set<String> playerIds = new LinkedHashSet<>();
        for (List<Callback> lines : keys) {
            Callback cb = lines.get(0);
            String id = cb.operatorId();
            lines.forEach(l -> {
                if (l.playerId() != null) {
                    playerIds.add(l.playerId());
                }
            });
            if (cb.betId() != null) {
                betIds.add(cb.betId());
            }
            switch (cb.endpoint()) {
                case "bet/make" -> {
                    betIds.add(cb.betId());
                    ledgerKeys.add("bet/make:" + cb.txId());
                }
                case "bet/win", "bet/lost", "bet/refund" -> {
                    if (cb.betId() != null) {
                        betIds.add(cb.betId());
                    }
                    settlementIds.add(id);
                    creditIds.add(id);
                    ledgerKeys.add("credit:" + id);
                }
                case "bet/discard" -> {
                    betIds.add(cb.betId());
                    creditIds.add(id);
                    ledgerKeys.add("credit:" + id);
                }
                case "bet/rollback" -> {
                    ledgerKeys.add("bet/rollback:" + cb.txId());
                    for (Callback line : lines) {
                        String parent = parentId(line);
                        if (parent != null) {
                            settlementIds.add(parent);
                            creditIds.add(parent);
                        }
                    }
                }
                default -> throw new IllegalStateException(cb.endpoint());
            }
        }
        select(c, BETS_SQL, betIds, rs -> bets.put(rs.getString(1),
                new Bet(rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getString(6), rs.getString(7), rs.getLong(8))));
        select(c, SETTLEMENTS_SQL, settlementIds, rs -> settlements.put(rs.getString(1),
                new Settlement(rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5))));
        select(c, CREDITS_SQL, creditIds, rs -> credits.put(rs.getString(1),
                new Credit(rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6))));
        select(c, LEDGER_SQL, ledgerKeys, rs -> ledger.put(rs.getString(1), new Entry(rs.getLong(2), rs.getLong(3))));
        select(c, SETTLEMENTS_PER_BET_SQL, betIds, rs -> settlementsPerBet.put(rs.getString(1), rs.getInt(2)));
        bets.values().forEach(b -> {
            if (b.playerId() != null) {
                playerIds.add(b.playerId());
            }
        });
        select(c, PLAYERS_SQL, playerIds, rs -> players.put(rs.getString(1), new Player(rs.getString(2), rs.getLong(3), rs.getString(4),
                rs.getBoolean(5))));
    }

    @FunctionalInterface
    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private static void select(Connection c, String sql, Set<String> ids, Row row) throws SQLException {
        List<String> all = new ArrayList<>(ids);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int from = 0; from < all.size(); from += CHUNK) {
                ps.setArray(1, c.createArrayOf("text", all.subList(from, Math.min(all.size(), from + CHUNK)).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        row.read(rs);
                    }
                }
            }
        }
    }
}
