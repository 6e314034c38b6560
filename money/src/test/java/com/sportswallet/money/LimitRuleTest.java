package com.sportswallet.money;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The limit rules of {@link Limits} that need no database: the cooling-off, the checks, what a fact books. */
class LimitRuleTest {
    private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration DAY = Duration.ofHours(24);
    private static final List<String> BET = BetMake.LIMIT_KINDS;
    private static final List<String> DEPOSIT = Limits.DEPOSIT_KINDS;

    @Test
    void aFirstLimitAndADecreaseAreAtOnceAnIncreaseOrRemovalWaits() {
        Limits.Limit first = Limits.Limit.NONE.change(500L, AT, DAY);
        assertEquals(new Limits.Limit(500L, null, null), first);
        Limits.Limit increase = first.change(900L, AT, DAY);
        assertEquals(new Limits.Limit(500L, 900L, AT.plus(DAY)), increase);
        assertEquals(500L, increase.inForce(AT.plus(DAY).minusSeconds(1)));
        assertEquals(900L, increase.inForce(AT.plus(DAY)));
        Limits.Limit replaced = increase.change(800L, AT.plusSeconds(60), DAY);
        assertEquals(new Limits.Limit(500L, 800L, AT.plusSeconds(60).plus(DAY)), replaced, "a new increase replaces the pending one");
        assertEquals(new Limits.Limit(400L, null, null), replaced.change(400L, AT, DAY), "a decrease cancels it");
        assertEquals(new Limits.Limit(500L, null, null), replaced.change(500L, AT, DAY), "the value in force again cancels it");
        Limits.Limit removal = first.change(null, AT, DAY);
        assertEquals(new Limits.Limit(500L, null, AT.plus(DAY)), removal);
        assertNull(removal.inForce(AT.plus(DAY)));
        // An effective pending change is the value the next change starts from.
        assertEquals(new Limits.Limit(850L, null, null), increase.change(850L, AT.plus(DAY), DAY), "850 < 900 in force: a decrease");
    }

    @Test
    void theChecksRefuseOnlyAboveALimit() {
        Limits.Usage reached = new Limits.Usage("day", LocalDate.of(2026, 3, 1), 200, -50, 1000, 200L, 100L, 1000L);
        assertNull(Limits.over(List.of(reached), BET));
        assertNull(Limits.over(List.of(reached), DEPOSIT));
        assertEquals(new Limits.Checked("wager", "week", LocalDate.of(2026, 2, 23), 200, 201),
                Limits.over(List.of(new Limits.Usage("week", LocalDate.of(2026, 2, 23), 201, 0, 0, 200L, null, null)), BET));
        assertEquals(new Limits.Checked("loss", "week", LocalDate.of(2026, 2, 23), 100, 101),
                Limits.over(List.of(new Limits.Usage("week", LocalDate.of(2026, 2, 23), 0, 101, 0, null, 100L, null)), BET));
        assertEquals(new Limits.Checked("deposit", "month", LocalDate.of(2026, 3, 1), 1000, 1001),
                Limits.over(List.of(new Limits.Usage("month", LocalDate.of(2026, 3, 1), 0, 0, 1001, null, null, 1000L)), DEPOSIT));
        assertNull(Limits.over(List.of(new Limits.Usage("month", LocalDate.of(2026, 3, 1), 0, 0, 1001, null, null, 1000L)), BET),
                "a make is not checked against a deposit limit");
        List<Limits.Usage> usage = List.of(reached);
        assertEquals("{\"day\":{\"wager\":[200,200],\"loss\":[100,-50]}}", Limits.checked(usage, List.of("wager", "loss")));
        assertEquals(List.of(new Limits.Checked("wager", "day", LocalDate.of(2026, 3, 1), 200, 200)), Limits.reached(usage, BET));
        assertNull(Limits.checked(List.of(new Limits.Usage("day", LocalDate.of(2026, 3, 1), 1, 1, 0, null, null, null)), List.of("wager")));
    }

    @Test
    void whatEachFactBooks() {
        assertEquals(new Limits.Booking(300, 300, 0), Limits.Booking.make(300));
        assertEquals(new Limits.Booking(0, -900, 0), Limits.Booking.settlement("WON", 900));
        assertEquals(new Limits.Booking(0, -900, 0), Limits.Booking.settlement("CASHED_OUT", 900));
        assertEquals(new Limits.Booking(-100, -100, 0), Limits.Booking.settlement("REFUNDED", 100));
        assertTrue(Limits.Booking.settlement("LOST", 0).isNone());
        assertEquals(new Limits.Booking(0, 900, 0), Limits.Booking.settlement("WON", 900).reversed());
        assertTrue(Limits.Booking.make(0).isNone(), "a freebet's cash stake books nothing");
        assertEquals(new Limits.Booking(0, 0, 50), Limits.Booking.deposit(50));
    }

    @Test
    void theDayIsTheLocalDateInTheZone() {
        Instant lateUtc = Instant.parse("2026-03-01T23:30:00Z");
        assertEquals(LocalDate.of(2026, 3, 1), Limits.day(lateUtc, ZoneId.of("UTC")));
        assertEquals(LocalDate.of(2026, 3, 2), Limits.day(lateUtc, ZoneId.of("Europe/Berlin")));
    }
}
