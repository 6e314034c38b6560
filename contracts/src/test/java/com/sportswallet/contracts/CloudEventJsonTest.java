package com.sportswallet.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.URI;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cloudevents.CloudEvent;

class CloudEventJsonTest {

    @Test
    void structuredModeRoundTripKeepsEveryAttributeAndTheDataAsJson() throws Exception {
        ObjectNode data = CloudEventJson.mapper().createObjectNode().put("player_id", "p1").put("amount", 1500L);
        String json = CloudEventJson.serialize("id-1", EventTypes.DEPOSIT, URI.create("/ingress"), "p1",
                Instant.parse("2026-11-21T10:00:00Z"), data);

        JsonNode tree = CloudEventJson.mapper().readTree(json);
        assertEquals("1.0", tree.get("specversion").asText());
        assertEquals("wallet.deposit", tree.get("type").asText());
        assertEquals("p1", tree.get("subject").asText());
        assertEquals(1500L, tree.get("data").get("amount").asLong(), "data is embedded as JSON, not base64");

        CloudEvent parsed = CloudEventJson.parse(json.getBytes());
        assertEquals("id-1", parsed.getId());
        assertEquals(1500L, CloudEventJson.dataOf(parsed).get("amount").asLong());
    }

    @Test
    void stableIdsDependOnlyOnTheirParts() {
        assertEquals(CloudEventJson.stableId("deposit", "k1"), CloudEventJson.stableId("deposit", "k1"));
        assertNotEquals(CloudEventJson.stableId("deposit", "k1"), CloudEventJson.stableId("withdrawal", "k1"));
        assertNotEquals(CloudEventJson.stableId("a:b", "c"), CloudEventJson.stableId("a", "b:c"));
        assertNotEquals(CloudEventJson.stableId("1:a"), CloudEventJson.stableId("1:a", ""));
    }
}
