package com.sportswallet.worker.bonus;

import com.sportswallet.contracts.bonus.ProviderBonusApi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.providersim.ProviderSimulator;

/**
 * The operator's client of the provider's bonus API against the provider simulator over real HTTP:
 * a grant answers one bonus per player; a retry after a lost answer (the simulator applied the call,
 * then failed it) grants nobody twice; transient failures are retried within the bounds and then
 * reported as Unavailable; refusals are never retried.
 */
class ProviderBonusApiTest {
    private static final String CID = "worker-test";
    private static final Instant EXPIRES = Instant.parse("2099-01-01T00:00:00Z");

    private ProviderSimulator sim;

    @BeforeEach
    void start() throws Exception {
        sim = new ProviderSimulator("127.0.0.1", 0, CID, ProviderSimulator.DEV_SECRET, null);
    }

    @AfterEach
    void stop() throws Exception {
        sim.close();
    }

    @Test
    void aGrantAnswersOneBonusPerPlayerAndARepeatTheSameOnes() throws Exception {
        ProviderBonusApi api = api(ProviderSimulator.DEV_SECRET, 3);
        Map<String, String> first = api.grant("grant-1:0", "freebet_freemoney", EXPIRES, players("a", "b", "c"));
        assertEquals(Set.of("a", "b", "c"), first.keySet());
        assertEquals(3, Set.copyOf(first.values()).size(), "three different bonus ids");
        assertEquals(first, api.grant("grant-1:0", "freebet_freemoney", EXPIRES, players("a", "b", "c")));
        assertEquals(3, stats().get("bonuses").asLong());
    }

    @Test
    void aLostAnswerIsRetriedAndGrantsNobodyTwice() throws Exception {
        fault(2, 503, false);
        ProviderBonusApi api = api(ProviderSimulator.DEV_SECRET, 3);
        assertEquals(2, api.grant("grant-2:0", "freebet_freemoney", EXPIRES, players("a", "b")).size(), "the third attempt lands");
        fault(1, 502, true); // applied, then the answer lost
        Map<String, String> granted = api.grant("grant-2:1", "freebet_freemoney", EXPIRES, players("c", "d"));
        assertEquals(Set.of("c", "d"), granted.keySet());
        JsonNode s = stats();
        assertEquals(4, s.get("bonuses").asLong(), "each player granted once on the provider's side");
        assertEquals(5, s.get("calls").get("applyBatch").asLong());
        assertEquals(3, s.get("failed_calls").get("applyBatch").asLong());
    }

    @Test
    void failuresPastTheAttemptsAreUnavailableAndRefusalsAreNeverRetried() throws Exception {
        fault(5, 503, false);
        ProviderBonusApi api = api(ProviderSimulator.DEV_SECRET, 3);
        assertThrows(ProviderBonusApi.Unavailable.class, () -> api.grant("grant-3:0", "freebet_freemoney", EXPIRES, players("a")));
        assertEquals(3, stats().get("calls").get("applyBatch").asLong(), "exactly attemptsMax attempts");
        assertEquals(0, stats().get("bonuses").asLong());
        fault(0, 503, false);

        ProviderBonusApi.Refused forged = assertThrows(ProviderBonusApi.Refused.class,
                () -> api(ProviderSimulator.DEV_SECRET + "-another", 3).grant("grant-3:1", "freebet_freemoney", EXPIRES, players("a")));
        assertEquals(401, forged.status());
        api.grant("grant-3:2", "freebet_freemoney", EXPIRES, players("a"));
        ProviderBonusApi.Refused conflict = assertThrows(ProviderBonusApi.Refused.class,
                () -> api.grant("grant-3:2", "freebet_freemoney", EXPIRES, List.of(new ProviderBonusApi.Player("a", "EUR", 999))));
        assertEquals(409, conflict.status());
        assertEquals(3 + 1 + 1 + 1, stats().get("calls").get("applyBatch").asLong(), "no refusal was retried");
        assertThrows(IllegalArgumentException.class, () -> api.grant("x", "freebet_freemoney", EXPIRES, List.of()));
    }

    @Test
    void aProviderThatDoesNotAnswerIsUnavailableWithinTheBounds() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ProviderBonusApi api = new ProviderBonusApi(new ProviderBonusApi.Config(URI.create("http://127.0.0.1:" + closedPort), CID,
                ProviderSimulator.DEV_SECRET, 500, 2, 100));
        long start = System.nanoTime();
        assertThrows(ProviderBonusApi.Unavailable.class, () -> api.grant("g:0", "freebet_freemoney", EXPIRES, players("a")));
        // Not a timing assertion: only that the bounded attempts end (2 attempts of at most 500 ms, one pause of at most 100 ms).
        assertEquals(true, System.nanoTime() - start < 30_000_000_000L);
    }

    @Test
    void aRevokeNamesWhatItRevokedAndWhatItCouldNot() throws Exception {
        ProviderBonusApi api = api(ProviderSimulator.DEV_SECRET, 3);
        Map<String, String> granted = api.grant("grant-4:0", "freebet_freemoney", EXPIRES, players("a", "b"));
        ProviderBonusApi.RevokeResult r = api.revoke(List.of(granted.get("a"), "123"));
        assertEquals(Set.of(granted.get("a")), r.revoked());
        assertEquals(Map.of("123", "not_found"), r.refused());
        assertEquals(Set.of(granted.get("a")), api.revoke(List.of(granted.get("a"))).revoked(), "a repeated revoke answers it revoked");
    }

    @Test
    void theConfigurationIsBounded() {
        URI url = URI.create("http://127.0.0.1:1");
        assertThrows(IllegalArgumentException.class, () -> new ProviderBonusApi.Config(url, CID, "short", 1000, 3, 100));
        assertThrows(IllegalArgumentException.class, () -> new ProviderBonusApi.Config(url, CID, ProviderSimulator.DEV_SECRET, 1000, 0, 100));
        assertThrows(IllegalArgumentException.class, () -> new ProviderBonusApi.Config(url, CID, ProviderSimulator.DEV_SECRET, 10, 3, 100));
    }

    // ------------------------------------------------------------------ helpers

    private ProviderBonusApi api(String secret, int attempts) {
        return new ProviderBonusApi(new ProviderBonusApi.Config(URI.create(sim.baseUrl()), CID, secret, 5_000, attempts, 100));
    }

    private static List<ProviderBonusApi.Player> players(String... ids) {
        return java.util.Arrays.stream(ids).map(id -> new ProviderBonusApi.Player(id, "EUR", 500)).toList();
    }

    private void fault(int count, int status, boolean after) {
        sim.failNext("applyBatch", count, status, after);
    }

    private JsonNode stats() {
        return sim.stats();
    }
}
