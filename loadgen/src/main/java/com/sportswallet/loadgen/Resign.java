package com.sportswallet.loadgen;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Re-signed copies of a callback body, as a provider that signs every attempt anew sends them: the
 * same request (the same {@code payload} claim, as a JSON value) in a new token, with a new
 * {@code jti} and {@code iat}, and the payload re-serialised: object members in reverse order and,
 * unless the numbers are kept, the informational integers written as decimals ({@code 1790000000}
 * as {@code 1790000000.0}: the same JSON number). docs/PROTOCOL.md: a re-signed token is the same
 * request, and issue 12 (finding 6) compares payloads as JSON values, so the ingress must replay
 * its first answer. Only fields the protocol reads as information are renumbered (a betslip's
 * {@code timestamp} and {@code sum}, a make's {@code transaction.timestamp}, a refund's
 * {@code reason_code}, a rollback's {@code transaction.amount}); amounts, stakes and ids stay
 * integers, which the ingress requires of them whatever the retry.
 */
final class Resign {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The informational integers renumbered, by endpoint: paths of member names from the payload. */
    private static final Map<String, List<List<String>>> RENUMBERED = Map.of(
            FlowPlan.MAKE, List.of(List.of("betslip", "timestamp"), List.of("betslip", "sum"), List.of("transaction", "timestamp")),
            FlowPlan.REFUND, List.of(List.of("reason_code")),
            FlowPlan.ROLLBACK, List.of(List.of("transaction", "amount")));

    private final PrivateKey key;
    private final String operatorId;
    private final String runId;
    private final boolean keepNumbers;

    /**
     * @param keepNumbers re-signed payloads keep every number's text (only the token and the member order change)
     */
    Resign(PrivateKey key, String operatorId, String runId, boolean keepNumbers) {
        this.key = key;
        this.operatorId = operatorId;
        this.runId = runId;
        this.keepNumbers = keepNumbers;
    }

    /**
     * A re-signed copy of {@code body} (a {@code {"payload":"<jwt>"}} callback body) of a call to
     * {@code endpoint}: jti {@code <run id>-<seq>-<suffix>}, {@code iat}.
     */
    byte[] body(String endpoint, byte[] body, long seq, String suffix, long iat) {
        ObjectNode payload = reserialised(endpoint, payloadOf(body), keepNumbers);
        return Tokens.callbackBody(key, operatorId, iat, runId + "-" + seq + "-" + suffix, payload);
    }

    /** The {@code payload} claim of a callback body's token. */
    static ObjectNode payloadOf(byte[] body) {
        return (ObjectNode) claimsOf(body).get("payload");
    }

    /** The claims of a callback body's token (not verified: the body is our own). */
    static ObjectNode claimsOf(byte[] body) {
        try {
            String jwt = JSON.readTree(body).get("payload").asText();
            String[] parts = jwt.split("\\.");
            return (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a callback body: " + new String(body, StandardCharsets.US_ASCII), e);
        }
    }

    /** {@code payload} with its members in reverse order, recursively, and (unless {@code keepNumbers}) renumbered. */
    static ObjectNode reserialised(String endpoint, ObjectNode payload, boolean keepNumbers) {
        ObjectNode copy = (ObjectNode) reversed(payload);
        if (!keepNumbers) {
            for (List<String> path : RENUMBERED.getOrDefault(endpoint, List.of())) {
                JsonNode parent = copy;
                for (String name : path.subList(0, path.size() - 1)) {
                    parent = parent == null ? null : parent.get(name);
                }
                String last = path.get(path.size() - 1);
                if (parent instanceof ObjectNode o && o.has(last) && o.get(last).isIntegralNumber()) {
                    o.put(last, new BigDecimal(o.get(last).bigIntegerValue()).setScale(1));
                }
            }
        }
        return copy;
    }

    private static JsonNode reversed(JsonNode node) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.reverse(names);
            ObjectNode o = JSON.createObjectNode();
            names.forEach(n -> o.set(n, reversed(node.get(n))));
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = JSON.createArrayNode();
            node.forEach(e -> a.add(reversed(e)));
            return a;
        }
        return node;
    }
}
