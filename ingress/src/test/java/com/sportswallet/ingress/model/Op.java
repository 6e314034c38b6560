package com.sportswallet.ingress.model;

/**
 * One request to the wallet, as the model sees it: only the fields that make up the request's
 * content, so two ops are equal exactly when their payloads are the same request (PROTOCOL.md,
 * Idempotency). How a request is presented on the wire (a fresh token, key order, number forms) is
 * the runner's business, not part of the op.
 */
public sealed interface Op {

    /** Operator API: create the player's wallet. */
    record CreatePlayer(String player, String currency) implements Op {
    }

    /** Operator API: a deposit with a fresh idempotency key. */
    record Deposit(String player, String key, long amount) implements Op {
    }

    /** Operator API: a withdrawal with a fresh idempotency key (may spend pending credits, like a make). */
    record Withdraw(String player, String key, long amount) implements Op {
    }

    /** Operator API: block or unblock the player. */
    record SetBlocked(String player, boolean blocked) implements Op {
    }

    /**
     * bet/make; {@code bonusType} (null: a plain make) and {@code bonusId} (null for a
     * {@code global_comboboost}) name the bonus it uses (PROTOCOL.md, "Bonuses on bet/make");
     * {@code session} is the label of the session it names (issue 15; the runner sends the wallet's id
     * of the session {@link OpenSession} opened under that label, or an id that names none when no
     * session was opened under it).
     */
    record Make(String player, String tx, long stake, String currency, String bonusType, String bonusId, String session) implements Op {
        public Make(String player, String tx, long stake, String currency, String session) {
            this(player, tx, stake, currency, null, null, session);
        }

        /** The same make naming another session (a new request: the session is part of the payload). */
        public Make withSession(String otherSession) {
            return new Make(player, tx, stake, currency, bonusType, bonusId, otherSession);
        }
    }

    /**
     * Operator API: opens a session of the player (issue 15, PROTOCOL.md "Player sessions"), a day
     * long, so none expires within a sequence; {@code session} is the model's label for the id the
     * wallet gives it.
     */
    record OpenSession(String player, String session) implements Op {
    }

    /** Operator API: ends the session (DELETE); a repeat answers it again. */
    record EndSession(String player, String session) implements Op {
    }

    /** Operator API: extends the session (PUT, a day again): 409 once it ended. */
    record ExtendSession(String player, String session) implements Op {
    }

    /**
     * Operator API: self-excludes the player (issue 15) until {@code untilDays} days after the run's
     * base instant (the test's fixed day: no exclusion ends within a run), or indefinitely (null).
     */
    record SetExclusion(String player, Long untilDays) implements Op {
    }

    /** One limit of a {@link SetLimits}: {@code value} null removes it. */
    record LimitChange(String kind, String period, Long value) {
        @Override
        public String toString() {
            return kind + "." + period + "=" + value;
        }
    }

    /** Operator API: PUT /operator/players/{id}/limits with these changes (issue 15). */
    record SetLimits(String player, java.util.List<LimitChange> changes) implements Op {
    }

    /** Operator API: GET /operator/players/{id}/limits (the limits in force, pending changes, the usage). */
    record ReadLimits(String player) implements Op {
    }

    /**
     * A bonus granted to the player, as the granting consumer records it (issue 14): ACTIVE, in
     * EUR, expiring an hour later (so no sequence meets its expiry). The runner inserts the rows.
     */
    record GrantBonus(String player, String bonusId, String bonusType, long amount) implements Op {
    }

    /**
     * The bonus revoked: one conditional update, ACTIVE -> REVOKED (what the operator's revoke
     * ends with; the endpoint and its provider call are not this test's). Answers whether it changed it.
     */
    record RevokeBonus(String bonusId) implements Op {
    }

    /** The three settlements and the cash-out, all about the bet whose make was {@code betTx}. */
    enum Kind {
        WIN(Key.WIN, "win"), CASHOUT(Key.WIN, "win"), LOST(Key.LOST, "lost"), REFUND(Key.REFUND, "refund");

        public final String endpoint;
        public final String operation;

        Kind(String endpoint, String operation) {
            this.endpoint = endpoint;
            this.operation = operation;
        }
    }

    /** bet/win (or a cash-out), bet/lost, bet/refund; {@code currency} is null for a refund (it names none). */
    record Settle(Kind kind, String betTx, String tx, long amount, String currency) implements Op {
        public Key key() {
            return new Key(kind.endpoint, tx);
        }
    }

    /** bet/rollback of the bet made by {@code betTx}, naming the settlement {@code parent}. */
    record Rollback(String betTx, String tx, Key parent) implements Op {
    }

    /** bet/discard of the make {@code makeTx}. */
    record Discard(String extPlayer, String makeTx, String reason) implements Op {
    }

    /** bet/commit. */
    record Commit(String betTx) implements Op {
    }

    /** bet/settlement: the provider's status of the bet (recorded, moves nothing). */
    record ProviderStatus(String betTx, String status) implements Op {
    }

    /** The balance callback; {@code currency} may be null. */
    record Balance(String player, String currency) implements Op {
    }

    /** The settlement-worker applies this credit (CreditApplier: the worker's own code, one batch). */
    record ApplyCredit(Key credit) implements Op {
    }

    /** The idempotency key of a money or state callback, or null for the others. */
    static Key idempotencyKey(Op op) {
        if (op instanceof Make m) {
            return new Key(Key.MAKE, m.tx());
        }
        if (op instanceof Settle s) {
            return s.key();
        }
        if (op instanceof Rollback r) {
            return new Key(Key.ROLLBACK, r.tx());
        }
        if (op instanceof Discard d) {
            return new Key(Key.DISCARD, d.makeTx());
        }
        return null;
    }

    /** Whether the op is a provider callback (as opposed to an operator call or the worker). */
    static boolean isCallback(Op op) {
        return op instanceof Make || op instanceof Settle || op instanceof Rollback || op instanceof Discard || op instanceof Commit
                || op instanceof ProviderStatus || op instanceof Balance;
    }
}
