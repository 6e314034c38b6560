package com.sportswallet.ingress.model;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.model.Answer.Applied;
import com.sportswallet.ingress.model.Answer.BalanceBody;
import com.sportswallet.ingress.model.Answer.DiscardBalance;
import com.sportswallet.ingress.model.Answer.Empty;
import com.sportswallet.ingress.model.Answer.Money;
import com.sportswallet.ingress.model.Answer.NoCredit;
import com.sportswallet.ingress.model.Answer.Ok;
import com.sportswallet.ingress.model.Answer.OperatorMoney;
import com.sportswallet.ingress.model.Answer.OperatorRefused;
import com.sportswallet.ingress.model.Answer.Refused;
import com.sportswallet.ingress.model.SequenceGenerator.Call;
import com.sportswallet.ingress.model.SequenceGenerator.Sequence;
import com.sportswallet.ingress.provider.CreditApplier;
import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.testkit.TestInfra;

import io.restassured.response.Response;

/**
 * The real wallet behind the model test: turns an {@link Op} into the HTTP call (or the worker's
 * apply) the ingress serves, judges an answer against the model's, and reads what the database
 * holds for a sequence (wallets, bets, credits, settlements, bonuses, and issue 15's sessions,
 * exclusions, limits and limit usage) in the model's terms. A bonus grant and revoke are direct
 * statements: a grant inserts the rows the granting consumer records (as BonusBetsTest does; so an
 * excluded player is granted too, which the consumer would refuse: the model grants alike); a
 * revoke is the conditional ACTIVE -> REVOKED the operator's revoke ends with. Sessions are named
 * by the model's labels: {@link #sessionId} is the wallet's id of the session opened under one, or
 * an id no session has.
 */
final class RealWallet implements AutoCloseable {
    /** A provider retries a 503 with the same payload, re-signed; at most this many tries per call. */
    static final int PROVIDER_TRIES_MAX = 5;
    /** Every session is opened (and extended) for a day, the longest allowed: none expires within a run. */
    static final long SESSION_TTL_SECONDS = 86_400;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The wallet's session ids by the model's labels (labels carry the run's prefix: unique), and back. */
    private static final Map<String, String> SESSION_IDS = new ConcurrentHashMap<>();
    private static final Map<String, String> SESSION_LABELS = new ConcurrentHashMap<>();

    /**
     * The instant a {@link Op.SetExclusion}'s {@code untilDays} count from: the start of the one day the
     * test holds the wallet clock in (ProtocolModelTest sets it), so every exclusion ends after the run.
     */
    static volatile Instant exclusionBase = Instant.EPOCH;

    /** The wallet's id of the session opened under {@code label}, or one that names no session (a UUID no session has). */
    static String sessionId(String label) {
        String id = label == null ? null : SESSION_IDS.get(label);
        return id != null ? id : UUID.nameUUIDFromBytes(("no session " + label).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    /** One connection for the reads of every sequence (opened on first use). */
    private Connection reads;

    private Connection reads() throws SQLException {
        if (reads == null || reads.isClosed()) {
            reads = TestInfra.get().connect();
        }
        return reads;
    }

    @Override
    public void close() throws SQLException {
        if (reads != null) {
            reads.close();
        }
    }

    /** What came back: HTTP status and body (the worker's apply is shown as 200 {"applied":b}, or 404 when the credit does not exist). */
    record Observed(int status, String body) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** The wallet state the model and the database are compared on. */
    record Snapshot(Map<String, WalletModel.WalletView> wallets, Map<String, String> bets, Map<String, String> credits,
            Map<String, String> settlements, Map<String, String> bonuses, Map<String, String> sessions, Map<String, String> exclusions,
            Map<String, String> limits, Map<String, String> usage) {

        static Snapshot of(WalletModel m, Sequence seq) {
            Map<String, WalletModel.WalletView> wallets = new TreeMap<>();
            for (String p : seq.players()) {
                if (m.hasPlayer(p)) {
                    wallets.put(p, m.wallet(p));
                }
            }
            return new Snapshot(wallets, m.betStates(), m.creditStatuses(), m.settlementStates(), m.bonusStates(), m.sessionStates(),
                    m.exclusionStates(), m.limitStates(), m.usageStates());
        }

        String difference(Snapshot real, String prefix) {
            StringBuilder sb = new StringBuilder();
            diff(sb, "wallet", wallets, real.wallets);
            diff(sb, "bet", bets, real.bets);
            diff(sb, "credit", credits, real.credits);
            diff(sb, "settlement", settlements, real.settlements);
            diff(sb, "bonus", bonuses, real.bonuses);
            diff(sb, "session", sessions, real.sessions);
            diff(sb, "exclusion", exclusions, real.exclusions);
            diff(sb, "limit", limits, real.limits);
            diff(sb, "usage", usage, real.usage);
            return sb.toString().replace(prefix, "");
        }

        private static <V> void diff(StringBuilder sb, String what, Map<String, V> model, Map<String, V> real) {
            TreeMap<String, Object> all = new TreeMap<>();
            model.keySet().forEach(k -> all.put(k, ""));
            real.keySet().forEach(k -> all.put(k, ""));
            for (String k : all.keySet()) {
                if (!Objects.equals(model.get(k), real.get(k))) {
                    sb.append("    ").append(what).append(' ').append(k).append(": model ").append(model.get(k)).append(", real ")
                            .append(real.get(k)).append('\n');
                }
            }
        }
    }

    static String operatorId(Key key) {
        return Provider.operatorId(key.endpoint(), key.tx());
    }

    static String betId(String betTx) {
        return Provider.operatorId(Key.MAKE, betTx);
    }

    // ---- calls ----

    /** Sends the call as the provider, the operator or the worker would. */
    Observed send(Call call) {
        Op op = call.op();
        if (op instanceof Op.CreatePlayer c) {
            // bet/make needs an open session of its player (issue 15): the sequence's setup opens one (Op.OpenSession).
            return observed(OperatorApiTest.operator().body("{\"currency\":\"" + c.currency() + "\"}")
                    .put("/operator/players/" + c.player()));
        }
        if (op instanceof Op.OpenSession o) {
            Observed opened = observed(OperatorApiTest.operator().body("{\"ttl_seconds\":" + SESSION_TTL_SECONDS + "}")
                    .post("/operator/players/" + o.player() + "/sessions"));
            if (opened.status() == 201) {
                String id = parse(opened.body()).path("session_id").asText();
                SESSION_IDS.put(o.session(), id);
                SESSION_LABELS.put(id, o.session());
            }
            return opened;
        }
        if (op instanceof Op.EndSession e) {
            return observed(OperatorApiTest.operator().delete("/operator/players/" + e.player() + "/sessions/" + sessionId(e.session())));
        }
        if (op instanceof Op.ExtendSession e) {
            return observed(OperatorApiTest.operator().body("{\"ttl_seconds\":" + SESSION_TTL_SECONDS + "}")
                    .put("/operator/players/" + e.player() + "/sessions/" + sessionId(e.session())));
        }
        if (op instanceof Op.SetExclusion x) {
            ObjectNode body = JSON.createObjectNode();
            if (x.untilDays() == null) {
                body.putNull("until");
            } else {
                body.put("until", exclusionBase.plus(Duration.ofDays(x.untilDays())).toString());
            }
            body.put("reason", "model test");
            return observed(OperatorApiTest.operator().body(body.toString()).put("/operator/players/" + x.player() + "/exclusion"));
        }
        if (op instanceof Op.SetLimits l) {
            ObjectNode body = JSON.createObjectNode();
            for (Op.LimitChange c : l.changes()) {
                ObjectNode kind = body.has(c.kind()) ? (ObjectNode) body.get(c.kind()) : body.putObject(c.kind());
                if (c.value() == null) {
                    kind.putNull(c.period());
                } else {
                    kind.put(c.period(), c.value());
                }
            }
            return observed(OperatorApiTest.operator().body(body.toString()).put("/operator/players/" + l.player() + "/limits"));
        }
        if (op instanceof Op.ReadLimits l) {
            return observed(OperatorApiTest.operator().get("/operator/players/" + l.player() + "/limits"));
        }
        if (op instanceof Op.Deposit d) {
            return observed(OperatorApiTest.deposit(d.player(), d.key(), d.amount()));
        }
        if (op instanceof Op.Withdraw w) {
            return observed(OperatorApiTest.withdraw(w.player(), w.key(), w.amount()));
        }
        if (op instanceof Op.SetBlocked b) {
            return observed(OperatorApiTest.operator().body("{\"status\":\"" + (b.blocked() ? "BLOCKED" : "ACTIVE") + "\"}")
                    .put("/operator/players/" + b.player() + "/status"));
        }
        if (op instanceof Op.GrantBonus g) {
            return grant(g);
        }
        if (op instanceof Op.RevokeBonus rv) {
            return update("UPDATE bonus SET status = 'REVOKED', version = version + 1, updated_at = now() WHERE id = ? AND status = 'ACTIVE'",
                    rv.bonusId());
        }
        if (op instanceof Op.ApplyCredit a) {
            try {
                return new Observed(200, "{\"applied\":" + CreditApplier.apply(operatorId(a.credit())) + "}");
            } catch (IllegalArgumentException e) {
                return new Observed(404, e.getMessage());
            }
        }
        String endpoint = endpoint(op);
        Map<String, Object> payload = present(payload(op), call.reorderKeys(), call.decimalNumbers());
        Response r = Provider.call(endpoint, payload);
        for (int tries = 1; r.statusCode() == 503 && tries < PROVIDER_TRIES_MAX; tries++) {
            r = Provider.call(endpoint, payload);
        }
        return observed(r);
    }

    /** The rows the granting consumer records for one player's bonus: its grant and the bonus, ACTIVE for an hour. */
    private static Observed grant(Op.GrantBonus g) {
        String requestId = "grant-" + g.bonusId();
        try (Connection c = TestInfra.get().connect()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus_grant (request_id, request_hash, bonus_type, currency,"
                    + " expires_at, players_total) VALUES (?, '\\x00', ?, 'EUR', now() + interval '1 hour', 1)")) {
                ps.setString(1, requestId);
                ps.setString(2, g.bonusType());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bonus (id, player_id, wallet_id, bonus_type, amount, currency,"
                    + " expires_at, request_id) SELECT ?, ?, w.id, ?, ?, 'EUR', now() + interval '1 hour', ? FROM wallet w"
                    + " WHERE w.player_id = ? AND w.kind = 'CASH'")) {
                ps.setString(1, g.bonusId());
                ps.setString(2, g.player());
                ps.setString(3, g.bonusType());
                ps.setLong(4, g.amount());
                ps.setString(5, requestId);
                ps.setString(6, g.player());
                return ps.executeUpdate() == 1 ? new Observed(201, "{}") : new Observed(404, "no wallet for " + g.player());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One conditional statement on its own connection: 200 {"applied": whether it changed a row}. */
    private static Observed update(String sql, String id) {
        try (Connection c = TestInfra.get().connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            return new Observed(200, "{\"applied\":" + (ps.executeUpdate() == 1) + "}");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Observed observed(Response r) {
        return new Observed(r.statusCode(), r.asString());
    }

    static String endpoint(Op op) {
        if (op instanceof Op.Make) {
            return Key.MAKE;
        }
        if (op instanceof Op.Settle s) {
            return s.kind().endpoint;
        }
        if (op instanceof Op.Rollback) {
            return Key.ROLLBACK;
        }
        if (op instanceof Op.Discard) {
            return Key.DISCARD;
        }
        if (op instanceof Op.Commit) {
            return "bet/commit";
        }
        if (op instanceof Op.ProviderStatus) {
            return "bet/settlement";
        }
        if (op instanceof Op.Balance) {
            return "balance";
        }
        throw new IllegalArgumentException("not a callback: " + op);
    }

    /** The callback's payload, built by the tests' {@link Provider} (deterministic in the op's fields). */
    static Map<String, Object> payload(Op op) {
        if (op instanceof Op.Make m) {
            Map<String, Object> p = Provider.make(m.player(), m.tx(), m.stake(), m.currency());
            // The session the model's make names, by its label (issue 15).
            p.put("session_id", sessionId(m.session()));
            if (m.bonusType() != null) {
                // As BonusBetsTest sends it: the type, the id at the top level and in the transaction, a comboboost's potential win.
                p.put("bonus_type", m.bonusType());
                if (m.bonusId() != null) {
                    p.put("bonus_id", m.bonusId());
                    Provider.child(p, "transaction").put("bonus_id", m.bonusId());
                }
                if (m.bonusType().endsWith("comboboost")) {
                    p.put("potential_comboboost_win", m.stake() * 3);
                }
            }
            return p;
        }
        if (op instanceof Op.Settle s) {
            String bet = betId(s.betTx());
            return switch (s.kind()) {
                case WIN -> Provider.win(bet, s.tx(), s.amount(), s.currency());
                case CASHOUT -> Provider.cashout(bet, s.tx(), s.amount(), s.currency());
                case LOST -> Provider.lost(bet, s.tx(), s.currency());
                case REFUND -> Provider.refund(bet, s.tx(), s.amount());
            };
        }
        if (op instanceof Op.Rollback rb) {
            return Provider.rollback(betId(rb.betTx()), rb.tx(), operatorId(rb.parent()));
        }
        if (op instanceof Op.Discard d) {
            Map<String, Object> p = Provider.discard(d.extPlayer(), d.makeTx());
            p.put("reason", d.reason());
            return p;
        }
        if (op instanceof Op.Commit c) {
            return Provider.commit(betId(c.betTx()));
        }
        if (op instanceof Op.ProviderStatus s) {
            return Provider.settlementStatus(betId(s.betTx()), s.status());
        }
        if (op instanceof Op.Balance b) {
            Map<String, Object> p = Provider.balance(b.player());
            if (b.currency() != null) {
                p.put("currency", b.currency());
            }
            return p;
        }
        throw new IllegalArgumentException("not a callback: " + op);
    }

    /** The same JSON value written another way: object keys in reverse order, and/or integers as decimals (100 as 100.0). */
    @SuppressWarnings("unchecked")
    static <T> T present(T value, boolean reorderKeys, boolean decimalNumbers) {
        if (value instanceof Map<?, ?> map) {
            List<Map.Entry<String, Object>> entries = new ArrayList<>(((Map<String, Object>) map).entrySet());
            if (reorderKeys) {
                Collections.reverse(entries);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : entries) {
                out.put(e.getKey(), present(e.getValue(), reorderKeys, decimalNumbers));
            }
            return (T) out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) {
                out.add(present(o, reorderKeys, decimalNumbers));
            }
            return (T) out;
        }
        if (decimalNumbers && (value instanceof Integer || value instanceof Long)) {
            return (T) Double.valueOf(((Number) value).doubleValue());
        }
        return value;
    }

    // ---- judging ----

    /** Null when the real answer is the model's; else what differs. */
    static String mismatch(Answer expected, Observed o) {
        if (expected instanceof Refused r) {
            JsonNode body = parse(o.body());
            return o.status() == 400 && body != null && body.path("code").asInt() == r.code() ? null : "expected 400 code " + r.code();
        }
        if (expected instanceof OperatorMoney m) {
            JsonNode body = parse(o.body());
            return o.status() == 200 && body != null && body.path("balance").asLong() == m.balance()
                    && body.path("settled_balance").asLong() == m.settled() ? null
                            : "expected 200 with balance " + m.balance() + " and settled_balance " + m.settled();
        }
        if (expected instanceof OperatorRefused r) {
            JsonNode body = parse(o.body());
            return o.status() == r.status() && body != null && r.error().equals(body.path("error").asText()) ? null
                    : "expected " + r.status() + " " + r.error();
        }
        if (expected instanceof Ok) {
            return o.status() == 200 || o.status() == 201 ? null : "expected 200 or 201";
        }
        if (expected instanceof Answer.Status st) {
            return o.status() == st.status() ? null : "expected " + st.status();
        }
        if (expected instanceof Answer.LimitsView v) {
            Answer.LimitsView seen = o.status() == 200 ? limitsView(parse(o.body())) : null;
            return v.equals(seen) ? null : "expected 200 with limits " + v.limits() + " and usage " + v.usage() + " in each period";
        }
        if (expected instanceof NoCredit) {
            return o.status() == 404 ? null : "expected no such credit";
        }
        String body = render(expected);
        JsonNode want = parse(body);
        JsonNode got = parse(o.body());
        return o.status() == 200 && want.equals(got) ? null : "expected 200 " + body;
    }

    /** The JSON body the model's success answer stands for (ids derived as the ingress derives them). */
    static String render(Answer a) {
        ObjectNode n = JSON.createObjectNode();
        if (a instanceof Money m) {
            n.put("id", operatorId(m.key()));
            n.put("ext_transaction_id", m.key().tx());
            n.put("parent_transaction_id", m.betTx() == null ? null : betId(m.betTx()));
            n.put("user_id", m.player());
            n.put("operation", m.operation());
            n.put("amount", m.amount());
            n.put("currency", m.currency());
            n.put("balance", m.balance());
        } else if (a instanceof DiscardBalance d) {
            if (d.balance() != null) {
                n.put("balance", d.balance());
            }
        } else if (a instanceof BalanceBody b) {
            n.put("player_id", b.player());
            n.put("currency", b.currency());
            n.put("balance", b.balance());
        } else if (a instanceof Applied ap) {
            n.put("applied", ap.applied());
        } else if (!(a instanceof Empty)) {
            return a.toString();
        }
        return n.toString();
    }

    /**
     * The limits' body (LimitService.view) in the model's terms; the usage is one string when the day,
     * week and month agree (they do while the clock stays within a day), else each period's.
     */
    static Answer.LimitsView limitsView(JsonNode body) {
        if (body == null) {
            return null;
        }
        Map<String, String> limits = new TreeMap<>();
        for (String kind : WalletModel.LIMIT_KINDS) {
            for (String period : WalletModel.PERIODS) {
                JsonNode l = body.path(kind).path(period);
                JsonNode value = l.path("value");
                JsonNode pending = l.path("pending");
                boolean hasPending = pending.isObject();
                if (!value.isNull() || hasPending) {
                    Long pendingValue = hasPending && !pending.path("value").isNull() ? pending.path("value").asLong() : null;
                    limits.put(kind + "." + period, WalletModel.limitView(value.isNull() ? null : value.asLong(), hasPending, pendingValue));
                }
            }
        }
        List<String> usage = new ArrayList<>();
        for (String period : WalletModel.PERIODS) {
            JsonNode u = body.path("usage").path(period);
            usage.add(WalletModel.usageView(u.path("wager").asLong(), u.path("loss").asLong(), u.path("deposit").asLong()));
        }
        return new Answer.LimitsView(limits, usage.stream().distinct().count() == 1 ? usage.get(0) : String.join(" / ", usage));
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isEmpty() ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    // ---- what the database holds ----

    /** The sequence's wallets, bets, credits and settlements, keyed as the model keys them. */
    Snapshot snapshot(Sequence seq) {
        Map<String, String> betTxById = new HashMap<>();
        seq.betTxs().forEach(tx -> betTxById.put(betId(tx), tx));
        Map<String, String> keyById = new HashMap<>();
        seq.keys().forEach(k -> keyById.put(operatorId(k), k.toString()));
        Map<String, WalletModel.WalletView> wallets = new TreeMap<>();
        Map<String, String> bets = new TreeMap<>();
        Map<String, String> credits = new TreeMap<>();
        Map<String, String> settlements = new TreeMap<>();
        Map<String, String> bonuses = new TreeMap<>();
        Map<String, String> sessions = new TreeMap<>();
        Map<String, String> exclusions = new TreeMap<>();
        Map<String, String> limits = new TreeMap<>();
        Map<String, String> usage = new TreeMap<>();
        try {
            Connection c = reads();
            Array players = c.createArrayOf("text", seq.players().toArray());
            Array betIds = c.createArrayOf("text", betTxById.keySet().toArray());
            Array keyIds = c.createArrayOf("text", keyById.keySet().toArray());
            try (PreparedStatement ps = c.prepareStatement("SELECT w.player_id, w.balance, w.pending, (SELECT count(*) FROM credit c"
                    + " WHERE c.wallet_id = w.id AND c.status = 'PENDING') FROM wallet w WHERE w.player_id = ANY(?) AND w.kind = 'CASH'")) {
                ps.setArray(1, players);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        wallets.put(rs.getString(1), new WalletModel.WalletView(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, CASE WHEN player_id IS NULL THEN 'TOMBSTONE' ELSE state END, confirmed, provider_status, bonus_type,"
                            + " coalesce(stake, 0), bonus_stake FROM bet WHERE id = ANY(?)")) {
                ps.setArray(1, betIds);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        bets.put(betTxById.get(rs.getString(1)), WalletModel.betView(rs.getString(2), rs.getBoolean(3), rs.getString(4),
                                rs.getString(5), rs.getLong(6), rs.getLong(7)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, status, bet_id FROM bonus WHERE player_id = ANY(?)")) {
                ps.setArray(1, players);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String betId = rs.getString(3);
                        bonuses.put(rs.getString(1), WalletModel.bonusView(rs.getString(2),
                                betId == null ? null : betTxById.getOrDefault(betId, "unknown bet " + betId)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, status, amount FROM credit WHERE player_id = ANY(?)")) {
                ps.setArray(1, players);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        credits.put(keyById.getOrDefault(rs.getString(1), "unknown credit " + rs.getString(1)),
                                rs.getString(2) + " " + rs.getLong(3));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, state, amount FROM settlement WHERE bet_id = ANY(?) OR id = ANY(?)")) {
                ps.setArray(1, betIds);
                ps.setArray(2, keyIds);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        settlements.put(keyById.getOrDefault(rs.getString(1), "unknown settlement " + rs.getString(1)),
                                rs.getString(2) + " " + rs.getLong(3));
                    }
                }
            }
            // Issue 15: the sessions by label, the exclusions in force (none of a run ends within it), the limits, and
            // the usage of each period (summed over its rows: more than one row of a period says the run left its day).
            try (PreparedStatement ps = c.prepareStatement("SELECT id, player_id, ended_at IS NULL FROM player_session WHERE player_id = ANY(?)")) {
                ps.setArray(1, players);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sessions.put(SESSION_LABELS.getOrDefault(rs.getString(1), "unknown session " + rs.getString(1)),
                                WalletModel.sessionView(rs.getString(2), rs.getBoolean(3)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, excluded_until, excluded_indefinitely FROM player WHERE id = ANY(?)"
                    + " AND (excluded_indefinitely OR excluded_until IS NOT NULL)")) {
                ps.setArray(1, players);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Timestamp until = rs.getTimestamp(2);
                        Duration d = until == null ? null : Duration.between(exclusionBase, until.toInstant());
                        exclusions.put(rs.getString(1), rs.getBoolean(3) ? WalletModel.exclusionView(null)
                                : d.toSeconds() % 86_400 == 0 ? WalletModel.exclusionView(d.toDays()) : "until " + until.toInstant());
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT player_id, kind, period, value, pending_value, pending_effective_at IS NOT NULL"
                    + " FROM player_limit WHERE player_id = ANY(?)")) {
                ps.setArray(1, players);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Long value = (Long) rs.getObject(4);
                        boolean pending = rs.getBoolean(6);
                        if (value != null || pending) {
                            limits.put(rs.getString(1) + " " + rs.getString(2) + "." + rs.getString(3),
                                    WalletModel.limitView(value, pending, (Long) rs.getObject(5)));
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT player_id, period, sum(wager), sum(loss), sum(deposit), count(*)"
                    + " FROM limit_usage WHERE player_id = ANY(?) GROUP BY player_id, period")) {
                ps.setArray(1, players);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long rows = rs.getLong(6);
                        if (rows > 1 || rs.getLong(3) != 0 || rs.getLong(4) != 0 || rs.getLong(5) != 0) {
                            usage.put(rs.getString(1) + " " + rs.getString(2), WalletModel.usageView(rs.getLong(3), rs.getLong(4), rs.getLong(5))
                                    + (rows > 1 ? " in " + rows + " periods" : ""));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new Snapshot(wallets, bets, credits, settlements, bonuses, sessions, exclusions, limits, usage);
    }

    /**
     * Players of the sequence whose settled balance is not the sum of their ledger, or whose ledger
     * versions do not run 1..version: described, empty when the books are right.
     */
    List<String> ledgerDiscrepancies(Sequence seq) {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = reads().prepareStatement(
                "SELECT w.player_id, w.balance, coalesce(sum(l.amount), 0), w.version, count(l.id), coalesce(max(l.wallet_version), 0)"
                        + " FROM wallet w LEFT JOIN ledger_entry l ON l.wallet_id = w.id WHERE w.player_id = ANY(?) GROUP BY w.id")) {
            ps.setArray(1, reads().createArrayOf("text", seq.players().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(2) != rs.getLong(3) || rs.getLong(4) != rs.getLong(5) || rs.getLong(4) != rs.getLong(6)) {
                        out.add(rs.getString(1) + ": balance " + rs.getLong(2) + ", ledger sum " + rs.getLong(3)
                                + ", version " + rs.getLong(4)
                                + ", entries " + rs.getLong(5) + ", max wallet_version " + rs.getLong(6));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
