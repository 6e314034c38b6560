package com.sportswallet.ingress.service;

import com.sportswallet.money.Reversal;

import io.smallrye.config.ConfigMapping;

/**
 * Bounds of the money path. Defaults live once, in application.properties (with their
 * environment variables).
 */
@ConfigMapping(prefix = "wallet.money")
public interface MoneySettings {
    /** Counted when a request applied {@link #creditFlipMax()} pending credits and more may be pending. */
    String FLIP_CAPPED_METRIC = "wallet_credit_flip_capped";
    int CREDIT_FLIP_MAX_BOUND = 10_000;

    /**
     * CREDIT_FLIP_MAX: at most this many pending credits a make, withdrawal or rollback applies
     * before its own debit (in credit-id order; each costs a ledger entry and an event in that one
     * transaction, so the bound caps the transaction's length under the wallet lock).
     */
    int creditFlipMax();

    /**
     * ROLLBACK_SHORTFALL: {@code negative} (the balance goes below zero, alerted) or {@code absorb}
     * (the wallet stops at zero, the house's write-off account takes the rest, alerted): what a
     * rollback of an applied credit does with the part the player's money cannot cover.
     */
    Reversal.ShortfallPolicy rollbackShortfall();
}
