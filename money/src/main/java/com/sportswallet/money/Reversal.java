package com.sportswallet.money;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rollback of a settlement whose credit was already applied (DESIGN.md, "Available = settled +
 * pending"): the money goes back out of the wallet now. In the caller's transaction, in the lock
 * order:
 * <ol>
 * <li>{@link #lockCredits}: ONE statement locks the reversed credit and the wallet's PENDING credits
 * (at most CREDIT_FLIP_MAX of them) in credit-id order. If the reversed credit is still PENDING the
 * caller just cancels it ({@link PendingCredit#cancel});</li>
 * <li>else the locked pending credits are applied, exactly as the worker would
 * ({@link CreditBatch#applyLocked}), so the player's own pending money covers the reversal first;</li>
 * <li>{@link #debit}: the wallet row (locked, then updated once) pays the reversal. A shortfall against
 * the settled balance is covered, in this order, by pending credits committed after step 1 (that part
 * stays a negative settled balance, alerted, until the worker applies them: never written off), then
 * by the policy: {@link ShortfallPolicy#NEGATIVE} leaves the rest below zero (alerted),
 * {@link ShortfallPolicy#ABSORB} stops the wallet there and books the rest to the house's write-off
 * account for the currency (locked last): player -reversal, player +absorbed, write-off -absorbed.</li>
 * </ol>
 * Never commits.
 */
public final class Reversal {
    /** ROLLBACK_SHORTFALL: what happens to the part of a reversal the player's money cannot cover. */
    public enum ShortfallPolicy {
        /** The settled balance goes below zero (a {@code wallet.alert}). */
        NEGATIVE,
        /** The house's write-off account takes it (a {@code wallet.alert} with {@code absorbed_amount}). */
        ABSORB
    }

    /** The reserved operator player that owns the write-off wallets (one per currency); no player id can start with "_". */
    public static final String HOUSE_PLAYER_ID = "_house";
    public static final String WRITE_OFF_KIND = "WRITE_OFF";
    public static final String ROLLBACK_OPERATION = "rollback";
    public static final String ABSORBED_OPERATION = "rollback-absorbed";
    public static final String WRITE_OFF_OPERATION = "write-off";

    private static final String LOCK_CREDITS_SQL = "SELECT id, status FROM credit WHERE id = ? OR id IN (SELECT id FROM credit"
            + " WHERE wallet_id = ? AND status = 'PENDING' AND id <> ? ORDER BY id COLLATE \"C\" LIMIT ?)"
            + " ORDER BY id COLLATE \"C\" FOR UPDATE";
    private static final String LOCK_WALLET_SQL = "SELECT balance, pending, version FROM wallet WHERE id = ? FOR NO KEY UPDATE";
    // One statement for the wallet: the reversal, the absorbed part, and player_seq for the rolled-back event (+1) and its alert (+1).
    private static final String DEBIT_SQL = "UPDATE wallet SET balance = balance + ?, version = version + ?, player_seq = player_seq + ?,"
            + " updated_at = now() WHERE id = ? RETURNING balance, version, player_seq, pending";
    private static final String WRITE_OFF_WALLET_SQL = "INSERT INTO wallet (player_id, currency, kind) VALUES ('" + HOUSE_PLAYER_ID + "', ?, '"
            + WRITE_OFF_KIND + "') ON CONFLICT DO NOTHING";
    private static final String WRITE_OFF_SQL = "UPDATE wallet SET balance = balance - ?, version = version + 1, updated_at = now()"
            + " WHERE player_id = '" + HOUSE_PLAYER_ID + "' AND currency = ? AND kind = '" + WRITE_OFF_KIND + "' RETURNING id, balance, version";

    /** The credits {@link #lockCredits} holds: the reversed one's status, and the wallet's other PENDING credits. */
    public record Locked(String reversedStatus, List<String> otherPending) {
    }

    /**
     * What {@link #debit} did.
     *
     * @param wallet the player's wallet after it (balance_after, sequence, the player_seq of the LAST event: the alert when {@code alert})
     * @param absorbed what the write-off account took (0 unless ABSORB met a shortfall)
     * @param alert whether the caller writes a {@code wallet.alert} after the rolled-back event (balance below zero, or absorbed)
     */
    public record Debited(Ledger.Moved wallet, long absorbed, boolean alert) {
        /** The player_seq of the rolled-back event. */
        public long rolledBackSeq() {
            return alert ? wallet.playerSeq() - 1 : wallet.playerSeq();
        }
    }

    private Reversal() {
    }

    /** Step 1: locks the reversed credit and up to {@code flipMax} of the wallet's other PENDING credits, in credit-id order. */
    public static Locked lockCredits(Connection c, String reversedCreditId, long walletId, int flipMax) throws SQLException {
        String reversedStatus = null;
        List<String> others = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(LOCK_CREDITS_SQL)) {
            ps.setString(1, reversedCreditId);
            ps.setLong(2, walletId);
            ps.setString(3, reversedCreditId);
            ps.setInt(4, flipMax);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).equals(reversedCreditId)) {
                        reversedStatus = rs.getString(2);
                    } else if ("PENDING".equals(rs.getString(2))) {
                        others.add(rs.getString(1));
                    }
                }
            }
        }
        if (reversedStatus == null) {
            throw new IllegalStateException("credit " + reversedCreditId + " of an active settlement does not exist");
        }
        return new Locked(reversedStatus, others);
    }

    /**
     * Step 3: debits {@code amount} from the wallet (after the caller applied the locked pending
     * credits), meeting any shortfall as the class comment says. Ledger keys: {@code key} for the
     * reversal, {@code key + ":absorbed"} for the absorbed part on both wallets.
     */
    public static Debited debit(Connection c, long walletId, String currency, long amount, ShortfallPolicy policy, String key)
            throws SQLException {
        long balance;
        long pending;
        long version;
        try (PreparedStatement ps = c.prepareStatement(LOCK_WALLET_SQL)) {
            ps.setLong(1, walletId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("wallet " + walletId + " vanished");
                }
                balance = rs.getLong(1);
                pending = rs.getLong(2);
                version = rs.getLong(3);
            }
        }
        long shortfall = Math.max(0, amount - Math.max(balance, 0));
        long coveredByPending = Math.min(shortfall, pending);
        long absorbed = policy == ShortfallPolicy.ABSORB ? shortfall - coveredByPending : 0;
        long after = balance - amount + absorbed;
        boolean alert = after < 0 || absorbed > 0;
        Ledger.Moved moved;
        try (PreparedStatement ps = c.prepareStatement(DEBIT_SQL)) {
            ps.setLong(1, after - balance);
            ps.setLong(2, absorbed > 0 ? 2 : 1);
            ps.setLong(3, alert ? 2 : 1);
            ps.setLong(4, walletId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                moved = new Ledger.Moved(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        }
        Ledger.entry(c, walletId, -amount, balance - amount, version + 1, ROLLBACK_OPERATION, key);
        if (absorbed > 0) {
            Ledger.entry(c, walletId, absorbed, after, version + 2, ABSORBED_OPERATION, key + ":absorbed");
            writeOff(c, currency, absorbed, key + ":absorbed");
        }
        return new Debited(moved, absorbed, alert);
    }

    /** The house's write-off account for the currency takes {@code absorbed}: created when absent, locked last. */
    private static void writeOff(Connection c, String currency, long absorbed, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(WRITE_OFF_WALLET_SQL)) {
            ps.setString(1, currency);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(WRITE_OFF_SQL)) {
            ps.setLong(1, absorbed);
            ps.setString(2, currency);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no write-off wallet for " + currency);
                }
                Ledger.entry(c, rs.getLong(1), -absorbed, rs.getLong(2), rs.getLong(3), WRITE_OFF_OPERATION, key + ":write-off");
            }
        }
    }
}
