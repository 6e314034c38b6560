package com.sportswallet.ingress.provider;

import static com.sportswallet.ingress.provider.RollbackShortfallTest.ledgerCount;
import static com.sportswallet.ingress.provider.RollbackShortfallTest.rollback;
import static com.sportswallet.ingress.provider.RollbackShortfallTest.wonPending;
import static com.sportswallet.ingress.provider.RollbackShortfallTest.wonThenSpent;
import static com.sportswallet.ingress.provider.RollbackShortfallTest.writeOffBalance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.sportswallet.ingress.Db;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.provider.RollbackShortfallTest.Won;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** {@link RollbackShortfallTest} under ROLLBACK_SHORTFALL=absorb: the wallet stops at zero, the write-off account takes the rest. */
@QuarkusTest
@TestProfile(RollbackShortfallAbsorbTest.AbsorbProfile.class)
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class RollbackShortfallAbsorbTest {
    /** ROLLBACK_SHORTFALL=absorb (a restart of the ingress with that setting). */
    public static class AbsorbProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("wallet.money.rollback-shortfall", "absorb");
        }
    }

    @Test
    void theRollbackOfASpentPendingWinStopsAtZeroAndTheWriteOffTakesTheRest() {
        Won w = wonThenSpent();
        long writeOffBefore = writeOffBalance();
        Response r = rollback(w);
        assertEquals(0, r.jsonPath().getLong("balance"));
        assertEquals(0, OperatorApiTest.settledBalance(w.player()));
        assertEquals(1, ledgerCount(w.player(), "rollback"));
        assertEquals(1, Db.count("SELECT count(*) FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE w.player_id = '" + w.player()
                + "' AND l.operation = 'rollback-absorbed' AND l.amount = 250 AND l.balance_after = 0"));
        assertEquals(writeOffBefore - 250, writeOffBalance(), "the house's write-off account took the shortfall");
        String rollbackKey = ProviderConcurrencyTest.text("SELECT l.idempotency_key FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id"
                + " WHERE w.player_id = ? AND l.operation = 'rollback'", w.player());
        assertEquals(1, Db.count("SELECT count(*) FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE w.kind = 'WRITE_OFF'"
                + " AND w.player_id = '_house' AND l.operation = 'write-off' AND l.amount = -250"
                + " AND l.idempotency_key = '" + rollbackKey + ":absorbed:write-off'"));
        assertEquals(0, Db.ledgerDiscrepancies());
    }

    @Test
    void aShortfallTheSettledBalanceCoversIsNotAbsorbed() {
        Won w = wonPending();
        assertTrue(CreditApplier.apply(w.winId()));
        Response r = rollback(w);
        assertEquals(0, r.jsonPath().getLong("balance"), "300 - 300: covered, nothing absorbed");
        assertEquals(0, ledgerCount(w.player(), "rollback-absorbed"));
    }

    @Test
    void otherPendingCreditsPayFirst() {
        RollbackShortfallTest.otherPendingCreditsPayFirst();
    }
}
