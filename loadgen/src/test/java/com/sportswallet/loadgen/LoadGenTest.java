package com.sportswallet.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
                "amount", "currency", "duplicate", "status", "code", "attempts", "latencyMs", "answer"), fields);
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
