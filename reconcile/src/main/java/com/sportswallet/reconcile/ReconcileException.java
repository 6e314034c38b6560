package com.sportswallet.reconcile;

/** Reconcile could not look: bad options or input, or a service that does not answer (exit 2). */
public final class ReconcileException extends Exception {
    public ReconcileException(String message) {
        super(message);
    }

    public ReconcileException(String message, Throwable cause) {
        super(message, cause);
    }
}
