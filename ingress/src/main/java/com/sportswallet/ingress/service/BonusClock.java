package com.sportswallet.ingress.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The wallet's one decision clock: a bonus's expiry (issue 14) and a player session's (issue 15). Its
 * instant is passed into the SQL that redeems, releases or expires a bonus, and that opens, extends,
 * ends or checks a session, decides a self-exclusion, a limit's cooling-off and the period a fact's
 * limit usage books to, never PostgreSQL's own {@code now()}, so a test moves it instead of waiting
 * for a date. (Named for its first use.)
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
