package com.sportswallet.ingress.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyPair;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwx.JsonWebStructure;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The helper itself, checked with jose4j (what the ingress verifies with); no Quarkus. */
class ProviderTokensTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, Object> payload() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("transactionId", "tx-1");
        p.put("amount", 12.5);
        p.put("bets", List.of(Map.of("selection", "home", "odds", 2.1)));
        p.put("note", null);
        return p;
    }

    private static JwtConsumer rs256Consumer(Key key) {
        return new JwtConsumerBuilder()
                .setVerificationKey(key)
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256))
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setAllowedClockSkewInSeconds(15)
                .setExpectedIssuer(ProviderTokens.OPERATOR_ID)
                .setSkipDefaultAudienceValidation()
                .build();
    }

    private static JsonWebStructure header(String jwt) throws Exception {
        return JsonWebStructure.fromCompactSerialization(jwt);
    }

    @Test
    void validTokenVerifiesAndCarriesThePayloadAsAnObject() throws Exception {
        String jwt = ProviderTokens.token(payload()).sign();
        JwtClaims claims = rs256Consumer(ProviderTokens.PROVIDER.getPublic()).processToClaims(jwt);
        Object claim = claims.getClaimValue("payload");
        assertTrue(claim instanceof Map, "payload claim is a JSON object, was " + claim);
        assertEquals(JSON.valueToTree(payload()), JSON.valueToTree(claim));
        assertEquals("p1", header(jwt).getKeyIdHeaderValue());
        assertEquals(ProviderTokens.LIFETIME_SECONDS,
                claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue());
        assertTrue(claims.getJwtId() != null && !claims.getJwtId().isEmpty());
    }

    @Test
    void configNamesBothProviderKeysByKid() throws Exception {
        Map<String, String> config = ProviderTokens.config();
        assertEquals(ProviderTokens.OPERATOR_ID, config.get("wallet.operator-id"));
        String[] entries = config.get("wallet.provider.public-keys").split(",");
        assertEquals(2, entries.length);
        for (int i = 0; i < entries.length; i++) {
            String[] kidAndPath = entries[i].split("=", 2);
            assertEquals(i == 0 ? "p1" : "p2", kidAndPath[0]);
            Path pem = Path.of(kidAndPath[1]);
            assertTrue(pem.isAbsolute() && pem.endsWith("provider-" + kidAndPath[0] + "-public.pem"), pem.toString());
            byte[] der = Base64.getMimeDecoder().decode(Files.readString(pem).replaceAll("-----[A-Z ]+-----", ""));
            KeyPair expected = i == 0 ? ProviderTokens.PROVIDER : ProviderTokens.PROVIDER_NEXT;
            assertArrayEquals(expected.getPublic().getEncoded(), der);
        }
    }

    @Test
    void bodyWrapsTheTokenAsJson() throws Exception {
        JsonNode body = JSON.readTree(ProviderTokens.body(payload()));
        assertEquals(1, body.size());
        rs256Consumer(ProviderTokens.PROVIDER.getPublic()).processToClaims(body.get("payload").asText());
    }

    @Test
    void rotatedKeyAndVariations() throws Exception {
        String jwt = ProviderTokens.token(payload()).key(ProviderTokens.PROVIDER_NEXT.getPrivate(), "p2")
                .audience("brand-1").sign();
        JwtClaims claims = rs256Consumer(ProviderTokens.PROVIDER_NEXT.getPublic()).processToClaims(jwt);
        assertEquals(List.of("brand-1"), claims.getAudience());
        assertEquals("p2", header(jwt).getKeyIdHeaderValue());
        assertEquals(null, header(ProviderTokens.token(payload()).noKid().sign()).getKeyIdHeaderValue());
    }

    @Test
    void hostileTokens() throws Exception {
        JwtConsumer provider = rs256Consumer(ProviderTokens.PROVIDER.getPublic());
        String none = ProviderTokens.algNone(payload());
        assertEquals("none", header(none).getAlgorithmHeaderValue());
        assertTrue(none.endsWith("."), "empty signature");
        assertEquals("HS256", header(ProviderTokens.hs256WithPublicKey(payload())).getAlgorithmHeaderValue());

        Map<String, Object> other = new LinkedHashMap<>(payload());
        other.put("amount", 1_000_000);
        String tampered = ProviderTokens.tamperedPayload(payload(), other);
        assertThrows(InvalidJwtException.class, () -> provider.processToClaims(tampered));
        JsonWebSignature jws = (JsonWebSignature) header(tampered);
        assertEquals(1_000_000, JSON.readTree(jws.getUnverifiedPayload()).get("payload").get("amount").asInt());

        for (String hostile : List.of(none, ProviderTokens.hs256WithPublicKey(payload()),
                ProviderTokens.signedBy(ProviderTokens.ROGUE, payload()), ProviderTokens.expired(payload()),
                ProviderTokens.notYetValid(payload()), ProviderTokens.garbage(), ProviderTokens.rs512(payload()))) {
            assertThrows(InvalidJwtException.class, () -> provider.processToClaims(hostile), hostile);
        }
        // The RS512 one is refused for its algorithm only: the signature itself is the provider's.
        JsonWebSignature rs512 = (JsonWebSignature) header(ProviderTokens.rs512(payload()));
        rs512.setKey(ProviderTokens.PROVIDER.getPublic());
        assertTrue(rs512.verifySignature());
    }
}
