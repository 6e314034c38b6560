package com.sportswallet.reconcile;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;

/**
 * A loadgen log (JSON Lines, the contract in docs/LOADGEN.md, version 1): a header line, then
 * one {@code "kind":"callback"} line per callback the generator sent, with its final outcome.
 * Lines of other kinds are skipped, so the format can grow.
 */
record LoadgenLog(Path file, List<Callback> callbacks) {

    /**
     * One callback line: what was sent and its final HTTP status (0 = unknown). {@code answerBalance}:
     * whether the final answer (a JSON object) carried a {@code balance}, null when there was none;
     * {@code resigned}: the final attempt's body was a re-signed copy (new jti and iat) of the first.
     */
    record Callback(long seq, String endpoint, String txId, String betTxId, String betId, String parentTxId, String parentEndpoint,
            String playerId, long amount, String currency, boolean duplicate, boolean resigned, int status, Integer code,
            Long answerAmount, Boolean answerBalance) {

        /** The key the ingress is idempotent on: (endpoint, provider transaction id). */
        String key() {
            return endpoint + " " + txId;
        }

        /** The operator id of this callback's own decision: stableId(endpoint, txId). */
        String operatorId() {
            return CloudEventJson.stableId(endpoint, txId);
        }

        String describe() {
            return endpoint + " " + txId + " (seq " + seq + (playerId == null ? "" : ", player " + playerId) + ", amount " + amount
                    + ", status " + status + (code == null ? "" : " code " + code) + (duplicate ? ", duplicate" : "")
                    + (resigned ? ", re-signed" : "") + ")";
        }
    }

    static final List<String> ENDPOINTS = List.of("bet/make", "bet/win", "bet/lost", "bet/refund", "bet/rollback", "bet/discard");

    static LoadgenLog read(Path file) throws ReconcileException {
        List<Callback> callbacks = new ArrayList<>();
        boolean header = false;
        long lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null;) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = CloudEventJson.mapper().readTree(line);
                } catch (IOException e) {
                    throw new ReconcileException(file + ":" + lineNo + ": not JSON: " + e.getMessage());
                }
                String kind = n.path("kind").asText("");
                if (kind.equals("header")) {
                    if (n.path("version").asInt(-1) != 1) {
                        throw new ReconcileException(file + ":" + lineNo + ": log version " + n.path("version") + ", this reconcile reads 1");
                    }
                    header = true;
                } else if (kind.equals("callback")) {
                    callbacks.add(callback(n, file, lineNo));
                }
            }
        } catch (IOException e) {
            throw new ReconcileException("cannot read the log " + file + ": " + e);
        }
        if (!header) {
            throw new ReconcileException(file + ": no header line ({\"kind\":\"header\",\"version\":1,...}): not a loadgen log");
        }
        return new LoadgenLog(file, callbacks);
    }

    private static Callback callback(JsonNode n, Path file, long lineNo) throws ReconcileException {
        String endpoint = n.path("endpoint").asText("");
        String txId = n.path("txId").asText(null);
        if (!ENDPOINTS.contains(endpoint) || txId == null || !n.path("status").canConvertToInt()) {
            throw new ReconcileException(file + ":" + lineNo + ": a callback line needs endpoint (one of " + ENDPOINTS + "), txId and status");
        }
        String betTxId = text(n, "betTxId");
        if (betTxId == null && (endpoint.equals("bet/make") || endpoint.equals("bet/discard"))) {
            betTxId = txId;
        }
        String betId = betTxId != null ? CloudEventJson.stableId("bet/make", betTxId) : text(n, "betId");
        // Only the answer's amount (a rollback's reversed amount) and whether it had a balance are kept, not the whole body.
        JsonNode answer = n.path("answer");
        JsonNode answerAmount = answer.path("amount");
        return new Callback(n.path("seq").asLong(lineNo), endpoint, txId, betTxId, betId, text(n, "parentTxId"), text(n, "parentEndpoint"),
                text(n, "playerId"), n.path("amount").asLong(0), text(n, "currency"), n.path("duplicate").asBoolean(false),
                n.path("resigned").asBoolean(false), n.get("status").asInt(), n.hasNonNull("code") ? n.get("code").asInt() : null,
                answerAmount.isIntegralNumber() ? answerAmount.asLong() : null, answer.isObject() ? answer.has("balance") : null);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
