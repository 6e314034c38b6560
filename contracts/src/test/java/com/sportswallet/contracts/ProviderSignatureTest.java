package com.sportswallet.contracts;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

/** The provider bonus API's signature: a detached HS256 JWS that verifies only the exact body, with the exact secret. */
class ProviderSignatureTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final byte[] BODY = "{\"cid\":\"op\",\"request_id\":\"r-1\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureVerifiesItsBodyAndNothingElse() {
        String sig = ProviderSignature.sign(BODY, SECRET);
        assertTrue(sig.contains(".."), "detached: the payload part is empty: " + sig);
        assertTrue(ProviderSignature.verify(sig, BODY, SECRET));
        assertFalse(ProviderSignature.verify(sig, "{\"cid\":\"op\",\"request_id\":\"r-2\"}".getBytes(StandardCharsets.UTF_8), SECRET));
        assertFalse(ProviderSignature.verify(sig, BODY, SECRET + "x"));
        assertFalse(ProviderSignature.verify(null, BODY, SECRET));
        assertFalse(ProviderSignature.verify("not a jws", BODY, SECRET));
    }

    @Test
    void anUnsignedAlgNoneTokenIsRefused() {
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        assertFalse(ProviderSignature.verify(header + "..", BODY, SECRET));
    }

    @Test
    void aSecretTooShortForHs256IsRefusedAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> ProviderSignature.requireSecret("short"));
        assertThrows(IllegalArgumentException.class, () -> ProviderSignature.sign(BODY, "short"));
    }
}
