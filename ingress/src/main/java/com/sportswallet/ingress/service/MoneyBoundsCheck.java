package com.sportswallet.ingress.service;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.quarkus.runtime.StartupEvent;

/** Refuses to start with a money bound out of its range: a misconfiguration fails at start, not under load. */
@Singleton
public class MoneyBoundsCheck {
    void check(@Observes StartupEvent start, MoneySettings money, LimitSettings limits) {
        if (limits.increaseDelayHours() < 0 || limits.increaseDelayHours() > LimitSettings.INCREASE_DELAY_HOURS_MAX) {
            throw new IllegalStateException("LIMIT_INCREASE_DELAY_HOURS must be in 0.." + LimitSettings.INCREASE_DELAY_HOURS_MAX + ", is "
                    + limits.increaseDelayHours());
        }
        if (money.creditFlipMax() < 1 || money.creditFlipMax() > MoneySettings.CREDIT_FLIP_MAX_BOUND) {
            throw new IllegalStateException("CREDIT_FLIP_MAX must be in 1.." + MoneySettings.CREDIT_FLIP_MAX_BOUND + ", is "
                    + money.creditFlipMax());
        }
    }
}
