package com.sportswallet.ingress.service;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start with timeouts that cannot keep the answer guarantee: a lock wait must end
 * before the statement's own timeout (else {@code statement_timeout} hides every lock wait), and
 * a statement before the provider's callback timeout (else the provider gives up first, retries,
 * and the first attempt still holds its locks). Both must be set (0 means "wait forever" to
 * PostgreSQL). A misconfiguration fails at start with the settings' names, not under load.
 */
@Singleton
public class TimeoutOrderCheck {
    @ConfigProperty(name = "wallet.db.lock-timeout-ms")
    long lockTimeoutMs;
    @ConfigProperty(name = "wallet.db.statement-timeout-ms")
    long statementTimeoutMs;
    @ConfigProperty(name = "wallet.callback-timeout-ms")
    long callbackTimeoutMs;

    void check(@Observes StartupEvent start) {
        verify(lockTimeoutMs, statementTimeoutMs, callbackTimeoutMs);
    }

    /** @throws IllegalStateException naming the settings, unless 0 < lock < statement < callback timeout */
    public static void verify(long lockTimeoutMs, long statementTimeoutMs, long callbackTimeoutMs) {
        if (lockTimeoutMs < 1 || statementTimeoutMs < 1) {
            throw new IllegalStateException("DB_LOCK_TIMEOUT_MS (" + lockTimeoutMs + ") and DB_STATEMENT_TIMEOUT_MS ("
                    + statementTimeoutMs + ") must be at least 1: 0 lets PostgreSQL wait forever");
        }
        if (lockTimeoutMs >= statementTimeoutMs || statementTimeoutMs >= callbackTimeoutMs) {
            throw new IllegalStateException("timeouts must rise: DB_LOCK_TIMEOUT_MS (" + lockTimeoutMs + ") < DB_STATEMENT_TIMEOUT_MS ("
                    + statementTimeoutMs + ") < CALLBACK_TIMEOUT_MS (" + callbackTimeoutMs + "), so a stuck lock ends as a 5xx the"
                    + " provider retries before the provider's own timeout, never a late answer");
        }
    }
}
