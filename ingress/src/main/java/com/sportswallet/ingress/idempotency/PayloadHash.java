package com.sportswallet.ingress.idempotency;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.erdtman.jcs.JsonCanonicalizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;

/**
 * The request hash of a provider callback's payload, by the version of its algorithm (stored with
 * each record as {@code idempotency_record.hash_version}; a retry is compared with the version its
 * record was stored with):
 * <ol>
 * <li>{@link #SORTED_TEXT}: SHA-256 of the payload's JSON text as Jackson writes it, object keys
 * sorted recursively. The records stored before migration V9; kept so their retries still replay.
 * {@code 2} and {@code 2.0} are different texts, hence different requests;</li>
 * <li>{@link #CANONICAL}: SHA-256 of the payload's RFC 8785 canonical JSON (JCS, through
 * java-json-canonicalization), followed by a newline and the exact decimal of every integer whose
 * magnitude exceeds {@link #DOUBLE_EXACT_INTEGER_MAX}, in JCS member order. JCS writes every number
 * as the IEEE double it denotes, so {@code 2} and {@code 2.0} are one value; but two integers that
 * differ beyond a double's precision (19-digit ids) would be one double: their exact decimals keep
 * them apart. Every record stored from V9 on.</li>
 * </ol>
 * The payload has passed {@link com.sportswallet.ingress.input.InputBounds} (no duplicate keys, no
 * lone surrogates, integers within 64 bits, finite numbers), so both forms exist and are exact.
 */
public final class PayloadHash implements IdempotencyStore.RequestHash {
    public static final int SORTED_TEXT = 1;
    public static final int CANONICAL = 2;
    /** 2^53: every integer of at most this magnitude is exactly one double; beyond it, neighbours share one. */
    static final long DOUBLE_EXACT_INTEGER_MAX = 1L << 53;

    private final JsonNode payload;
    private byte[] canonical;
    private byte[] sortedText;

    private PayloadHash(JsonNode payload) {
        this.payload = payload;
    }

    public static PayloadHash of(JsonNode payload) {
        return new PayloadHash(payload);
    }

    @Override
    public int version() {
        return CANONICAL;
    }

    @Override
    public byte[] bytes() {
        return bytes(CANONICAL);
    }

    @Override
    public byte[] bytes(int version) {
        if (version == CANONICAL) {
            if (canonical == null) {
                canonical = IdempotencyStore.hash(canonicalText(payload));
            }
            return canonical;
        }
        if (version == SORTED_TEXT) {
            if (sortedText == null) {
                sortedText = IdempotencyStore.hash(sortKeys(payload).toString());
            }
            return sortedText;
        }
        throw new IllegalStateException("no request hash version " + version);
    }

    /** The text version {@link #CANONICAL} hashes: the JCS form, then the exact wide integers. */
    static String canonicalText(JsonNode payload) {
        StringBuilder text;
        try {
            text = new StringBuilder(new JsonCanonicalizer(payload.toString()).getEncodedString());
        } catch (IOException e) {
            throw new IllegalStateException("a checked payload has no RFC 8785 form", e);
        }
        appendWideIntegers(payload, text);
        return text.toString();
    }

    /**
     * Every integer beyond a double's exact range, in JCS order: object members sorted by their
     * names' UTF-16 code units (RFC 8785 section 3.2.3, which is {@link String#compareTo}), array
     * elements in order.
     */
    private static void appendWideIntegers(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>(node.size());
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            for (String name : names) {
                appendWideIntegers(node.get(name), out);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                appendWideIntegers(element, out);
            }
        } else if (node.isIntegralNumber()) {
            if (node.canConvertToLong()) {
                long n = node.longValue();
                if (n > DOUBLE_EXACT_INTEGER_MAX || n < -DOUBLE_EXACT_INTEGER_MAX) {
                    out.append('\n').append(n);
                }
            } else {
                BigInteger n = node.bigIntegerValue();
                out.append('\n').append(n);
            }
        }
    }

    /** Version 1's form (the code before V9, unchanged): object keys sorted recursively, written by Jackson. */
    private static JsonNode sortKeys(JsonNode node) {
        if (node.isObject()) {
            ObjectNode sorted = CloudEventJson.mapper().createObjectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            for (String name : names) {
                sorted.set(name, sortKeys(node.get(name)));
            }
            return sorted;
        }
        if (node.isArray()) {
            ArrayNode array = CloudEventJson.mapper().createArrayNode();
            node.forEach(element -> array.add(sortKeys(element)));
            return array;
        }
        return node;
    }
}
