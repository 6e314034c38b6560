package com.sportswallet.contracts.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;

class WalletFactTest {
    // Only serialised: the value is never compared with the clock.
    private static final Instant AT = Instant.ofEpochSecond(1_000_000_000L);

    @Test
    void everyFactStartsWithThePlayerCurrencySignedAmountAndTime() {
        List<WalletFact> facts = List.of(
                BetPlaced.of("p", "EUR", 125, AT, "b", "tx"),
                BetSettled.of(EventTypes.BET_WON, "p", "EUR", 375, AT, 125, "b", "s", "tx", false),
                BetDiscarded.of("p", "EUR", 125, AT, "b", "d", "tx"),
                BetRolledBack.of("p", "EUR", 375, AT, 125, "b", "r", "tx", "win", "s", AT, Boolean.FALSE, 0),
                CreditApplied.of("p", "EUR", 375, AT, "b", "s", "WIN", AT),
                MoneyMoved.of(EventTypes.WITHDRAWAL, "p", "EUR", -50, AT, "w"),
                StatusChanged.of("p", "EUR", AT, "BLOCKED"),
                Alert.of("p", "EUR", -375, AT, "negative_balance", 0, "b", "r", "tx"));
        List<Long> amounts = List.of(-125L, 375L, 125L, -375L, 375L, -50L, 0L, -375L);
        for (int i = 0; i < facts.size(); i++) {
            ObjectNode data = facts.get(i).data();
            assertEquals(List.of("player_id", "currency", "amount", "occurred_at"), fieldNames(data).subList(0, 4), facts.get(i).type());
            assertEquals(amounts.get(i), data.get("amount").asLong(), facts.get(i).type());
            assertEquals("p", facts.get(i).playerId());
        }
    }

    @Test
    void aRollbackSaysWhatHappenedToItsCreditOnlyWhenThereWasOne() {
        assertFalse(BetRolledBack.of("p", "EUR", 0, AT, 125, "b", "r", "tx", "lost", "s", AT, null, 0).data().has("credit_cancelled"));
        ObjectNode cancelled = BetRolledBack.of("p", "EUR", 375, AT, 125, "b", "r", "tx", "win", "s", AT, Boolean.TRUE, 0).data();
        assertTrue(cancelled.get("credit_cancelled").asBoolean());
        assertFalse(cancelled.has("absorbed_amount"));
        assertEquals(25, BetRolledBack.of("p", "EUR", 375, AT, 125, "b", "r", "tx", "win", "s", AT, Boolean.FALSE, 25).data()
                .get("absorbed_amount").asLong());
    }

    @Test
    void aPositionWritesOnlyWhatTheFactKnows() {
        ObjectNode onlySeq = Position.only(7).writeTo(StatusChanged.of("p", "EUR", AT, "ACTIVE").data());
        assertEquals(7, onlySeq.get("player_seq").asLong());
        assertFalse(onlySeq.has("balance_after") || onlySeq.has("sequence") || onlySeq.has("available_after"));
        ObjectNode moved = Position.moved(8, 900, 3, 1200).writeTo(MoneyMoved.of(EventTypes.DEPOSIT, "p", "EUR", 100, AT, "d").data());
        assertEquals(List.of(900L, 3L, 8L, 1200L), List.of(moved.get("balance_after").asLong(), moved.get("sequence").asLong(),
                moved.get("player_seq").asLong(), moved.get("available_after").asLong()));
        ObjectNode settled = Position.settled(9, 1000, 4).writeTo(CreditApplied.of("p", "EUR", 100, AT, "b", "c", "WIN", AT).data());
        assertFalse(settled.has("available_after"));
        assertEquals(1000, settled.get("balance_after").asLong());
        assertEquals(1200, Position.of(10, 1200).writeTo(BetPlaced.of("p", "EUR", 1, AT, "b", "t").data()).get("available_after").asLong());
    }

    private static List<String> fieldNames(ObjectNode data) {
        java.util.List<String> names = new java.util.ArrayList<>();
        data.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
