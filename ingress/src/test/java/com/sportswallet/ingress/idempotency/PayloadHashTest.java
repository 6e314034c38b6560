package com.sportswallet.ingress.idempotency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;

/** The request hash's two versions, without a server: what is one request and what is two. */
class PayloadHashTest {

    private static PayloadHash hash(String json) throws Exception {
        JsonNode node = CloudEventJson.mapper().readTree(json);
        return PayloadHash.of(node);
    }

    private static boolean same(String a, String b, int version) throws Exception {
        return Arrays.equals(hash(a).bytes(version), hash(b).bytes(version));
    }

    @Test
    void version2IsTheJsonValueKeyOrderAndNumberFormsAside() throws Exception {
        assertEquals(PayloadHash.CANONICAL, hash("{}").version());
        assertArrayEquals(hash("{}").bytes(PayloadHash.CANONICAL), hash("{}").bytes());
        assertEquals(true, same("{\"a\":2,\"b\":[1.5,\"x\"]}", "{ \"b\" : [ 1.50, \"x\" ], \"a\" : 2.0 }", PayloadHash.CANONICAL));
        assertEquals(true, same("{\"n\":100}", "{\"n\":1E2}", PayloadHash.CANONICAL));
        assertEquals(true, same("{\"n\":9007199254740992}", "{\"n\":9007199254740992.0}", PayloadHash.CANONICAL),
                "2^53 is a double exactly");
        assertFalse(same("{\"a\":2}", "{\"a\":\"2\"}", PayloadHash.CANONICAL));
        assertFalse(same("{\"a\":[1,2]}", "{\"a\":[2,1]}", PayloadHash.CANONICAL));
    }

    @Test
    void version2ComparesIntegersBeyondADoubleByTheirExactDecimal() throws Exception {
        // One double each pair, so one JCS text: the exact decimals after it keep them apart.
        assertEquals(PayloadHash.canonicalText(CloudEventJson.mapper().readTree("{\"id\":1234567890123456789}")).lines().findFirst(),
                PayloadHash.canonicalText(CloudEventJson.mapper().readTree("{\"id\":1234567890123456788}")).lines().findFirst());
        assertFalse(same("{\"id\":1234567890123456789}", "{\"id\":1234567890123456788}", PayloadHash.CANONICAL));
        assertFalse(same("{\"id\":9007199254740993}", "{\"id\":9007199254740992}", PayloadHash.CANONICAL));
        assertFalse(same("{\"id\":-9007199254740993}", "{\"id\":-9007199254740992}", PayloadHash.CANONICAL));
        // After the JCS text, in JCS member order (b before c) whatever the order sent; small integers add nothing.
        String text = PayloadHash.canonicalText(CloudEventJson.mapper().readTree(
                "{\"c\":[-9223372036854775808,7],\"b\":9007199254740993,\"a\":9007199254740992}"));
        assertEquals(List.of("{\"a\":9007199254740992,\"b\":9007199254740992,\"c\":[-9223372036854776000,7]}", "9007199254740993",
                "-9223372036854775808"), text.lines().toList());
    }

    @Test
    void version1IsTheSortedTextAsStoredBeforeV9() throws Exception {
        assertEquals(true, same("{\"b\":1,\"a\":{\"d\":2,\"c\":3}}", "{\"a\":{\"c\":3,\"d\":2},\"b\":1}", PayloadHash.SORTED_TEXT));
        assertFalse(same("{\"a\":2}", "{\"a\":2.0}", PayloadHash.SORTED_TEXT), "version 1 compared the text");
        // The two forms coincide where the text is already canonical, and differ where it is not.
        assertArrayEquals(hash("{\"b\":2,\"a\":\"x\"}").bytes(PayloadHash.SORTED_TEXT), hash("{\"b\":2,\"a\":\"x\"}").bytes());
        assertFalse(Arrays.equals(hash("{\"a\":2.0}").bytes(PayloadHash.SORTED_TEXT), hash("{\"a\":2.0}").bytes()));
    }
}
