package com.sportswallet.worker;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start when a lock wait would not end before the statement's own timeout (then
 * {@code statement_timeout} hides every lock wait), or when either is 0 (PostgreSQL then waits
 * forever): a misconfiguration fails at start, naming the settings, not under load. (The ingress
 * also requires the statement timeout below the provider's callback timeout.)
 */
@Singleton
public class TimeoutOrderCheck {
    @ConfigProperty(name = "wallet.db.lock-timeout-ms")
    long lockTimeoutMs;
    @ConfigProperty(name = "wallet.db.statement-timeout-ms")
    long statementTimeoutMs;

    void check(@Observes StartupEvent start) {
        verify(lockTimeoutMs, statementTimeoutMs);
    }

    /** @throws IllegalStateException naming the settings, unless 0 < lock < statement timeout */
    public static void verify(long lockTimeoutMs, long statementTimeoutMs) {
        if (lockTimeoutMs < 1 || statementTimeoutMs < 1 || lockTimeoutMs >= statementTimeoutMs) {
            throw new IllegalStateException("DB_LOCK_TIMEOUT_MS (" + lockTimeoutMs + ") must be at least 1 and below"
                    + " DB_STATEMENT_TIMEOUT_MS (" + statementTimeoutMs + "), so a stuck lock ends as a retried failure of its own,"
                    + " never a wait without end");
        }
    }
}
