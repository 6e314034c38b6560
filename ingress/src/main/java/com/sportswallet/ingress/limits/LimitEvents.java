package com.sportswallet.ingress.limits;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import com.sportswallet.contracts.event.LimitReached;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.money.Limits;
import com.sportswallet.money.WalletEvents;

/**
 * The {@code wallet.limit.reached} events of an accepted make or deposit (issue 15), written after its
 * own event in the same transaction: the wallet row (already locked by the fact's debit or credit)
 * gives them the next player_seq values, so they follow the fact in the player's order.
 */
public final class LimitEvents {
    private LimitEvents() {
    }

    /**
     * @param factId the make's bet id or the deposit's ledger key: with the limit's kind and period it names each event
     */
    public static void appendReached(Connection c, long walletId, String playerId, String currency, List<Limits.Checked> reached, String factId,
            String transactionId, Instant at) throws SQLException {
        if (reached.isEmpty()) {
            return;
        }
        WalletEvents.Advanced advanced = WalletEvents.advance(c, walletId, 0, reached.size());
        long playerSeq = advanced.playerSeq() - reached.size();
        for (Limits.Checked r : reached) {
            playerSeq++;
            WalletEvents.append(c, LimitReached.of(playerId, currency, at, r.kind(), r.period(), r.periodStart(), r.limit(), r.used(),
                    transactionId), factId + "#limit#" + r.kind() + "-" + r.period(), Position.of(playerSeq, advanced.available()), at);
        }
    }
}
