package com.sportswallet.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Keys and RS256 tokens for the load generators: provider callback bodies and the operator API token. */
final class Tokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Provider tokens and the operator token live this long, so they stay valid through a run and its retries. */
    static final long TOKEN_LIFETIME_SECONDS = 3600;

    private Tokens() {
    }

    /** A PKCS#8 PEM private key (what scripts/keys writes). */
    static PrivateKey readPrivateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem);
        if (text.contains("BEGIN RSA PRIVATE KEY")) {
            throw new IllegalArgumentException(pem + " is PKCS#1; convert it: openssl pkcs8 -topk8 -nocrypt -in " + pem);
        }
        String base64 = text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /** A compact RS256 JWS (typ JWT, no kid) of {@code claimsJson}. */
    static String sign(PrivateKey key, String claimsJson) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        jws.setPayload(claimsJson);
        jws.setKey(key);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    /**
     * A provider callback body, {@code {"payload":"<jwt>"}}: claims iss = the operator id, iat,
     * exp = iat + {@link #TOKEN_LIFETIME_SECONDS}, jti, and {@code payload}.
     */
    static byte[] callbackBody(PrivateKey key, String operatorId, long iat, String jti, ObjectNode payload) {
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", operatorId)
                .put("iat", iat)
                .put("exp", iat + TOKEN_LIFETIME_SECONDS)
                .put("jti", jti);
        claims.set("payload", payload);
        // A compact JWT is base64url and dots: nothing to escape.
        return ("{\"payload\":\"" + sign(key, claims.toString()) + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    /** The operator API token: RS256, iss = operator id, groups [operator], {@link #TOKEN_LIFETIME_SECONDS}. */
    static String operatorToken(PrivateKey key, String issuer) {
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", issuer)
                .put("sub", "loadgen")
                .put("upn", "loadgen")
                .put("iat", now)
                .put("exp", now + TOKEN_LIFETIME_SECONDS)
                .put("jti", UUID.randomUUID().toString());
        claims.putArray("groups").add("operator");
        return sign(key, claims.toString());
    }
}
