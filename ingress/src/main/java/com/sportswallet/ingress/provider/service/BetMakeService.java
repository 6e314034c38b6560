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
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.Topics;
import com.sportswallet.ingress.idempotency.IdempotencyStore;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.provider.Payload;
import com.sportswallet.ingress.provider.ProtocolException;
import com.sportswallet.ingress.service.MoneySettings;
import com.sportswallet.money.Spend;
import com.sportswallet.money.WalletEvents;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * bet/make, the whole money path in one place. ONE transaction, ONE commit ({@code @Transactional};
 * nothing here commits), no network call inside it, the wallet row locked last, and only four
 * round trips to PostgreSQL, because every one of them is CPU on a box where the database and
 * the JVM share two cores:
 * <ol>
 * <li>the idempotency claim on ("bet/make", transaction.id), and the player's wallet, currency and
 * status (1006, 2002, 1005), and its settled balance read without a lock, which chooses
 * the path ({@link Spend}). A duplicate replays the first answer instead; a concurrent duplicate
 * waits on the claim's unique key until the first commits;</li>
 * <li>the betslip's reference data (sport, category, tournament, event), insert-if-absent in a
 * fixed order with rows sorted by id, so concurrent makes naming the same new sport neither fail
 * nor deadlock; then the bet (unique on the provider's make id: a discard tombstone makes it
 * 2004) and its selections; on the fast path (the settled balance covered the stake) a savepoint;</li>
 * <li>ONE statement that debits the stake only if the settled balance covers it (the check and the
 * debit are one step, and it advances the player's {@code player_seq} by one under the same row
 * lock), writes the ledger entry, the {@code wallet.bet.placed} outbox row and the stored answer,
 * the latter two filled in with the balance, version, player_seq and available balance the debit
 * produced. The wallet row lock is taken here, so it is held for this statement and the commit only;</li>
 * <li>commit.</li>
 * </ol>
 * The slow path (the settled balance alone is short, or a concurrent debit took it): back to the
 * savepoint, apply the wallet's pending credits as the worker would (their {@code credit.applied}
 * events come before the bet's), then the same debit; 2001 when even that is short.
 * Any refusal throws, which rolls back all of it: nothing is written.
 */
@ApplicationScoped
public class BetMakeService {
    public static final String ENDPOINT = "bet/make";

    // Round trip 1: the claim, then the player's wallet (read in the same trip; used only if claimed).
    // The later statements name the wallet by player, not by this read's id, so that nothing waits
    // on this result but the checks: a client can pipeline all three trips' statements.
    private static final String CLAIM_AND_WALLET_SQL = IdempotencyStore.CLAIM_SQL + ";\n"
            + "SELECT w.currency, p.status, w.id, w.balance FROM wallet w JOIN player p ON p.id = w.player_id"
            + " WHERE w.player_id = ? AND w.kind = 'CASH'";
    // Round trip 2: reference rows in a fixed order (the lock order), the bet, its selections.
    private static final String BET_SQL = String.join(";\n",
            "INSERT INTO sport (id, name) SELECT * FROM unnest(?::text[], ?::text[]) ORDER BY 1 ON CONFLICT DO NOTHING",
            "INSERT INTO category (id, sport_id, name) SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) ORDER BY 1 ON CONFLICT DO NOTHING",
            "INSERT INTO tournament (id, category_id, name) SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) ORDER BY 1 ON CONFLICT DO NOTHING",
            "INSERT INTO sport_event (id, tournament_id, name, scheduled) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[])"
                    + " ORDER BY 1 ON CONFLICT DO NOTHING",
            "INSERT INTO bet (id, provider_tx_id, player_id, wallet_id, currency, stake, state, betslip_id, potential_win)"
                    + " VALUES (?, ?, ?, (SELECT id FROM wallet WHERE player_id = ? AND kind = 'CASH'), ?, ?, 'OPEN', ?, ?) ON CONFLICT DO NOTHING",
            "INSERT INTO bet_selection (bet_id, position, selection_id, event_id, market_name, outcome_name, odds, live)"
                    + " SELECT ?, * FROM unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[])");
    private static final int BET_STATEMENT_INDEX = 4;
    // The fast path backs out to this point if its conditional debit updates nothing (Spend).
    private static final String BET_THEN_SAVEPOINT_SQL = BET_SQL + ";\n" + Spend.SAVEPOINT_SQL;
    // Round trip 3: the conditional debit and everything that needs its result, as one statement. The
    // event and the answer are built by the ingress without the wallet's figures, which this statement
    // adds from its own RETURNING (the event's data through jsonb; the answer's balance, its last field,
    // appended), so nothing waits on a further round trip.
    private static final String DEBIT_SQL = "WITH w AS ("
            + " UPDATE wallet SET balance = balance - ?, version = version + 1, player_seq = player_seq + 1, updated_at = now()"
            + " WHERE id = ? AND balance >= ? RETURNING id, balance, version, player_seq, pending),"
            + " l AS (INSERT INTO ledger_entry (wallet_id, amount, balance_after, wallet_version, operation, idempotency_key)"
            + " SELECT id, ?, balance, version, 'bet', ? FROM w),"
            + " o AS (INSERT INTO outbox (topic, msg_key, event_id, payload)"
            + " SELECT ?, ?, ?, jsonb_set(e.ev, '{data}', e.ev -> 'data' || jsonb_build_object('balance_after', w.balance,"
            + " 'sequence', w.version, 'player_seq', w.player_seq, 'available_after', w.balance + w.pending))::text"
            + " FROM w, (SELECT ?::jsonb AS ev) e),"
            + " i AS (UPDATE idempotency_record SET response_status = 200,"
            + " response_body = ? || (w.balance + w.pending)::text || '}', player_seq = w.player_seq FROM w"
            + " WHERE endpoint = ? AND key = ? RETURNING response_body)"
            + " SELECT i.response_body FROM w, i";

    private static final String BALANCE_LAST = "\"balance\":null}";

    @Inject
    DataSource dataSource;
    @Inject
    MoneySettings money;
    @Inject
    MeterRegistry meters;

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
        byte[] requestHash = IdempotencyStore.hash(Payload.canonical(payload));
        try (Connection c = dataSource.getConnection()) {
            WalletRead wallet = claimAndCheckWallet(c, r, requestHash);
            if (wallet == null) {
                return replay(c, r, requestHash);
            }
            String betId = Callbacks.operatorId(ENDPOINT, r.transactionId());
            // The path is chosen before the first wallet statement, from round trip 1's unlocked read.
            boolean fast = Spend.fastPath(wallet.balance(), r.amount());
            insertBet(c, betId, r, fast);
            Spend.Spent<String> spent = Spend.debit(c, wallet.id(), fast, money.creditFlipMax(), () -> debit(c, wallet.id(), betId, r));
            if (spent.flipCapped()) {
                meters.counter(MoneySettings.FLIP_CAPPED_METRIC, "endpoint", ENDPOINT).increment();
            }
            if (spent.debited() == null) {
                throw new ProtocolException(ProtocolException.NOT_ENOUGH_MONEY, "not enough money for a stake of " + r.amount());
            }
            return new Answer(200, spent.debited());
        }
    }

    /** Round trip 1's wallet, read without a lock: it only chooses the path. */
    record WalletRead(long id, long balance) {
    }

    /** Round trip 1. The wallet when this request claimed its key (and the player may bet), null when the key was taken. */
    private static WalletRead claimAndCheckWallet(Connection c, MakeRequest r, byte[] requestHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CLAIM_AND_WALLET_SQL)) {
            ps.setString(1, ENDPOINT);
            ps.setString(2, r.transactionId());
            ps.setBytes(3, requestHash);
            ps.setString(4, r.playerId());
            ps.execute();
            boolean claimed = ps.getUpdateCount() == 1;
            if (!ps.getMoreResults()) {
                throw new IllegalStateException("the wallet read returned no result set");
            }
            if (!claimed) {
                return null;
            }
            try (ResultSet rs = ps.getResultSet()) {
                if (!rs.next()) {
                    throw new ProtocolException(ProtocolException.PLAYER_NOT_FOUND, "player " + r.playerId() + " not found");
                }
                if (!rs.getString(1).equals(r.currency())) {
                    throw new ProtocolException(ProtocolException.INVALID_CURRENCY,
                            "currency " + r.currency() + " is not the player's wallet currency");
                }
                if (!"ACTIVE".equals(rs.getString(2))) {
                    throw new ProtocolException(ProtocolException.PLAYER_BLOCKED, "player " + r.playerId() + " is blocked");
                }
                return new WalletRead(rs.getLong(3), rs.getLong(4));
            }
        }
    }

    /** The key was taken: the stored answer (same payload) or 2004 (another payload). */
    private static Answer replay(Connection c, MakeRequest r, byte[] requestHash) throws SQLException {
        return Callbacks.answerOf(IdempotencyStore.existing(c, ENDPOINT, r.transactionId(), requestHash), r.transactionId());
    }

    /** Round trip 2: reference data, the bet and its selections (and, on the fast path, the savepoint). */
    private static void insertBet(Connection c, String betId, MakeRequest r, boolean fast) throws SQLException {
        Betslip slip = r.betslip();
        List<Betslip.Selection> selections = slip.selections;
        try (PreparedStatement ps = c.prepareStatement(fast ? BET_THEN_SAVEPOINT_SQL : BET_SQL)) {
            int i = 1;
            ps.setArray(i++, c.createArrayOf("text", slip.sports.keySet().toArray()));
            ps.setArray(i++, c.createArrayOf("text", slip.sports.values().toArray()));
            i = bindRows(c, ps, i, slip.categories);
            i = bindRows(c, ps, i, slip.tournaments);
            ps.setArray(i++, c.createArrayOf("text", slip.events.keySet().toArray()));
            ps.setArray(i++, c.createArrayOf("text", slip.events.values().stream().map(e -> e[0]).toArray()));
            ps.setArray(i++, c.createArrayOf("text", slip.events.values().stream().map(e -> e[1]).toArray()));
            ps.setArray(i++, c.createArrayOf("bigint", slip.events.values().stream()
                    .map(e -> e[2] == null ? null : Long.valueOf(e[2])).toArray()));
            ps.setString(i++, betId);
            ps.setString(i++, r.transactionId());
            ps.setString(i++, r.playerId());
            ps.setString(i++, r.playerId());
            ps.setString(i++, r.currency());
            ps.setLong(i++, r.amount());
            ps.setString(i++, r.betslipId());
            ps.setObject(i++, r.potentialWin(), java.sql.Types.BIGINT);
            ps.setString(i++, betId);
            ps.setArray(i++, c.createArrayOf("integer", selections.stream().map(Betslip.Selection::position).toArray()));
            ps.setArray(i++, c.createArrayOf("text", selections.stream().map(Betslip.Selection::id).toArray()));
            ps.setArray(i++, c.createArrayOf("text", selections.stream().map(Betslip.Selection::eventId).toArray()));
            ps.setArray(i++, c.createArrayOf("text", selections.stream().map(Betslip.Selection::market).toArray()));
            ps.setArray(i++, c.createArrayOf("text", selections.stream().map(Betslip.Selection::outcome).toArray()));
            ps.setArray(i++, c.createArrayOf("text", selections.stream().map(Betslip.Selection::odds).toArray()));
            ps.setArray(i, c.createArrayOf("boolean", selections.stream().map(Betslip.Selection::live).toArray()));
            ps.execute();
            for (int statement = 0; statement < BET_STATEMENT_INDEX; statement++) {
                ps.getMoreResults();
            }
            if (ps.getUpdateCount() == 0) {
                // Only a discard tombstone can hold this make's id: the idempotency claim let no other make through.
                throw ProtocolException.badRequest("transaction " + r.transactionId() + " was discarded before it was made");
            }
        }
    }

    private static int bindRows(Connection c, PreparedStatement ps, int i, Map<String, String[]> rows) throws SQLException {
        ps.setArray(i++, c.createArrayOf("text", rows.keySet().toArray()));
        ps.setArray(i++, c.createArrayOf("text", rows.values().stream().map(v -> v[0]).toArray()));
        ps.setArray(i++, c.createArrayOf("text", rows.values().stream().map(v -> v[1]).toArray()));
        return i;
    }

    /**
     * Round trip 3: the conditional debit with its ledger entry, event and stored answer.
     *
     * @return the answer as stored, or null when the balance does not cover the stake
     */
    private static String debit(Connection c, long walletId, String betId, MakeRequest r) throws SQLException {
        Instant now = Instant.now();
        ObjectNode data = WalletEvents.data(r.playerId(), r.currency(), -r.amount(), now)
                .put("stake", r.amount())
                .put("bet_id", betId)
                .put("transaction_id", betId)
                .put("provider_transaction_id", r.transactionId());
        String eventId = CloudEventJson.stableId(EventTypes.BET_PLACED, betId);
        String event = CloudEventJson.serialize(eventId, EventTypes.BET_PLACED, WalletEvents.SOURCE, r.playerId(), now, data);
        // The money body ends with its balance: the statement appends the available balance it produced.
        String body = Callbacks.moneyBody(betId, r.transactionId(), null, r.playerId(), "bet", r.amount(), r.currency(), null);
        if (!body.endsWith(BALANCE_LAST)) {
            throw new IllegalStateException("the money body must end with its balance: " + body);
        }
        String bodyUpToBalance = body.substring(0, body.length() - "null}".length());
        try (PreparedStatement ps = c.prepareStatement(DEBIT_SQL)) {
            int i = 1;
            ps.setLong(i++, r.amount());
            ps.setLong(i++, walletId);
            ps.setLong(i++, r.amount());
            ps.setLong(i++, -r.amount());
            ps.setString(i++, ENDPOINT + ":" + r.transactionId());
            ps.setString(i++, Topics.WALLET_EVENTS);
            ps.setString(i++, r.playerId());
            ps.setString(i++, eventId);
            ps.setString(i++, event);
            ps.setString(i++, bodyUpToBalance);
            ps.setString(i++, ENDPOINT);
            ps.setString(i, r.transactionId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
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
