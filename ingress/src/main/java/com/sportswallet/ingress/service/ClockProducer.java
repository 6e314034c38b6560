package com.sportswallet.ingress.service;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * The one clock of the ingress's time-bound decisions (issue 14: a promotion's expiry, a claim's
 * time). Passed into SQL as a {@code :now} parameter, never read there with {@code now()}, so a test
 * (or a replay) can decide with the clock it injects.
 */
@ApplicationScoped
public class ClockProducer {
    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }
}
