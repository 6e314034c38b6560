package com.sportswallet.ingress.provider;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.ingress.TestKeys;

/**
 * Signs provider callback bodies ({@code {"payload":"<JWT>"}}) the way the provider does: RS256,
 * claims iat, exp, jti, iss (the operator id), optional aud, and {@code payload} = the request as
 * a JSON object. Plus the hostile tokens the ingress must refuse.
 *
 * <p>Signed with jose4j over claims written by Jackson rather than with smallrye-jwt-build:
 * smallrye (4.6.2) does write a nested Map claim as a JSON object, but throws a
 * NullPointerException on a null value inside it, and a request with an explicit null is a case
 * worth sending. Jackson also writes the claims exactly as the ingress's Jackson reads them.
 */
public final class ProviderTokens {
    public static final KeyPair PROVIDER = TestKeys.generate();
    /** A second provider key, rotated in next to {@link #PROVIDER}. */
    public static final KeyPair PROVIDER_NEXT = TestKeys.generate();
    /** Never configured in the ingress. */
    public static final KeyPair ROGUE = TestKeys.generate();
    public static final String PROVIDER_KID = "p1";
    public static final String PROVIDER_NEXT_KID = "p2";
    public static final String OPERATOR_ID = "demo-operator";
    /** A valid token lives this long: callbacks are answered within seconds. */
    public static final long LIFETIME_SECONDS = 60;
    // Well beyond the ingress's 15 s clock skew, so expiry and not-yet-valid are unambiguous.
    private static final long OUT_OF_SKEW_SECONDS = 300;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Writes every non-ASCII char as a backslash-u escape, one per UTF-16 unit: a lone surrogate reaches the ingress as one. */
    private static final ObjectMapper ASCII_JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    static {
        ASCII_JSON.getFactory().configure(JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature(), true);
    }

    private ProviderTokens() {
    }

    /** Quarkus config that makes the ingress trust {@link #PROVIDER} (p1) and {@link #PROVIDER_NEXT} (p2). */
    public static Map<String, String> config() {
        String keys = PROVIDER_KID + "=" + TestKeys.writePublicPem(PROVIDER, "provider-" + PROVIDER_KID)
                + "," + PROVIDER_NEXT_KID + "=" + TestKeys.writePublicPem(PROVIDER_NEXT, "provider-" + PROVIDER_NEXT_KID);
        return Map.of("wallet.provider.public-keys", keys, "wallet.operator-id", OPERATOR_ID);
    }

    /** A callback body signed with the current provider key: {@code {"payload":"<jwt>"}}. */
    public static String body(Map<String, Object> payload) {
        return wrap(token(payload).sign());
    }

    /**
     * A callback body signed with the current provider key whose {@code payload} claim is
     * {@code payloadJson} exactly as written: duplicate keys, or backslash-u escapes of lone surrogates
     * (which a Java string cannot carry to the wire: UTF-8 encoding turns them into '?').
     */
    public static String bodyWithRawPayload(String payloadJson) {
        return wrap(signRawClaims(rawClaims(payloadJson, now() + LIFETIME_SECONDS)));
    }

    /** The claims of a valid token (iss, iat now, exp, a random jti) around {@code payloadJson}, as text. */
    public static String rawClaims(String payloadJson, long expiresAt) {
        return "{\"iss\":\"" + OPERATOR_ID + "\",\"iat\":" + Math.min(now(), expiresAt - 1) + ",\"exp\":" + expiresAt + ",\"jti\":\""
                + UUID.randomUUID() + "\",\"payload\":" + payloadJson + "}";
    }

    /** Signs claims text as is, RS256 with {@code key} under kid p1. */
    public static String signRawClaims(String claimsJson, PrivateKey key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        jws.setKeyIdHeaderValue(PROVIDER_KID);
        jws.setPayload(claimsJson);
        jws.setKey(key);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String signRawClaims(String claimsJson) {
        return signRawClaims(claimsJson, PROVIDER.getPrivate());
    }

    /** {@code value} as JSON text with every non-ASCII char escaped (so lone surrogates survive as backslash-u escapes). */
    public static String asciiJson(Object value) {
        try {
            return ASCII_JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static String wrap(String jwt) {
        return JSON.createObjectNode().put("payload", jwt).toString();
    }

    /** A valid token to vary: provider key p1, issuer demo-operator, iat now, exp now + 60 s, random jti. */
    public static Token token(Map<String, Object> payload) {
        return new Token(payload);
    }

    public static String algNone(Map<String, Object> payload) {
        ObjectNode header = JSON.createObjectNode().put("alg", "none");
        return b64(header.toString()) + "." + b64(token(payload).claims().toString()) + ".";
    }

    /** Key confusion: HS256 keyed with the provider's public key (its X.509 DER bytes), kid p1. */
    public static String hs256WithPublicKey(Map<String, Object> payload) {
        return token(payload).algorithm(AlgorithmIdentifiers.HMAC_SHA256).sign();
    }

    /** Correct in every way but the key (kid p1, claiming to be the provider's). */
    public static String signedBy(KeyPair keys, Map<String, Object> payload) {
        return token(payload).key(keys.getPrivate(), PROVIDER_KID).sign();
    }

    /** A valid token for {@code payload} whose claims part is swapped for {@code otherPayload}'s; signature kept. */
    public static String tamperedPayload(Map<String, Object> payload, Map<String, Object> otherPayload) {
        String[] parts = token(payload).sign().split("\\.");
        try {
            ObjectNode claims = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            claims.set("payload", JSON.valueToTree(otherPayload));
            return parts[0] + "." + b64(claims.toString()) + "." + parts[2];
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String expired(Map<String, Object> payload) {
        long now = now();
        return token(payload).issuedAt(now - 2 * OUT_OF_SKEW_SECONDS).expiresAt(now - OUT_OF_SKEW_SECONDS).sign();
    }

    public static String notYetValid(Map<String, Object> payload) {
        long at = now() + OUT_OF_SKEW_SECONDS;
        return token(payload).issuedAt(at).notBefore(at).expiresAt(at + LIFETIME_SECONDS).sign();
    }

    public static String garbage() {
        return "not.a.jwt";
    }

    /** Signed correctly with the provider key, but RS512: only RS256 is allowed. */
    public static String rs512(Map<String, Object> payload) {
        return token(payload).algorithm(AlgorithmIdentifiers.RSA_USING_SHA512).sign();
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static String b64(String json) {
        return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** One token's key, header and claims; {@link #sign()} makes the compact JWT. */
    public static final class Token {
        private final Map<String, Object> payload;
        private final Set<String> omitted = new HashSet<>();
        private PrivateKey key = PROVIDER.getPrivate();
        private String kid = PROVIDER_KID;
        private String algorithm = AlgorithmIdentifiers.RSA_USING_SHA256;
        private String issuer = OPERATOR_ID;
        private String audience;
        private String jti = UUID.randomUUID().toString();
        private Long issuedAt;
        private Long expiresAt;
        private Long notBefore;

        private Token(Map<String, Object> payload) {
            this.payload = payload;
        }

        /** Signs with this key; {@code kid} null for no kid header. */
        public Token key(PrivateKey key, String kid) {
            this.key = key;
            this.kid = kid;
            return this;
        }

        public Token noKid() {
            this.kid = null;
            return this;
        }

        /** RS256 by default; an HS* algorithm is keyed with the provider's public key bytes. */
        public Token algorithm(String algorithm) {
            this.algorithm = algorithm;
            return this;
        }

        public Token issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        public Token audience(String audience) {
            this.audience = audience;
            return this;
        }

        public Token jti(String jti) {
            this.jti = jti;
            return this;
        }

        public Token issuedAt(long epochSeconds) {
            this.issuedAt = epochSeconds;
            return this;
        }

        public Token expiresAt(long epochSeconds) {
            this.expiresAt = epochSeconds;
            return this;
        }

        public Token notBefore(long epochSeconds) {
            this.notBefore = epochSeconds;
            return this;
        }

        /** Leaves out a claim (e.g. "exp", "iat", "iss", "jti", "payload"). */
        public Token omit(String claim) {
            omitted.add(claim);
            return this;
        }

        ObjectNode claims() {
            long now = now();
            ObjectNode claims = JSON.createObjectNode();
            claims.put("iss", issuer);
            if (audience != null) {
                claims.put("aud", audience);
            }
            claims.put("iat", issuedAt != null ? issuedAt : now);
            claims.put("exp", expiresAt != null ? expiresAt : now + LIFETIME_SECONDS);
            if (notBefore != null) {
                claims.put("nbf", notBefore);
            }
            claims.put("jti", jti);
            claims.set("payload", JSON.valueToTree(payload));
            claims.remove(omitted);
            return claims;
        }

        public String sign() {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setAlgorithmHeaderValue(algorithm);
            jws.setHeader("typ", "JWT");
            if (kid != null) {
                jws.setKeyIdHeaderValue(kid);
            }
            try {
                jws.setPayload(JSON.writeValueAsString(claims()));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("payload is not JSON-serializable", e);
            }
            if (algorithm.startsWith("HS")) {
                jws.setKey(new HmacKey(PROVIDER.getPublic().getEncoded()));
                jws.setDoKeyValidation(false);
            } else {
                jws.setKey(key);
            }
            try {
                return jws.getCompactSerialization();
            } catch (JoseException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
