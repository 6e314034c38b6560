package com.sportswallet.notifier.streams;

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
 * @param dedupeAheadMax       per player, how many {@code player_seq} values above the contiguous
 *                             watermark are remembered before the oldest missing ones become holes
 *                             ({@code notifier.dedupe-ahead-max}, DEDUPE_AHEAD_MAX, 10000; 1..1000000).
 *                             Its cost: 8 bytes a value in the player's dedupe row, only while the
 *                             player's events arrive out of order
 */
public record NotifierSettings(long bigWinThreshold, Instant wageringSince, int dedupeAheadMax) {

    public static final long BIG_WIN_THRESHOLD_DEFAULT = 100_000;
    public static final int DEDUPE_AHEAD_MAX_DEFAULT = 10_000;
    public static final int DEDUPE_AHEAD_MAX_LIMIT = 1_000_000;

    public NotifierSettings {
        if (bigWinThreshold < 1) {
            throw new IllegalArgumentException("notifier.big-win-threshold must be >= 1 minor unit: " + bigWinThreshold);
        }
        if (wageringSince == null) {
            throw new IllegalArgumentException("notifier.wagering-since is required");
        }
        if (dedupeAheadMax < 1 || dedupeAheadMax > DEDUPE_AHEAD_MAX_LIMIT) {
            throw new IllegalArgumentException("notifier.dedupe-ahead-max must be 1.." + DEDUPE_AHEAD_MAX_LIMIT + ": " + dedupeAheadMax);
        }
    }

    public static NotifierSettings defaults() {
        return new NotifierSettings(BIG_WIN_THRESHOLD_DEFAULT, Instant.EPOCH, DEDUPE_AHEAD_MAX_DEFAULT);
    }

    public NotifierSettings withBigWinThreshold(long threshold) {
        return new NotifierSettings(threshold, wageringSince, dedupeAheadMax);
    }

    public NotifierSettings withWageringSince(Instant since) {
        return new NotifierSettings(bigWinThreshold, since, dedupeAheadMax);
    }

    public NotifierSettings withDedupeAheadMax(int aheadMax) {
        return new NotifierSettings(bigWinThreshold, wageringSince, aheadMax);
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
}
