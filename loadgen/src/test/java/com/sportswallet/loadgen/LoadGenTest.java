package com.sportswallet.loadgen;

import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jose4j.jws.JsonWebSignature;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sportswallet.contracts.CloudEventJson;

/** LoadGen without services: the flow plan, the log's lines, the retry back-off. */
class LoadGenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FLOWS = 20_000;

    private static LoadGenOptions options(String... extra) {
        List<String> args = new ArrayList<>(List.of("--run-id", "t1", "--seed", "42", "--players", "50",
                "--mix", "win=30,lost=40,refund=10,discard=10,open=10", "--rollback-percent", "20",
                "--duplicate-percent", "10", "--hot-player-percent", "5", "--discard-race-percent", "2"));
        args.addAll(List.of(extra));
        return LoadGenOptions.parse(args.toArray(String[]::new));
    }

    private static List<FlowPlan.Call> calls(List<FlowPlan.Flow> flows) {
        List<FlowPlan.Call> calls = new ArrayList<>();
        flows.forEach(f -> f.steps().forEach(s -> calls.addAll(s.calls())));
        return calls;
    }

    /** What identifies a call in the plan, bodies aside. */
    private static String describe(FlowPlan.Call c) {
        return c.seq + " " + c.endpoint + " " + c.txId + " " + c.betTxId + " " + c.parentTxId + " " + c.playerId + " " + c.amount
                + " " + c.duplicate() + " " + (c.payload == null ? "" : c.payload.toString());
    }

    @Test
    void thePlanIsDeterministicBySeed() {
        List<String> a = calls(FlowPlan.generate(options(), 2000)).stream().map(LoadGenTest::describe).toList();
        List<String> b = calls(FlowPlan.generate(options(), 2000)).stream().map(LoadGenTest::describe).toList();
        List<String> c = calls(FlowPlan.generate(options("--seed", "43"), 2000)).stream().map(LoadGenTest::describe).toList();
        assertEquals(a, b);
        assertNotEquals(a, c);
        // Flow i does not depend on how many flows are planned.
        List<FlowPlan.Flow> few = FlowPlan.generate(options(), 10);
        List<FlowPlan.Flow> many = FlowPlan.generate(options(), 2000);
        for (int i = 0; i < few.size(); i++) {
            assertEquals(few.get(i).kind(), many.get(i).kind());
            assertEquals(few.get(i).stake(), many.get(i).stake());
        }
    }

    @Test
    void bonusMakesAreDrawnOnlyWhenAskedAndLeaveTheRestOfThePlanAsItWas() {
        List<FlowPlan.Call> plain = calls(FlowPlan.generate(options(), 2000));
        List<FlowPlan.Call> bonus = calls(FlowPlan.generate(options("--bonus-percent", "30"), 2000));
        assertTrue(plain.stream().allMatch(c -> c.bonusType == null));
        List<FlowPlan.Call> makes = bonus.stream().filter(c -> c.endpoint.equals(FlowPlan.MAKE) && !c.duplicate()).toList();
        long drawn = makes.stream().filter(c -> c.bonusType != null).count();
        assertNear(0.30, drawn, makes.size());
        assertTrue(bonus.stream().filter(c -> c.bonusType != null).allMatch(c -> c.endpoint.equals(FlowPlan.MAKE)));
        assertEquals(Set.of(FlowPlan.BONUS_TYPES), makes.stream().map(c -> c.bonusType).filter(t -> t != null).collect(Collectors.toSet()));
        // Until setup names a bonus, a drawn make's payload is the cash make's.
        FlowPlan.Call m = makes.stream().filter(c -> c.bonusType != null).findFirst().orElseThrow();
        assertTrue(m.payload.path("bonus_id").isMissingNode());
        Payloads.withBonus(m.payload, "freebet_no_risk", "b-1", m.amount);
        assertEquals("b-1", m.payload.path("bonus_id").asText());
        assertEquals("b-1", m.payload.path("transaction").path("bonus_id").asText());
        assertEquals("freebet_no_risk", m.payload.path("bonus_type").asText());
        assertTrue(m.payload.path("potential_comboboost_win").isMissingNode());
    }

    @Test
    void everyCallReferencesItsMake() {
        List<FlowPlan.Flow> flows = FlowPlan.generate(options(), FLOWS);
        Set<Long> seqs = new HashSet<>();
        for (FlowPlan.Flow f : flows) {
            List<FlowPlan.Call> calls = new ArrayList<>();
            f.steps().forEach(s -> calls.addAll(s.calls()));
            FlowPlan.Call make = calls.stream().filter(c -> c.endpoint.equals(FlowPlan.MAKE) && !c.duplicate()).findFirst().orElseThrow();
            assertEquals(make.txId, make.betTxId);
            String betId = CloudEventJson.stableId("bet/make", make.txId);
            Map<String, FlowPlan.Call> settlements = new HashMap<>();
            for (FlowPlan.Call c : calls) {
                assertTrue(seqs.add(c.seq), "seq unique");
                assertEquals(make.txId, c.betTxId);
                assertEquals(betId, c.betId);
                assertEquals(f.playerId(), c.playerId);
                if (c.duplicate()) {
                    assertNull(c.payload);
                    assertEquals(c.original.txId, c.txId);
                    assertTrue(c.seq > c.original.seq);
                    continue;
                }
                switch (c.endpoint) {
                    case FlowPlan.WIN, FlowPlan.LOST, FlowPlan.REFUND -> {
                        assertEquals(betId, c.payload.get("bet_transaction_id").asText());
                        assertEquals(c.txId, c.payload.get("transaction").get("id").asText());
                        settlements.put(c.txId, c);
                    }
                    case FlowPlan.ROLLBACK -> {
                        assertEquals(betId, c.payload.get("bet_transaction_id").asText());
                        FlowPlan.Call parent = settlements.get(c.parentTxId);
                        assertNotNull(parent, "a rollback follows the settlement it reverses");
                        assertEquals(parent.endpoint, c.parentEndpoint);
                        assertEquals(CloudEventJson.stableId(parent.endpoint, parent.txId),
                                c.payload.get("parent_transaction_id").asText());
                    }
                    case FlowPlan.DISCARD -> {
                        assertEquals(make.txId, c.txId);
                        assertEquals(make.txId, c.payload.get("transaction_id").asText());
                        assertEquals(f.stake(), c.amount);
                    }
                    case FlowPlan.MAKE -> {
                        assertEquals(f.stake(), c.payload.get("amount").asLong());
                        assertEquals(f.playerId(), c.payload.get("player_id").asText());
                    }
                    default -> throw new AssertionError(c.endpoint);
                }
                if (c.endpoint.equals(FlowPlan.REFUND)) {
                    assertTrue(c.amount >= 1 && c.amount <= f.stake());
                }
            }
            if (!f.kind().equals("discard-first")) {
                assertEquals(make, f.steps().get(0).calls().get(0), "the make comes first");
            }
        }
    }

    @Test
    void weightsAreRoughlyRespected() {
        List<FlowPlan.Flow> flows = FlowPlan.generate(options(), FLOWS);
        Map<String, Integer> kinds = new HashMap<>();
        int rolledBack = 0;
        int settled = 0;
        int hot = 0;
        for (FlowPlan.Flow f : flows) {
            kinds.merge(f.kind(), 1, Integer::sum);
            if (f.rolledBack()) {
                rolledBack++;
            }
            if (Set.of("win", "lost", "refund").contains(f.kind())) {
                settled++;
            }
            if (f.playerId().equals("lg-hot")) {
                hot++;
            }
        }
        int races = kinds.getOrDefault("race", 0) + kinds.getOrDefault("discard-first", 0);
        assertNear(0.02, races, FLOWS);
        int mixed = FLOWS - races;
        assertNear(0.30, kinds.get("win"), mixed);
        assertNear(0.40, kinds.get("lost"), mixed);
        assertNear(0.10, kinds.get("refund"), mixed);
        assertNear(0.10, kinds.get("discard"), mixed);
        assertNear(0.10, kinds.get("open"), mixed);
        assertNear(0.20, rolledBack, settled);
        assertNear(0.05, hot, FLOWS);
        List<FlowPlan.Call> calls = calls(flows);
        long duplicates = calls.stream().filter(FlowPlan.Call::duplicate).count();
        assertNear(0.10, duplicates, calls.size() - duplicates);

        List<FlowPlan.Flow> makesOnly = FlowPlan.generate(options("--mix", "open=1", "--duplicate-percent", "0",
                "--discard-race-percent", "0"), 1000);
        assertTrue(makesOnly.stream().allMatch(f -> f.calls() == 1 && f.kind().equals("open")));
    }

    private static void assertNear(double expected, long count, long total) {
        double share = (double) count / total;
        assertTrue(Math.abs(share - expected) < Math.max(0.01, expected * 0.15), "share " + share + " expected about " + expected);
    }

    @Test
    void logLinesFollowTheContract() throws Exception {
        LoadGenOptions o = options();
        List<FlowPlan.Flow> flows = FlowPlan.generate(o, 200);
        FlowPlan.Call rollback = calls(flows).stream().filter(c -> c.endpoint.equals(FlowPlan.ROLLBACK)).findFirst().orElseThrow();
        byte[] answer = "{\"id\":\"x\",\"amount\":0,\"balance\":12}".getBytes(StandardCharsets.UTF_8);
        JsonNode line = JSON.readTree(CallbackLog.line(new Delivery.Outcome(rollback, 200, null, 3, 12.3456789, answer), "EUR"));
        List<String> fields = new ArrayList<>();
        line.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("kind", "seq", "endpoint", "txId", "betTxId", "betId", "parentTxId", "parentEndpoint", "playerId",
                "amount", "currency", "duplicate", "resigned", "status", "code", "attempts", "latencyMs", "answer"), fields);
        assertFalse(line.get("resigned").asBoolean());
        assertEquals("callback", line.get("kind").asText());
        assertEquals(rollback.seq, line.get("seq").asLong());
        assertEquals("bet/rollback", line.get("endpoint").asText());
        assertEquals(CloudEventJson.stableId("bet/make", rollback.betTxId), line.get("betId").asText());
        assertTrue(line.get("parentTxId").isTextual());
        assertTrue(line.get("parentEndpoint").asText().startsWith("bet/"));
        assertFalse(line.get("duplicate").asBoolean());
        assertEquals(200, line.get("status").asInt());
        assertTrue(line.get("code").isNull());
        assertEquals(3, line.get("attempts").asInt());
        assertEquals(12.346, line.get("latencyMs").asDouble(), 1e-9);
        assertEquals(12, line.get("answer").get("balance").asLong());

        FlowPlan.Call make = flows.get(0).steps().get(0).calls().get(0);
        FlowPlan.Call dup = new FlowPlan.Call(999_999, make);
        JsonNode refused = JSON.readTree(CallbackLog.line(new Delivery.Outcome(dup, 400, 2001, 1, 1.0,
                "{\"code\":2001,\"message\":\"short\"}".getBytes(StandardCharsets.UTF_8)), "EUR"));
        assertTrue(refused.get("duplicate").asBoolean());
        assertEquals(make.txId, refused.get("txId").asText());
        assertEquals(make.txId, refused.get("betTxId").asText());
        assertTrue(refused.get("parentTxId").isNull());
        assertTrue(refused.get("parentEndpoint").isNull());
        assertEquals(2001, refused.get("code").asInt());
        JsonNode unknown = JSON.readTree(CallbackLog.line(new Delivery.Outcome(make, 0, null, 31, 60_000, null), "EUR"));
        assertEquals(0, unknown.get("status").asInt());
        assertTrue(unknown.get("answer").isNull());
        JsonNode garbage = JSON.readTree(CallbackLog.line(new Delivery.Outcome(make, 200, null, 1, 1, "not json".getBytes()), "EUR"));
        assertTrue(garbage.get("answer").isNull());

        JsonNode header = JSON.readTree(CallbackLog.header(o, LoadGen.players(o), Instant.parse("2030-01-01T00:00:00Z")));
        assertEquals("header", header.get("kind").asText());
        assertEquals(1, header.get("version").asInt());
        assertEquals("2030-01-01T00:00:00Z", header.get("startedAt").asText());
        assertEquals(51, header.get("players").size());
        assertEquals("lg-hot", header.get("players").get(50).asText());
        assertEquals("EUR", header.get("currency").asText());
        assertEquals("demo-operator", header.get("operatorId").asText());
        assertTrue(header.get("options").isObject());
    }

    @Test
    void aDiscardFollowsSomeSettlementsAndAfterTheirRollbackComesAgain() {
        List<FlowPlan.Flow> flows = FlowPlan.generate(options("--discard-after-settlement-percent", "20"), FLOWS);
        int settled = 0;
        int after = 0;
        int again = 0;
        for (FlowPlan.Flow f : flows) {
            if (!Set.of("win", "lost", "refund").contains(f.kind())) {
                assertFalse(f.discardAfterSettlement());
                continue;
            }
            settled++;
            if (!f.discardAfterSettlement()) {
                continue;
            }
            after++;
            // make, the settlement, the discard; then the rollback of that settlement and the same discard again (duplicates aside).
            List<FlowPlan.Call> own = new ArrayList<>();
            f.steps().forEach(s -> s.calls().stream().filter(c -> !c.duplicate()).forEach(own::add));
            List<String> endpoints = own.stream().map(c -> c.endpoint).toList();
            FlowPlan.Call settlement = own.get(1);
            if (f.rolledBack()) {
                again++;
                assertEquals(List.of(FlowPlan.MAKE, settlement.endpoint, FlowPlan.DISCARD, FlowPlan.ROLLBACK, FlowPlan.DISCARD), endpoints);
                assertEquals(settlement.txId, own.get(3).parentTxId);
                // The same discard twice: one key (the make's transaction id), two requests, neither a duplicate.
                assertEquals(own.get(2).txId, own.get(4).txId);
                assertEquals(own.get(0).txId, own.get(4).txId);
                assertNotEquals(own.get(2).seq, own.get(4).seq);
            } else {
                assertEquals(List.of(FlowPlan.MAKE, settlement.endpoint, FlowPlan.DISCARD), endpoints);
            }
        }
        assertNear(0.20, after, settled);
        assertNear(0.50, again, after);
        assertTrue(FlowPlan.generate(options("--discard-after-settlement-percent", "0"), 2000).stream()
                .noneMatch(FlowPlan.Flow::discardAfterSettlement));
    }

    @Test
    void aReSignedCopyIsTheSameRequestInANewToken() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        LoadGenOptions o = options("--resign-percent", "100", "--duplicate-percent", "100", "--rollback-percent", "100");
        List<FlowPlan.Call> calls = calls(FlowPlan.generate(o, 200));
        assertTrue(calls.stream().filter(FlowPlan.Call::duplicate).allMatch(FlowPlan.Call::resignedCopy));
        assertTrue(calls.stream().filter(c -> !c.duplicate()).allMatch(c -> c.resign && !c.resignedCopy()));
        Resign resign = new Resign(keys.getPrivate(), "demo-operator", "t1", false);
        Set<String> seen = new HashSet<>();
        for (FlowPlan.Call c : calls) {
            if (c.duplicate() || !seen.add(c.endpoint)) {
                continue; // one of each endpoint
            }
            byte[] original = Tokens.callbackBody(keys.getPrivate(), "demo-operator", 1_790_000_000L, "t1-" + c.seq, c.payload);
            byte[] copy = resign.body(c.endpoint, original, c.seq, "r1", 1_790_000_100L);
            JsonNode claims = verified(keys, copy);
            assertEquals("t1-" + c.seq + "-r1", claims.get("jti").asText());
            assertEquals(1_790_000_100L, claims.get("iat").asLong());
            assertEquals("demo-operator", claims.get("iss").asText());
            JsonNode before = Resign.payloadOf(original);
            JsonNode after = claims.get("payload");
            // Another text (members reversed, informational integers as decimals), the same JSON value.
            assertNotEquals(before.toString(), after.toString());
            assertTrue(before.equals(NUMERIC_VALUE, after), c.endpoint + ": " + before + " vs " + after);
            // Amounts stay integers: the ingress refuses any other amount, retry or not.
            for (String amount : List.of("amount", "potential_win")) {
                if (after.has(amount)) {
                    assertTrue(after.get(amount).isIntegralNumber(), c.endpoint + " " + amount);
                }
            }
            if (c.endpoint.equals(FlowPlan.MAKE)) {
                assertTrue(after.get("betslip").get("timestamp").isFloatingPointNumber(), after.toString());
                assertTrue(after.get("transaction").get("amount").isIntegralNumber(), after.toString());
                List<String> names = new ArrayList<>();
                after.fieldNames().forEachRemaining(names::add);
                assertEquals("betslip", names.get(0));
            }
            if (c.endpoint.equals(FlowPlan.ROLLBACK)) {
                assertTrue(after.get("transaction").get("amount").isFloatingPointNumber(), after.toString());
            }
            // With --resign-keep-numbers only the token and the order change: the numbers keep their text.
            JsonNode kept = Resign.payloadOf(new Resign(keys.getPrivate(), "demo-operator", "t1", true).body(c.endpoint, original, c.seq,
                    "r1", 1_790_000_100L));
            assertEquals(Resign.payloadOf(original), kept);
        }
        assertEquals(Set.of(FlowPlan.MAKE, FlowPlan.WIN, FlowPlan.LOST, FlowPlan.REFUND, FlowPlan.ROLLBACK, FlowPlan.DISCARD), seen);
    }

    @Test
    void aRetryOfACallDrawnToReSignCarriesAReSignedCopy() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        FlowPlan.Call make = calls(FlowPlan.generate(options("--resign-percent", "100", "--duplicate-percent", "0"), 1)).get(0);
        FlowPlan.Call plain = calls(FlowPlan.generate(options("--resign-percent", "0", "--duplicate-percent", "0"), 1)).get(0);
        for (FlowPlan.Call c : List.of(make, plain)) {
            c.body = Tokens.callbackBody(keys.getPrivate(), "demo-operator", 1_790_000_000L, "t1-" + c.seq, c.payload);
        }
        // A server that answers 503 twice, then 200; the bodies it was sent.
        List<byte[]> bodies = new ArrayList<>();
        Transport flaky = (path, body) -> {
            bodies.add(body);
            return bodies.size() < 3 ? new Transport.Reply(503, new byte[0], null) : new Transport.Reply(200, "{}".getBytes(), null);
        };
        LoadStats stats = new LoadStats();
        Delivery delivery = new Delivery(5, 1, stats, new Resign(keys.getPrivate(), "demo-operator", "t1", false));
        Delivery.Outcome out = delivery.deliver(flaky, make);
        assertEquals(200, out.status());
        assertEquals(3, out.attempts());
        assertTrue(out.resigned());
        assertEquals(3, bodies.size());
        assertTrue(Arrays.equals(make.body, bodies.get(0)), "the first attempt sends the pre-signed body");
        assertEquals("t1-" + make.seq + "-r1", verified(keys, bodies.get(1)).get("jti").asText());
        assertEquals("t1-" + make.seq + "-r2", verified(keys, bodies.get(2)).get("jti").asText());
        assertEquals(2, stats.resigned.sum());
        assertTrue(JSON.readTree(CallbackLog.line(out, "EUR")).get("resigned").asBoolean());
        // A call not drawn to re-sign retries with its own body, byte for byte.
        bodies.clear();
        Delivery.Outcome same = delivery.deliver(flaky, plain);
        assertFalse(same.resigned());
        assertTrue(bodies.stream().allMatch(b -> Arrays.equals(plain.body, b)));
    }

    /** Numbers compared by value (2 and 2.0 equal), everything else as usual: JSON equality as RFC 8785 sees it. */
    private static final Comparator<JsonNode> NUMERIC_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    /** The claims of a callback body's token, its RS256 signature checked with {@code keys}. */
    private static JsonNode verified(KeyPair keys, byte[] body) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setCompactSerialization(JSON.readTree(body).get("payload").asText());
        jws.setKey(keys.getPublic());
        assertTrue(jws.verifySignature());
        return JSON.readTree(jws.getPayload());
    }

    @Test
    void retriesBackOffToTheCapAndRideOverAnOutage() {
        assertEquals(25, Delivery.backoffMs(1, 3000, 0));
        assertEquals(50, Delivery.backoffMs(1, 3000, 1));
        assertEquals(3000, Delivery.backoffMs(30, 3000, 1));
        assertEquals(1500, Delivery.backoffMs(30, 3000, 0));
        assertTrue(Delivery.backoffBudgetMinMs(30, 3000) >= 30_000, "the defaults ride over 30 s of downtime");
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LoadGenOptions.parse(new String[] { "--mix", "win=1,jackpot=2" }));
        assertThrows(IllegalArgumentException.class, () -> LoadGenOptions.parse(new String[] { "--mix", "win=0" }));
        assertThrows(IllegalArgumentException.class, () -> LoadGenOptions.parse(new String[] { "--retries-max", "1000" }));
        assertThrows(IllegalArgumentException.class, () -> LoadGenOptions.parse(new String[] { "--stake-min", "5", "--stake-max", "4" }));
        assertThrows(IllegalArgumentException.class, () -> LoadGenOptions.parse(new String[] { "--duplicate-percent", "101" }));
        assertThrows(IllegalArgumentException.class, () -> LoadGenOptions.parse(new String[] { "--concurrency", "x" }));
    }
}
