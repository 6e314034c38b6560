package com.sportswallet.money;

/**
 * The one bound of a single money amount, in minor units: what the README (operator API) and
 * PROTOCOL.md (provider callbacks: make, win, refund) publish as 1..10^12. It lives beside the
 * statements that move money, not at one entry point, so every caller that accepts or produces an
 * amount (the operator API's 400 {@code invalid_amount}, the provider's 2004, the load generator's
 * stakes and top-ups) reads the same value and none can drift from the published one.
 */
public final class Amounts {
    /** The largest single amount, in minor units (10^12). */
    public static final long MAX = 1_000_000_000_000L;

    private Amounts() {
    }
}
