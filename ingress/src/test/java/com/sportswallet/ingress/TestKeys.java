package com.sportswallet.ingress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;

/**
 * RSA key pairs made for this test run: the operator's (trusted by the ingress), and a rogue
 * one the ingress has never seen. The public key is handed to the ingress as a PEM file, the
 * way scripts/up does it.
 */
public final class TestKeys implements QuarkusTestResourceLifecycleManager {
    public static final KeyPair OPERATOR = generate();
    public static final KeyPair ROGUE = generate();
    public static final String OPERATOR_ISSUER = "demo-operator";

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

    public static Path writePublicPem(KeyPair pair, String name) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "test-keys"));
            Path file = dir.resolve(name + "-public.pem");
            String pem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            Files.writeString(file, pem);
            return file.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An operator token: RS256, issuer demo-operator, the given groups. */
    public static String operatorToken(PrivateKey key, String... groups) {
        return Jwt.issuer(OPERATOR_ISSUER).subject("ops-test").groups(Set.of(groups)).expiresIn(600).sign(key);
    }

    public static String operatorToken() {
        return operatorToken(OPERATOR.getPrivate(), "operator");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        config.put("mp.jwt.verify.publickey.location", writePublicPem(OPERATOR, "operator").toString());
        // The provider's callback keys (two at once: rotation) and the operator id they must name.
        config.putAll(com.sportswallet.ingress.provider.ProviderTokens.config());
        return config;
    }

    @Override
    public void stop() {
    }
}
