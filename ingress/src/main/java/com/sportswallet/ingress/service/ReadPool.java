package com.sportswallet.ingress.service;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.runtime.StartupEvent;

/**
 * The operator API's reads (issue 17: "console and API reads use their own small pool so they can
 * never starve callbacks"): the {@code reads} datasource of application.properties, at most
 * {@link #POOL_SIZE_MAX_BOUND} connections, each statement at most {@link #STATEMENT_TIMEOUT_MS_BOUND},
 * every session read-only ({@code default_transaction_read_only}), so a read can neither write nor
 * hold a connection a callback needs. A read that finds the pool busy for longer than its
 * acquisition timeout, or runs past its statement timeout, is a 503 like any database fault
 * (ErrorMappers); the callbacks' pool never sees it.
 */
@Singleton
public class ReadPool {
    /** Issue 17's bound: a support team's reads may take at most this many of the database's connections. */
    public static final int POOL_SIZE_MAX_BOUND = 4;
    /** Issue 17's bound: a read that takes longer is cut, whatever it reads. */
    public static final long STATEMENT_TIMEOUT_MS_BOUND = 2000;
    static final long STATEMENT_TIMEOUT_MS_MIN = 100;
    static final long ACQUISITION_TIMEOUT_MS_MAX = 5000;

    @Inject
    @DataSource("reads")
    AgroalDataSource reads;

    @ConfigProperty(name = "wallet.reads.pool-size-max")
    int poolSizeMax;
    @ConfigProperty(name = "wallet.reads.statement-timeout-ms")
    long statementTimeoutMs;
    @ConfigProperty(name = "wallet.reads.acquisition-timeout-ms")
    long acquisitionTimeoutMs;

    /** A read-only connection of the reads pool, in autocommit: one statement, one snapshot. */
    public Connection connection() throws SQLException {
        return reads.getConnection();
    }

    void check(@Observes StartupEvent start) {
        if (poolSizeMax < 1 || poolSizeMax > POOL_SIZE_MAX_BOUND) {
            throw new IllegalStateException("OPERATOR_READ_POOL_SIZE_MAX must be in 1.." + POOL_SIZE_MAX_BOUND + ", is " + poolSizeMax);
        }
        if (statementTimeoutMs < STATEMENT_TIMEOUT_MS_MIN || statementTimeoutMs > STATEMENT_TIMEOUT_MS_BOUND) {
            throw new IllegalStateException("OPERATOR_READ_STATEMENT_TIMEOUT_MS must be in " + STATEMENT_TIMEOUT_MS_MIN + ".."
                    + STATEMENT_TIMEOUT_MS_BOUND + ", is " + statementTimeoutMs);
        }
        if (acquisitionTimeoutMs < 1 || acquisitionTimeoutMs > ACQUISITION_TIMEOUT_MS_MAX) {
            throw new IllegalStateException("OPERATOR_READ_ACQUISITION_TIMEOUT_MS must be in 1.." + ACQUISITION_TIMEOUT_MS_MAX + ", is "
                    + acquisitionTimeoutMs);
        }
    }
}
