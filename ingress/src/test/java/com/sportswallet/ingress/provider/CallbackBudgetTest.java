package com.sportswallet.ingress.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.provider.budget.CallbackBudget;
import com.sportswallet.testkit.RealInfraResource;
import com.sportswallet.testkit.TestInfra;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Issue 12, finding 4: the callback timeout holds per request. A budget of 900 ms here (1,500 ms
 * timeout, 600 ms margin) against the database's 1,000 ms lock timeout: a make whose bet insert waits
 * on a wallet row another session holds is cancelled by its budget, not by the lock timeout after
 * the provider gave up. It is a 503 with nothing written, and its retry after the lock is released
 * is decided normally. (Asserted on the cause, the budget's metric, never on a duration.)
 */
@QuarkusTest
@TestProfile(CallbackBudgetTest.ShortBudget.class)
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class CallbackBudgetTest {
    public static class ShortBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The start check keeps lock < statement < callback timeout; the budget (1,500 - 600 = 900 ms)
            // ends before the 1,000 ms lock timeout would.
            return Map.of("wallet.callback-timeout-ms", "1500", "wallet.callback-answer-margin-ms", "600", "wallet.db.lock-timeout-ms", "1000",
                    "wallet.db.statement-timeout-ms", "1400");
        }
    }

    @Inject
    MeterRegistry meters;

    private double spentDuring() {
        Counter c = meters.find(CallbackBudget.SPENT_METRIC).tag("when", "during-transaction").counter();
        return c == null ? 0 : c.count();
    }

    /**
     * A make of another player until one is answered 200 (at most {@value #WARM_UP_MAKES_MAX}): this profile starts a
     * fresh ingress, whose first make loads the batch path's classes and opens its connections; on a busy 2-core CI
     * box that alone once took the whole 900 ms budget of the retry below (503, "budget ended during its
     * transaction"). The retry must meet a warm ingress, as in production.
     */
    private static void warmUp() {
        String other = OperatorApiTest.createPlayer("EUR");
        ProviderConcurrencyTest.deposit(other, 1_000);
        for (int i = 0; i < WARM_UP_MAKES_MAX; i++) {
            if (Provider.call("bet/make", Provider.make(other, Provider.txId(), 10, "EUR")).statusCode() == 200) {
                return;
            }
        }
        throw new AssertionError("no make answered 200 in " + WARM_UP_MAKES_MAX + " tries");
    }

    static final int WARM_UP_MAKES_MAX = 5;

    @Test
    void aMakeWaitingOnALockIsCancelledByItsBudgetWritesNothingAndItsRetrySucceeds() throws Exception {
        warmUp();
        String player = OperatorApiTest.createPlayer("EUR");
        ProviderConcurrencyTest.deposit(player, 1_000);
        String tx = Provider.txId();
        Map<String, Object> make = Provider.make(player, tx, 100, "EUR");
        double before = spentDuring();
        try (Connection holder = TestInfra.get().connect()) {
            holder.setAutoCommit(false);
            // Blocks the bet insert's foreign-key check (FOR KEY SHARE on the wallet row).
            try (PreparedStatement ps = holder.prepareStatement("SELECT id FROM wallet WHERE player_id = ? FOR UPDATE")) {
                ps.setString(1, player);
                ps.executeQuery().close();
            }
            Response r = Provider.call("bet/make", make);
            assertEquals(503, r.statusCode(), r.asString());
            assertEquals(before + 1, spentDuring(), "the budget, not the 1 s lock timeout, ended the make");
            holder.rollback();
        }
        assertNull(ProviderConcurrencyTest.text("SELECT key FROM idempotency_record WHERE endpoint = 'bet/make' AND key = ?", tx),
                "nothing written: not even the idempotency claim");
        assertNull(ProviderConcurrencyTest.text("SELECT id FROM bet WHERE provider_tx_id = ?", tx));
        Response retry = Provider.call("bet/make", make);
        assertEquals(200, retry.statusCode(), retry.asString());
        assertEquals(900, retry.jsonPath().getLong("balance"));
    }
}
