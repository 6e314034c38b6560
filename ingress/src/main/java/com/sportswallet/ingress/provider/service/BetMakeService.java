package com.sportswallet.ingress.provider.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.provider.Payload;
import com.sportswallet.ingress.provider.ProtocolException;
import com.sportswallet.ingress.service.Ledger;
import com.sportswallet.ingress.service.WalletEvents;

/**
 * bet/make, the whole money path in one place. ONE transaction, ONE commit ({@code @Transactional};
 * nothing here commits), no network call inside it, the wallet row locked last:
 * <ol>
 * <li>the idempotency claim on ("bet/make", transaction.id): a duplicate replays the first answer;</li>
 * <li>the player's wallet, currency and status (1006, 2002, 1005);</li>
 * <li>the betslip's reference data (sport, category, tournament, event), insert-if-absent in a
 * fixed order, rows sorted by id, so concurrent makes naming the same new sport neither fail nor
 * deadlock;</li>
 * <li>the bet (unique on the provider's make id: a discard tombstone makes it 2004) and its selections;</li>
 * <li>the conditional debit of the stake (2001 when short: the check and the debit are one statement),
 * its ledger entry, and the {@code wallet.bet.placed} outbox row;</li>
 * <li>the stored answer; commit.</li>
 * </ol>
 * Any refusal throws, which rolls back all of it: nothing is written.
 */
@ApplicationScoped
public class BetMakeService {
    public static final String ENDPOINT = "bet/make";

    private static final String WALLET_SQL = "SELECT w.id, w.currency, p.status FROM wallet w JOIN player p ON p.id = w.player_id"
            + " WHERE w.player_id = ? AND w.kind = 'CASH'";
    // One round trip, four statements, always in this order (the fixed lock order of reference rows).
    private static final String REFERENCE_SQL = String.join(";\n",
            "INSERT INTO sport (id, name) SELECT * FROM unnest(?::text[], ?::text[]) ORDER BY 1 ON CONFLICT DO NOTHING",
            "INSERT INTO category (id, sport_id, name) SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) ORDER BY 1 ON CONFLICT DO NOTHING",
            "INSERT INTO tournament (id, category_id, name) SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) ORDER BY 1 ON CONFLICT DO NOTHING",
            "INSERT INTO sport_event (id, tournament_id, name, scheduled) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[])"
                    + " ORDER BY 1 ON CONFLICT DO NOTHING");
    private static final String BET_SQL = "INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake, state, betslip_id, potential_win)"
            + " VALUES (?, ?, ?, ?, ?, ?, 'OPEN', ?, ?) ON CONFLICT DO NOTHING";
    private static final String SELECTIONS_SQL = "INSERT INTO bet_selection (bet_id, position, selection_id, event_id, market_name, outcome_name, odds, live)"
            + " SELECT ?, * FROM unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[])";

    @Inject
    DataSource dataSource;

    /** The fields of a make that decide it, read and checked before the transaction starts. */
    record MakeRequest(String transactionId, String playerId, long amount, String currency, String betslipId,
            Long potentialWin, Betslip betslip) {
    }

    static MakeRequest parse(ObjectNode p) {
        ObjectNode tx = Payload.object(p, "transaction");
        String transactionId = Payload.text(tx, "id");
        long amount = Payload.positiveAmount(Payload.optionalAmount(p, "amount"), "amount");
        String currency = Payload.optionalCurrency(p, "currency");
        if (currency == null) {
            throw ProtocolException.badRequest("currency is required");
        }
        Payload.agree(amount, Payload.optionalAmount(tx, "amount"), "amount");
        Payload.agree(currency, Payload.optionalCurrency(tx, "currency"), "currency");
        String operation = Payload.optionalText(tx, "operation");
        if (operation != null && !operation.equals("bet")) {
            throw ProtocolException.badRequest("transaction.operation must be \"bet\" on bet/make");
        }
        ObjectNode slip = Payload.optionalObject(p, "betslip");
        Long potentialWin = Payload.optionalAmount(p, "potential_win");
        return new MakeRequest(transactionId, Payload.text(p, "player_id"), amount, currency,
                slip == null ? Payload.optionalText(tx, "betslip_id") : Payload.optionalText(slip, "id"), potentialWin,
                Betslip.parse(slip));
    }

    @Transactional(rollbackOn = Exception.class)
    public Answer make(ObjectNode payload) throws SQLException {
        MakeRequest r = parse(payload);
        try (Connection c = dataSource.getConnection()) {
            Answer replay = Callbacks.claim(c, ENDPOINT, r.transactionId(), payload);
            if (replay != null) {
                return replay;
            }
            long walletId = playerWallet(c, r);
            upsertReferences(c, r.betslip());

            String betId = Callbacks.operatorId(ENDPOINT, r.transactionId());
            insertBet(c, betId, walletId, r);

            Ledger.Moved moved = Ledger.debitIfFunded(c, walletId, r.amount(), "bet", ENDPOINT + ":" + r.transactionId());
            if (moved == null) {
                throw new ProtocolException(ProtocolException.NOT_ENOUGH_MONEY, "not enough money for a stake of " + r.amount());
            }
            Instant now = Instant.now();
            ObjectNode data = WalletEvents.withBalance(WalletEvents.data(r.playerId(), r.currency(), -r.amount(), now), moved)
                    .put("bet_id", betId)
                    .put("transaction_id", betId)
                    .put("provider_transaction_id", r.transactionId());
            WalletEvents.append(c, EventTypes.BET_PLACED, betId, r.playerId(), data, now);

            return Callbacks.answer(c, ENDPOINT, r.transactionId(), Callbacks.moneyBody(betId, r.transactionId(), null,
                    r.playerId(), "bet", r.amount(), r.currency(), moved.balanceAfter()));
        }
    }

    /** The player's CASH wallet id, after the player, currency and status checks. */
    private static long playerWallet(Connection c, MakeRequest r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(WALLET_SQL)) {
            ps.setString(1, r.playerId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new ProtocolException(ProtocolException.PLAYER_NOT_FOUND, "player " + r.playerId() + " not found");
                }
                if (!rs.getString(2).equals(r.currency())) {
                    throw new ProtocolException(ProtocolException.INVALID_CURRENCY,
                            "currency " + r.currency() + " is not the player's wallet currency");
                }
                if (!"ACTIVE".equals(rs.getString(3))) {
                    throw new ProtocolException(ProtocolException.PLAYER_BLOCKED, "player " + r.playerId() + " is blocked");
                }
                return rs.getLong(1);
            }
        }
    }

    private static void upsertReferences(Connection c, Betslip slip) throws SQLException {
        if (slip.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(REFERENCE_SQL)) {
            int i = 1;
            ps.setArray(i++, c.createArrayOf("text", slip.sports.keySet().toArray()));
            ps.setArray(i++, c.createArrayOf("text", slip.sports.values().toArray()));
            i = bindRows(c, ps, i, slip.categories);
            i = bindRows(c, ps, i, slip.tournaments);
            ps.setArray(i++, c.createArrayOf("text", slip.events.keySet().toArray()));
            ps.setArray(i++, c.createArrayOf("text", slip.events.values().stream().map(e -> e[0]).toArray()));
            ps.setArray(i++, c.createArrayOf("text", slip.events.values().stream().map(e -> e[1]).toArray()));
            ps.setArray(i, c.createArrayOf("bigint", slip.events.values().stream()
                    .map(e -> e[2] == null ? null : Long.valueOf(e[2])).toArray()));
            ps.execute();
        }
    }

    private static int bindRows(Connection c, PreparedStatement ps, int i, Map<String, String[]> rows) throws SQLException {
        ps.setArray(i++, c.createArrayOf("text", rows.keySet().toArray()));
        ps.setArray(i++, c.createArrayOf("text", rows.values().stream().map(v -> v[0]).toArray()));
        ps.setArray(i++, c.createArrayOf("text", rows.values().stream().map(v -> v[1]).toArray()));
        return i;
    }

    private static void insertBet(Connection c, String betId, long walletId, MakeRequest r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BET_SQL)) {
            ps.setString(1, betId);
            ps.setString(2, r.transactionId());
            ps.setString(3, r.playerId());
            ps.setLong(4, walletId);
            ps.setString(5, r.currency());
            ps.setLong(6, r.amount());
            ps.setString(7, r.betslipId());
            ps.setObject(8, r.potentialWin(), java.sql.Types.BIGINT);
            if (ps.executeUpdate() == 0) {
                // Only a discard tombstone can hold this make's id: the idempotency claim let no other make through.
                throw ProtocolException.badRequest("transaction " + r.transactionId() + " was discarded before it was made");
            }
        }
        List<Betslip.Selection> selections = r.betslip().selections;
        if (selections.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(SELECTIONS_SQL)) {
            ps.setString(1, betId);
            ps.setArray(2, c.createArrayOf("integer", selections.stream().map(Betslip.Selection::position).toArray()));
            ps.setArray(3, c.createArrayOf("text", selections.stream().map(Betslip.Selection::id).toArray()));
            ps.setArray(4, c.createArrayOf("text", selections.stream().map(Betslip.Selection::eventId).toArray()));
            ps.setArray(5, c.createArrayOf("text", selections.stream().map(Betslip.Selection::market).toArray()));
            ps.setArray(6, c.createArrayOf("text", selections.stream().map(Betslip.Selection::outcome).toArray()));
            ps.setArray(7, c.createArrayOf("text", selections.stream().map(Betslip.Selection::odds).toArray()));
            ps.setArray(8, c.createArrayOf("boolean", selections.stream().map(Betslip.Selection::live).toArray()));
            ps.executeUpdate();
        }
    }

    /**
     * The reference data and selections of a betslip, deduplicated and sorted by id (TreeMap):
     * every make inserts reference rows in the same order.
     */
    static final class Betslip {
        /** Upper bound of selections in one betslip. */
        static final int SELECTIONS_MAX = 100;

        record Selection(int position, String id, String eventId, String market, String outcome, String odds, Boolean live) {
        }

        final Map<String, String> sports = new TreeMap<>();
        final Map<String, String[]> categories = new TreeMap<>();
        final Map<String, String[]> tournaments = new TreeMap<>();
        final Map<String, String[]> events = new TreeMap<>();
        final List<Selection> selections = new ArrayList<>();

        boolean isEmpty() {
            return sports.isEmpty() && categories.isEmpty() && tournaments.isEmpty() && events.isEmpty();
        }

        static Betslip parse(ObjectNode slip) {
            Betslip b = new Betslip();
            if (slip == null) {
                return b;
            }
            JsonNode bets = slip.get("bets");
            if (bets == null || bets.isNull()) {
                return b;
            }
            if (!bets.isArray() || bets.size() > SELECTIONS_MAX) {
                throw ProtocolException.badRequest("betslip.bets must be an array of at most " + SELECTIONS_MAX + " selections");
            }
            int position = 0;
            for (JsonNode s : bets) {
                if (!s.isObject()) {
                    throw ProtocolException.badRequest("betslip.bets[" + position + "] must be an object");
                }
                String sportId = Payload.optionalText(s, "sport_id");
                String categoryId = Payload.optionalText(s, "category_id");
                String tournamentId = Payload.optionalText(s, "tournament_id");
                String eventId = Payload.optionalText(s, "event_id");
                if (sportId != null) {
                    b.sports.putIfAbsent(sportId, name(s, "sport_name", sportId));
                }
                if (categoryId != null) {
                    b.categories.putIfAbsent(categoryId, new String[] { sportId, name(s, "category_name", categoryId) });
                }
                if (tournamentId != null) {
                    b.tournaments.putIfAbsent(tournamentId, new String[] { categoryId, name(s, "tournament_name", tournamentId) });
                }
                if (eventId != null) {
                    JsonNode competitors = s.get("competitor_name");
                    String eventName = competitors != null && competitors.isArray() && competitors.size() > 0
                            ? String.join(" - ", toStrings(competitors)) : eventId;
                    JsonNode scheduled = s.get("scheduled");
                    b.events.putIfAbsent(eventId, new String[] { tournamentId, eventName,
                            scheduled != null && scheduled.isIntegralNumber() ? scheduled.asText() : null });
                }
                JsonNode live = s.get("live");
                JsonNode odds = s.get("odds");
                b.selections.add(new Selection(position, Payload.optionalText(s, "id"), eventId, text(s, "market_name"),
                        text(s, "outcome_name"), odds == null || odds.isNull() ? null : odds.asText(),
                        live != null && live.isBoolean() ? live.booleanValue() : null));
                position++;
            }
            return b;
        }

        private static String name(JsonNode s, String field, String fallback) {
            String value = text(s, field);
            return value == null ? fallback : value;
        }

        private static String text(JsonNode s, String field) {
            JsonNode v = s.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            String text = v.asText();
            return text.length() > 512 ? text.substring(0, 512) : text;
        }

        private static List<String> toStrings(JsonNode array) {
            List<String> out = new ArrayList<>();
            array.forEach(n -> out.add(n.asText()));
            return out;
        }
    }
}
