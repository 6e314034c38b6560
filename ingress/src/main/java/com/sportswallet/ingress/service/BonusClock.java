package com.sportswallet.ingress.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one clock that decides a bonus's expiry (issue 14): its instant is passed into the SQL that
 * redeems, releases or expires a bonus, never PostgreSQL's own {@code now()}, so a test moves it
 * instead of waiting for a date.
 */
@ApplicationScoped
public class BonusClock {
    private volatile Clock clock = Clock.systemUTC();

    public Instant instant() {
        return clock.instant();
    }

    /** Tests only: the clock runs {@code offset} ahead of the system's (Duration.ZERO restores it). */
    public void shift(Duration offset) {
        clock = Clock.offset(Clock.systemUTC(), offset);
    }
}
