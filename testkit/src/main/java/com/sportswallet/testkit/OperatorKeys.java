package com.sportswallet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * RSA key pairs made for this test run: the operator's (trusted by the service under test), and a
 * rogue one no service has seen; and the operator's RS256 tokens (issuer demo-operator, the given
 * groups), as the ingress's operator API and the notifier's activity endpoint take them. As a test
 * resource it hands the operator's public key to the service as a PEM file, the way scripts/up does.
 */
public class OperatorKeys implements QuarkusTestResourceLifecycleManager {
    public static final KeyPair OPERATOR = generate();
    public static final KeyPair ROGUE = generate();
    public static final String OPERATOR_ISSUER = "demo-operator";
    /** A token is used within a test: ten minutes is plenty. */
    public static final long TOKEN_LIFETIME_SECONDS = 600;

    /** A fresh RSA 2048 key pair (for the operator's and the provider's test keys alike). */
    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the public key as X.509 PEM to target/test-keys/{name}-public.pem and returns its absolute path. */
    public static Path writePublicPem(KeyPair pair, String name) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "test-keys"));
            Path file = dir.resolve(name + "-public.pem");
            String pem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            Files.writeString(file, pem);
            return file.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An operator token: RS256, issuer demo-operator, subject ops-test, the given groups, iat, exp, jti. */
    public static String operatorToken(PrivateKey key, String... groups) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(OPERATOR_ISSUER);
        claims.setSubject("ops-test");
        claims.setStringListClaim("groups", List.of(groups));
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(TOKEN_LIFETIME_SECONDS / 60f);
        claims.setJwtId(UUID.randomUUID().toString());
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid token of the operator key with group {@code operator}. */
    public static String operatorToken() {
        return operatorToken(OPERATOR.getPrivate(), "operator");
    }

    /** Quarkus config that makes smallrye-jwt trust {@link #OPERATOR}. */
    public static Map<String, String> config() {
        Map<String, String> config = new HashMap<>();
        config.put("mp.jwt.verify.publickey.location", writePublicPem(OPERATOR, "operator").toString());
        config.put("mp.jwt.verify.issuer", OPERATOR_ISSUER);
        return config;
    }

    @Override
    public Map<String, String> start() {
        return config();
    }

    @Override
    public void stop() {
    }
}
