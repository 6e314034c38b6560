package com.sportswallet.ingress.model;

/** What the model says the wallet answers to an {@link Op}. */
public sealed interface Answer {

    /**
     * The money body: {@code id} is the operator id of {@code key}, {@code ext_transaction_id} its
     * tx, {@code parent_transaction_id} the operator id of the make {@code betTx} (null on a make).
     */
    record Money(Key key, String betTx, String player, String operation, long amount, String currency, long balance) implements Answer {
    }

    /** A discard's answer: {"balance": available}, or {} (null) when no player is known. */
    record DiscardBalance(Long balance) implements Answer {
    }

    /** {} (commit, settlement). */
    record Empty() implements Answer {
    }

    /** The balance callback's body. */
    record BalanceBody(String player, String currency, long balance) implements Answer {
    }

    /** HTTP 400 {"code": code}. */
    record Refused(int code) implements Answer {
    }

    /** An operator deposit or withdrawal: 200 with the available and settled balances after it. */
    record OperatorMoney(long balance, long settled) implements Answer {
    }

    /** An operator refusal (422 insufficient_funds). */
    record OperatorRefused(int status, String error) implements Answer {
    }

    /** An operator call that answers success (create, status). */
    record Ok() implements Answer {
    }

    /** An operator call answered with exactly this status (a session's 201 or 200; an exclusion's 201 set, 200 already so). */
    record Status(int status) implements Answer {
    }

    /**
     * The limits' view (PUT and GET /operator/players/{id}/limits, issue 15): {@code limits} by
     * "kind.period" as {@link WalletModel#limitView} renders them (only those with a value or a
     * pending change), and {@code usage} as {@link WalletModel#usageView} renders it, the same for
     * the day, the week and the month (every fact of a run books to one day).
     */
    record LimitsView(java.util.Map<String, String> limits, String usage) implements Answer {
    }

    /** The worker's apply: whether this call flipped the credit (false: already applied or cancelled). */
    record Applied(boolean applied) implements Answer {
    }

    /** The worker was asked to apply a credit that does not exist. */
    record NoCredit() implements Answer {
    }
}
