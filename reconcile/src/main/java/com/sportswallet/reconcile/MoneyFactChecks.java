package com.sportswallet.reconcile;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The ledger against the decisions that moved money (bets, credits, settlements), and what the
 * pipeline still owes (PENDING credits, outbox rows), from PostgreSQL alone. Each query returns
 * only the offending rows (see {@link Sql#discrepancies}).
 */
final class MoneyFactChecks {
    static final String BETS_DEBITED_ONCE = "bets-debited-once";
    static final String CREDITS_APPLIED_ONCE = "credits-applied-once";
    static final String ROLLBACKS_REVERSED_ONCE = "rollbacks-reversed-once";
    static final String CREDITS_PENDING = "credits-pending";
    static final String OUTBOX_DRAINED = "outbox-drained";

    /*
     * Proves: every bet that was made with cash (a bet row with a player and a stake: a discard's
     * tombstone has no player, a freebet's stake is its bonus_stake, issue 14) debited its stake once, from its own wallet, under the make's ledger key
     * 'bet/make:<provider transaction id>' (unique, so at most once), and every 'bet' ledger entry
     * belongs to such a bet.
     */
    private static final String BETS_SQL = """
            SELECT b.id, b.provider_tx_id, b.player_id, b.stake, b.wallet_id, l.idempotency_key, l.wallet_id, l.amount,
                   count(*) OVER () AS total
            FROM (SELECT id, provider_tx_id, player_id, stake, wallet_id FROM bet WHERE player_id IS NOT NULL AND stake > 0) b
            FULL JOIN (SELECT id, idempotency_key, wallet_id, amount FROM ledger_entry WHERE operation = 'bet') l
                   ON l.idempotency_key = 'bet/make:' || b.provider_tx_id
            WHERE b.id IS NULL OR l.id IS NULL OR l.wallet_id <> b.wallet_id OR l.amount <> -b.stake
            ORDER BY b.id NULLS FIRST, l.idempotency_key
            LIMIT ?
            """;

    /*
     * Proves: each APPLIED credit moved its money exactly once (one 'credit' ledger entry naming
     * it, of its amount, on its wallet); PENDING and CANCELLED credits moved none; every 'credit'
     * entry names a credit. An entry names credit X when its key is 'credit:X' (the worker's key),
     * or else when it starts with 'credit:X' followed by a separator (':', '#', '/' or a space),
     * so that a second application written under a derived key is counted against X.
     */
    private static final String CREDITS_SQL = """
            WITH entries AS (
                SELECT l.wallet_id, l.amount, l.idempotency_key,
                       coalesce(exact.id, substring(l.idempotency_key from '^credit:([^:#/ ]+)')) AS credit_id,
                       exact.id IS NOT NULL AS exact_key
                FROM ledger_entry l LEFT JOIN credit exact ON l.idempotency_key = 'credit:' || exact.id
                WHERE l.operation = 'credit'),
            per_credit AS (
                SELECT credit_id, count(*) AS n, sum(amount) AS total, min(wallet_id) AS wallet_lo, max(wallet_id) AS wallet_hi,
                       bool_or(exact_key) AS has_exact, min(idempotency_key) AS some_key
                FROM entries GROUP BY credit_id)
            SELECT c.id, c.status, c.amount, c.wallet_id, p.credit_id, p.n, p.total, p.wallet_lo, p.wallet_hi, p.some_key,
                   count(*) OVER () AS total
            FROM credit c FULL JOIN per_credit p ON p.credit_id = c.id
            WHERE c.id IS NULL
               OR (c.status = 'APPLIED' AND (p.n IS NULL OR p.n <> 1 OR NOT p.has_exact OR p.total <> c.amount
                                             OR p.wallet_lo <> c.wallet_id OR p.wallet_hi <> c.wallet_id))
               OR (c.status <> 'APPLIED' AND p.n IS NOT NULL)
            ORDER BY c.id NULLS FIRST, p.credit_id
            LIMIT ?
            """;

    /*
     * Proves: a rollback took money back exactly when it reversed a settlement whose credit the
     * worker had already applied, once per such settlement, on the bet's own wallet: per bet, the
     * 'rollback' ledger entries of the rollbacks that answered for it (how many, how much) equal its
     * ROLLED_BACK settlements whose credit is APPLIED (how many, their amounts). Per bet, not per
     * wallet: per wallet, one settlement reversed twice and another never reversed add up to the
     * same. The ledger key names the rollback ('bet/rollback:<tx>'), not its bet: the bet is the
     * parent_transaction_id of the answer that rollback stored (idempotency_record, written in the
     * same transaction as the debit). decision-events pairs each reversed settlement with its one
     * rolled-back event and that event with its debit; with --log, log-effects pairs each logged
     * rollback with its settlement.
     */
    private static final String ROLLBACKS_SQL = """
            WITH expected AS (
                SELECT s.bet_id, count(*) AS n, sum(s.amount) AS amount
                FROM settlement s JOIN credit c ON c.id = s.id
                WHERE s.state = 'ROLLED_BACK' AND c.status = 'APPLIED'
                GROUP BY s.bet_id),
            debits AS (
                SELECT l.idempotency_key, l.wallet_id, l.amount,
                       substring(r.response_body from '"parent_transaction_id":"([^"]+)"') AS bet_id
                FROM ledger_entry l
                LEFT JOIN idempotency_record r ON r.endpoint = 'bet/rollback' AND r.key = substr(l.idempotency_key, 14)
                WHERE l.operation = 'rollback'),
            actual AS (
                SELECT bet_id, count(*) AS n, -sum(amount) AS amount, min(wallet_id) AS wallet_lo, max(wallet_id) AS wallet_hi,
                       string_agg(idempotency_key, ', ' ORDER BY idempotency_key) AS keys
                FROM debits WHERE bet_id IS NOT NULL GROUP BY bet_id)
            SELECT coalesce(e.bet_id, a.bet_id), b.provider_tx_id, b.wallet_id, coalesce(e.n, 0), coalesce(e.amount, 0),
                   coalesce(a.n, 0), coalesce(a.amount, 0), a.keys, a.wallet_lo, a.wallet_hi, count(*) OVER () AS total
            FROM expected e FULL JOIN actual a ON a.bet_id = e.bet_id
            LEFT JOIN bet b ON b.id = coalesce(e.bet_id, a.bet_id)
            WHERE coalesce(e.n, 0) <> coalesce(a.n, 0) OR coalesce(e.amount, 0) <> coalesce(a.amount, 0)
               OR b.wallet_id IS DISTINCT FROM a.wallet_lo OR b.wallet_id IS DISTINCT FROM a.wallet_hi
            ORDER BY 1
            LIMIT ?
            """;

    /* Proves: every rollback debit names its bet: its rollback stored an answer naming one (see ROLLBACKS_SQL). */
    private static final String UNATTRIBUTED_ROLLBACKS_SQL = """
            SELECT l.idempotency_key, l.wallet_id, l.amount, r.key IS NOT NULL, count(*) OVER () AS total
            FROM ledger_entry l
            LEFT JOIN idempotency_record r ON r.endpoint = 'bet/rollback' AND r.key = substr(l.idempotency_key, 14)
            WHERE l.operation = 'rollback'
              AND (r.key IS NULL OR substring(r.response_body from '"parent_transaction_id":"([^"]+)"') IS NULL)
            ORDER BY l.idempotency_key
            LIMIT ?
            """;

    /*
     * Proves: a credit is CANCELLED only by the rollback of its settlement (discard credits are
     * never cancelled), so a cancelled credit always belongs to a ROLLED_BACK settlement.
     */
    private static final String CANCELLED_SQL = """
            SELECT c.id, c.kind, c.amount, s.state, count(*) OVER () AS total
            FROM credit c LEFT JOIN settlement s ON s.id = c.id
            WHERE c.status = 'CANCELLED' AND s.state IS DISTINCT FROM 'ROLLED_BACK'
            ORDER BY c.id
            LIMIT ?
            """;

    /* Proves: the worker decided every credit (APPLIED or CANCELLED): none is left PENDING. */
    private static final String PENDING_SQL = """
            SELECT id, player_id, kind, amount, created_at, count(*) OVER () AS total
            FROM credit WHERE status = 'PENDING'
            ORDER BY created_at, id
            LIMIT ?
            """;
    static final String PENDING_COUNT_SQL = "SELECT count(*) FROM credit WHERE status = 'PENDING'";

    /* Proves: the relays published every committed outbox row (they delete what Kafka acknowledged). */
    private static final String OUTBOX_SQL = """
            SELECT id, topic, event_id, msg_key, created_at, count(*) OVER () AS total
            FROM outbox ORDER BY id
            LIMIT ?
            """;
    static final String OUTBOX_COUNT_SQL = "SELECT count(*) FROM outbox";

    private MoneyFactChecks() {
    }

    static List<CheckResult> run(Connection c, int examples) throws SQLException {
        List<CheckResult> results = new ArrayList<>();

        CheckResult.Builder bets = CheckResult.builder(BETS_DEBITED_ONCE, examples);
        Sql.discrepancies(c, BETS_SQL, bets, rs -> rs.getString(1) == null
                ? "ledger entry " + rs.getString(6) + " (wallet " + rs.getLong(7) + ", " + rs.getLong(8) + ") debits no bet"
                : rs.getString(6) == null
                        ? "bet " + rs.getString(1) + " (make " + rs.getString(2) + ", player " + rs.getString(3) + ", stake " + rs.getLong(4)
                                + ") has no debit"
                        : "bet " + rs.getString(1) + " (make " + rs.getString(2) + ", stake " + rs.getLong(4) + ", wallet " + rs.getLong(5)
                                + ") was debited " + rs.getLong(8) + " on wallet " + rs.getLong(7));
        results.add(bets.build());

        CheckResult.Builder credits = CheckResult.builder(CREDITS_APPLIED_ONCE, examples);
        Sql.discrepancies(c, CREDITS_SQL, credits, rs -> {
            if (rs.getString(1) == null) {
                return "ledger entry " + rs.getString(10) + " (+" + rs.getLong(7) + ") names no credit";
            }
            String credit = "credit " + rs.getString(1) + " " + rs.getString(2) + " (" + rs.getLong(3) + " to wallet " + rs.getLong(4) + ")";
            if (rs.getObject(6) == null) {
                return credit + " has no ledger entry";
            }
            return credit + " has " + rs.getLong(6) + " ledger " + (rs.getLong(6) == 1 ? "entry" : "entries") + " adding " + rs.getLong(7)
                    + (rs.getLong(8) == rs.getLong(9) ? " to wallet " + rs.getLong(8) : " to wallets " + rs.getLong(8) + ".." + rs.getLong(9))
                    + (rs.getLong(6) > 1 ? ": applied more than once" : "");
        });
        results.add(credits.build());

        CheckResult.Builder rollbacks = CheckResult.builder(ROLLBACKS_REVERSED_ONCE, examples);
        Sql.discrepancies(c, ROLLBACKS_SQL, rollbacks, rs -> "bet " + rs.getString(1) + " (make " + rs.getString(2) + ", wallet "
                + (rs.getObject(3) == null ? "none" : rs.getLong(3)) + "): " + rs.getLong(4)
                + " rolled-back settlements with applied credits (" + rs.getLong(5) + "), but " + rs.getLong(6) + " rollback debits ("
                + rs.getLong(7) + ")"
                + (rs.getString(8) == null ? "" : ": " + rs.getString(8) + (rs.getLong(9) == rs.getLong(10) ? " on wallet " + rs.getLong(9)
                        : " on wallets " + rs.getLong(9) + ".." + rs.getLong(10))));
        Sql.discrepancies(c, UNATTRIBUTED_ROLLBACKS_SQL, rollbacks, rs -> "rollback debit " + rs.getString(1) + " (" + rs.getLong(3)
                + " on wallet " + rs.getLong(2) + ") names no bet: " + (rs.getBoolean(4) ? "its stored answer has no parent_transaction_id"
                        : "its rollback stored no answer"));
        Sql.discrepancies(c, CANCELLED_SQL, rollbacks, rs -> "credit " + rs.getString(1) + " (" + rs.getString(2) + ", " + rs.getLong(3)
                + ") is CANCELLED but its settlement is " + (rs.getString(4) == null ? "missing" : rs.getString(4)));
        results.add(rollbacks.build());

        CheckResult.Builder pending = CheckResult.builder(CREDITS_PENDING, examples);
        Sql.discrepancies(c, PENDING_SQL, pending, rs -> "credit " + rs.getString(1) + " (" + rs.getString(3) + ", " + rs.getLong(4)
                + " to player " + rs.getString(2) + ") PENDING since " + rs.getObject(5));
        results.add(pending.build());

        CheckResult.Builder outbox = CheckResult.builder(OUTBOX_DRAINED, examples);
        Sql.discrepancies(c, OUTBOX_SQL, outbox, rs -> "outbox row " + rs.getLong(1) + " for " + rs.getString(2) + " (event "
                + rs.getString(3) + ", key " + rs.getString(4) + ") unpublished since " + rs.getObject(5));
        results.add(outbox.build());
        return results;
    }
}
