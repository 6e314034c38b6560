package com.sportswallet.ingress.service;

import java.time.Duration;
import java.time.ZoneId;

import io.smallrye.config.ConfigMapping;

/**
 * Responsible-gaming limits (issue 15). Defaults live once, in application.properties (with their
 * environment variables).
 */
@ConfigMapping(prefix = "wallet.limits")
public interface LimitSettings {
    /** A year: the longest cooling-off accepted. */
    int INCREASE_DELAY_HOURS_MAX = 8_760;

    /**
     * LIMITS_TIME_ZONE (default UTC): the zone whose calendar day, ISO week and month are a limit's
     * periods. A change moves the period a new fact books to; facts already booked keep their day.
     */
    ZoneId timeZone();

    /**
     * LIMIT_INCREASE_DELAY_HOURS (default 24, 0..8,760): the cooling-off before a limit's increase or
     * removal takes effect (a first limit and a decrease take effect at once).
     */
    int increaseDelayHours();

    default Duration increaseDelay() {
        return Duration.ofHours(increaseDelayHours());
    }
}
