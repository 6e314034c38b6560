package com.sportswallet.notifier.streams;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The topology's settings (application.properties, environment variables in brackets).
 *
 * @param bigWinThreshold      minor units; a win (or cash-out) of exactly this amount or more is a
 *                             big win ({@code notifier.big-win-threshold}, BIG_WIN_THRESHOLD, 100000)
 * @param wageringSince        settlements that occurred at or after this instant count towards
 *                             wagering ({@code notifier.wagering-since}, WAGERING_SINCE, 1970-01-01)
 * @param dedupeRetention      how long an event id is remembered to drop its duplicates, in event
 *                             time: behind the latest event of the partition
 *                             ({@code notifier.dedupe-retention}, DEDUPE_RETENTION, P7D)
 * @param betRetention         how long a settled or discarded bet's state is kept after its last
 *                             event, in stream time; open bets are kept until they settle
 *                             ({@code notifier.bet-retention}, BET_RETENTION, P30D)
 * @param betPurgeInterval     how often (stream time) settled bets older than the retention are
 *                             dropped ({@code notifier.bet-purge-interval}, PT1H)
 */
public record NotifierSettings(long bigWinThreshold, Instant wageringSince, Duration dedupeRetention, Duration betRetention,
        Duration betPurgeInterval) {

    public static final long BIG_WIN_THRESHOLD_DEFAULT = 100_000;

    public NotifierSettings {
        if (bigWinThreshold < 1) {
            throw new IllegalArgumentException("notifier.big-win-threshold must be >= 1 minor unit: " + bigWinThreshold);
        }
        requirePositive(dedupeRetention, "notifier.dedupe-retention");
        requirePositive(betRetention, "notifier.bet-retention");
        requirePositive(betPurgeInterval, "notifier.bet-purge-interval");
    }

    public static NotifierSettings defaults() {
        return new NotifierSettings(BIG_WIN_THRESHOLD_DEFAULT, Instant.EPOCH, Duration.ofDays(7), Duration.ofDays(30),
                Duration.ofHours(1));
    }

    public NotifierSettings withBigWinThreshold(long threshold) {
        return new NotifierSettings(threshold, wageringSince, dedupeRetention, betRetention, betPurgeInterval);
    }

    public NotifierSettings withWageringSince(Instant since) {
        return new NotifierSettings(bigWinThreshold, since, dedupeRetention, betRetention, betPurgeInterval);
    }

    public NotifierSettings withDedupeRetention(Duration retention) {
        return new NotifierSettings(bigWinThreshold, wageringSince, retention, betRetention, betPurgeInterval);
    }

    public NotifierSettings withBetRetention(Duration retention, Duration purgeInterval) {
        return new NotifierSettings(bigWinThreshold, wageringSince, dedupeRetention, retention, purgeInterval);
    }

    /** An ISO date (start of that day, UTC), or an ISO instant or offset date-time. */
    public static Instant parseSince(String text) {
        String t = text.trim();
        try {
            return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException notADate) {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("notifier.wagering-since is neither an ISO date nor an ISO date-time: " + text, e);
            }
        }
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
