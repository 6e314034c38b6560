package com.sportswallet.ingress.model;

/**
 * (endpoint, provider transaction id): the key of an idempotency record, a settlement and a
 * credit alike (PROTOCOL.md: the operator's ids are derived from this pair only). The model keys
 * everything by it; the runner turns it into the operator id the ingress derives.
 */
public record Key(String endpoint, String tx) {
    public static final String MAKE = "bet/make";
    public static final String WIN = "bet/win";
    public static final String LOST = "bet/lost";
    public static final String REFUND = "bet/refund";
    public static final String ROLLBACK = "bet/rollback";
    public static final String DISCARD = "bet/discard";

    @Override
    public String toString() {
        return endpoint + ":" + tx;
    }
}
