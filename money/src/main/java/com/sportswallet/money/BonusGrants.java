package com.sportswallet.money;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.sportswallet.contracts.BonusGrantCommand;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Topics;

/**
 * The one statement that fans a grant out (issue 14): records each accepted player of a grant
 * ({@code bonus_grant_player}, PENDING) and appends its {@code bonus.grant} record to the outbox, in
 * the caller's transaction. The operator's grant endpoint and a promotion's claim both call it; the
 * {@code bonus_grant} row must exist first.
 */
public final class BonusGrants {
    /** The source of the bonus.grants records. */
    public static final URI SOURCE = URI.create("/wallet/bonus-grants");
    private static final NamedSql RECORD_PLAYERS = NamedSql.load("bonus-grant-players");

    private BonusGrants() {
    }

    /** One accepted player of a grant and the bonus amount it gets, in minor units. */
    public record Entry(String playerId, long amount) {
        public Entry {
            if (playerId == null || playerId.isEmpty() || amount <= 0) {
                throw new IllegalArgumentException("a grant entry needs a player and a positive amount");
            }
        }
    }

    /** The stable id of the bonus.grant record of (requestId, player): a replay of the fan-out has the same ids. */
    public static String eventId(String requestId, String playerId) {
        return CloudEventJson.stableId(BonusGrantCommand.TYPE, requestId, playerId);
    }

    /**
     * Records {@code entries} of grant {@code requestId} and appends one bonus.grants record for each
     * player recorded now; a player already recorded for this request is skipped. Returns the players
     * recorded by this call.
     */
    public static Set<String> recordPlayers(Connection c, String requestId, String bonusType, String currency, List<Entry> entries,
            Instant time) throws SQLException {
        int n = entries.size();
        Object[] players = new Object[n];
        Object[] amounts = new Object[n];
        Object[] eventIds = new Object[n];
        Object[] payloads = new Object[n];
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            players[i] = e.playerId();
            amounts[i] = e.amount();
            eventIds[i] = eventId(requestId, e.playerId());
            payloads[i] = CloudEventJson.serialize((String) eventIds[i], BonusGrantCommand.TYPE, SOURCE, e.playerId(), time,
                    BonusGrantCommand.data(requestId, e.playerId(), e.amount(), currency, bonusType));
        }
        Set<String> recorded = new HashSet<>();
        try (NamedSql.Bound s = RECORD_PLAYERS.prepare(c)) {
            s.set("request_id", requestId).set("topic", Topics.BONUS_GRANTS)
                    .setArray("player_ids", "text", players).setArray("amounts", "bigint", amounts)
                    .setArray("event_ids", "text", eventIds).setArray("payloads", "text", payloads);
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    recorded.add(rs.getString(1));
                }
            }
        }
        return recorded;
    }
}
