package com.sportswallet.ingress.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sportswallet.money.Ledger;
import com.sportswallet.money.PendingCredit;
import com.sportswallet.money.Reversal;
import com.sportswallet.money.WalletEvents;
import com.sportswallet.testkit.TestInfra;

/**
 * The branch of {@link Reversal} that HTTP cannot stage deterministically: a win committed after
 * the rollback locked the wallet's pending credits, and before it locked the wallet. The rollback
 * did not lock that credit, so it cannot apply it, but the player has it: under
 * ROLLBACK_SHORTFALL=absorb that part of the shortfall must stay a negative settled balance (the
 * worker's later application brings it back), and only the rest may be written off. Driven
 * statement by statement on two connections, with the money module's own statements.
 */
class ReversalLateWinTest {
    private static TestInfra infra;

    @BeforeAll
    static void database() {
        infra = TestInfra.get();
        infra.migrate();
    }

    /** A wallet of 100 settled whose earlier win of 500 (APPLIED) is being rolled back. */
    private record Fixture(String player, long walletId, String reversedCredit) {
    }

    private static Fixture fixture() throws SQLException {
        String player = "late-win-" + UUID.randomUUID();
        try (Connection c = infra.connect()) {
            c.setAutoCommit(false);
            exec(c, "INSERT INTO player (id) VALUES ('" + player + "')");
            long walletId;
            try (ResultSet rs = c.createStatement().executeQuery(
                    "INSERT INTO wallet (player_id, currency) VALUES ('" + player + "', 'EUR') RETURNING id")) {
                rs.next();
                walletId = rs.getLong(1);
            }
            Ledger.apply(c, walletId, 100, "deposit", "deposit:" + player);
            String betId = bet(c, player, walletId, "won");
            String credit = "credit-" + betId;
            PendingCredit.insert(c, credit, walletId, player, betId, PendingCredit.WIN, 500);
            exec(c, "UPDATE credit SET status = 'APPLIED', decided_at = now() WHERE id = '" + credit + "'");
            c.commit();
            return new Fixture(player, walletId, credit);
        }
    }

    @Test
    void aWinCommittedAfterTheCreditLockStaysTheNegativePartAndIsNeverWrittenOff() throws Exception {
        Fixture f = fixture();
        try (Connection rollback = infra.connect(); Connection win = infra.connect()) {
            rollback.setAutoCommit(false);
            win.setAutoCommit(false);
            // Step 1 of the rollback: the reversed credit and the wallet's PENDING credits (none yet).
            Reversal.Locked locked = Reversal.lockCredits(rollback, f.reversedCredit(), f.walletId(), 1000);
            assertEquals("APPLIED", locked.reversedStatus());
            assertEquals(List.of(), locked.otherPending());
            // A win commits now, as SettlementService writes it: its credit, and pending under the wallet lock.
            String betId = bet(win, f.player(), f.walletId(), "late");
            PendingCredit.insert(win, "credit-" + betId, f.walletId(), f.player(), betId, PendingCredit.WIN, 300);
            WalletEvents.advance(win, f.walletId(), 300);
            win.commit();
            // Steps 2 and 3: nothing locked to apply; the reversal of 500 against 100 settled and 300 pending.
            Reversal.Debited debited = Reversal.debit(rollback, f.walletId(), "EUR", 500, Reversal.ShortfallPolicy.ABSORB, "rollback:" + f.player());
            rollback.commit();
            assertEquals(100, debited.absorbed(), "only the shortfall beyond the late win is written off");
            assertTrue(debited.alert());
            assertEquals(-300, debited.wallet().balanceAfter(), "the late win's part stays a negative settled balance");
            assertEquals(0, debited.wallet().available(), "the player keeps nothing: 100 + 300 - 500 + 100 absorbed");
        }
        try (Connection c = infra.connect()) {
            assertEquals(-300, scalar(c, "SELECT balance FROM wallet WHERE id = " + f.walletId()));
            assertEquals(300, scalar(c, "SELECT pending FROM wallet WHERE id = " + f.walletId()));
            assertEquals(100, scalar(c, "SELECT amount FROM ledger_entry WHERE wallet_id = " + f.walletId() + " AND operation = 'rollback-absorbed'"));
        }
    }

    /** The same reversal with no late win: the whole shortfall (400) is written off and the wallet stops at zero. */
    @Test
    void withoutALateWinTheWholeShortfallIsWrittenOff() throws Exception {
        Fixture f = fixture();
        try (Connection rollback = infra.connect()) {
            rollback.setAutoCommit(false);
            Reversal.lockCredits(rollback, f.reversedCredit(), f.walletId(), 1000);
            Reversal.Debited debited = Reversal.debit(rollback, f.walletId(), "EUR", 500, Reversal.ShortfallPolicy.ABSORB, "rollback:" + f.player());
            rollback.commit();
            assertEquals(400, debited.absorbed());
            assertEquals(0, debited.wallet().balanceAfter());
        }
    }

    private static String bet(Connection c, String player, long walletId, String name) throws SQLException {
        String betId = name + "-" + player;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake, state)"
                + " VALUES (?, ?, ?, ?, 'EUR', 10, 'WON')")) {
            ps.setString(1, betId);
            ps.setString(2, "tx-" + betId);
            ps.setString(3, player);
            ps.setLong(4, walletId);
            ps.executeUpdate();
        }
        return betId;
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long scalar(Connection c, String sql) throws SQLException {
        try (var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }
}
