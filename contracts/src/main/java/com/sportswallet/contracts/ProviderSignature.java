package com.sportswallet.contracts;

import java.nio.charset.StandardCharsets;

import org.jose4j.base64url.Base64Url;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * How a call to the sportsbook provider's bonus API is signed (docs/PROTOCOL.md, "The provider's
 * bonus API"), written once for the operator's client and the provider simulator: header
 * {@code x-sign-jws}, a JWS with detached content, HS256 with the partner secret, over the exact
 * body bytes ({@code base64url(header) + ".." + signature}; the signing input is the header and the
 * base64url of the body).
 */
public final class ProviderSignature {
    public static final String HEADER = "x-sign-jws";
    /** HS256 needs a key of at least 256 bits. */
    public static final int SECRET_BYTES_MIN = 32;

    private ProviderSignature() {
    }

    /** The value of {@link #HEADER} for {@code body}. */
    public static String sign(byte[] body, String secret) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
            jws.setHeader("typ", "JWT");
            jws.setPayloadBytes(body);
            jws.setKey(key(secret));
            return jws.getDetachedContentCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code detached} signs exactly {@code body} with {@code secret} (HS256 only; anything unreadable is false). */
    public static boolean verify(String detached, byte[] body, String secret) {
        if (detached == null || detached.isBlank()) {
            return false;
        }
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                    AlgorithmIdentifiers.HMAC_SHA256));
            jws.setCompactSerialization(detached);
            jws.setEncodedPayload(Base64Url.encode(body));
            jws.setKey(key(secret));
            return jws.verifySignature();
        } catch (JoseException e) {
            return false;
        }
    }

    /** {@code secret}, when it can sign: at least {@link #SECRET_BYTES_MIN} bytes; checked at start-up by whoever holds one. */
    public static String requireSecret(String secret) {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < SECRET_BYTES_MIN) {
            throw new IllegalArgumentException("the partner secret must have at least " + SECRET_BYTES_MIN + " bytes (HS256)");
        }
        return secret;
    }

    private static HmacKey key(String secret) {
        return new HmacKey(requireSecret(secret).getBytes(StandardCharsets.UTF_8));
    }
}
