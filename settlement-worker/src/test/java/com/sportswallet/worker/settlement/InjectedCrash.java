package com.sportswallet.worker.settlement;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Singleton;

/**
 * The crash points the worker service hands its consumers in the @QuarkusTests of this module:
 * inert until a test arms it, then the next batch throws the armed Error before its database
 * commit, once (an unexpected exception that escapes the consumer's loop).
 */
@Singleton
public class InjectedCrash implements SettlementConsumer.CrashPoints {
    static final AtomicReference<Error> ARMED = new AtomicReference<>();
    static final AtomicInteger THROWN = new AtomicInteger();

    @Override
    public void beforeDatabaseCommit() {
        Error e = ARMED.getAndSet(null);
        if (e != null) {
            THROWN.incrementAndGet();
            throw e;
        }
    }
}
