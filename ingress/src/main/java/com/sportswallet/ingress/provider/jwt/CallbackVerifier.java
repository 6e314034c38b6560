package com.sportswallet.ingress.provider.jwt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.ingress.input.InputBounds;
import com.sportswallet.ingress.provider.ProtocolException;

/**
 * Verifies the provider's callback token (jose4j): RS256 only; signed by one of the configured
 * provider keys (several at once, for rotation without downtime). A token whose {@code kid}
 * names a configured key is verified with that key only; a token without a kid is tried against
 * every configured key; a token naming a kid we do not know only against keys configured without
 * a kid (a configured kid is never a wildcard); {@code exp} and {@code iat} required, 15 s
 * clock skew; {@code iss} = the operator id; {@code aud} checked only when brand ids are
 * configured. Anything else is code 2005 and nothing is written.
 */
@ApplicationScoped
public class CallbackVerifier {
    private static final Logger LOG = Logger.getLogger(CallbackVerifier.class);
    static final int CLOCK_SKEW_SECONDS = 15;
    /** A token issued longer ago than this is refused even if its exp is far away. */
    static final int ISSUED_AT_AGE_SECONDS_MAX = 24 * 3600;

    @ConfigProperty(name = "wallet.provider.public-keys")
    List<String> keyEntries;
    @ConfigProperty(name = "wallet.operator-id")
    String operatorId;
    @ConfigProperty(name = "wallet.provider.brand-ids")
    Optional<List<String>> brandIds;

    private JwtConsumer consumer;
    private int usableKeys;
    private int unusableKeys;

    /** A configured provider key: its kid (null when the entry named none) and the key. */
    record ProviderKey(String kid, PublicKey key) {
    }

    @PostConstruct
    void init() {
        List<ProviderKey> keys = new ArrayList<>();
        for (String entry : keyEntries) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            String kid = eq > 0 ? trimmed.substring(0, eq) : null;
            String location = eq > 0 ? trimmed.substring(eq + 1) : trimmed;
            try {
                keys.add(new ProviderKey(kid, readPublicPem(location)));
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                // A missing key must not stop the operator API: callbacks are refused (2005) until it exists.
                LOG.errorf("provider public key %s not loaded: %s", location, e.toString());
            }
        }
        JwtConsumerBuilder builder = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setIssuedAtRestrictions(CLOCK_SKEW_SECONDS, ISSUED_AT_AGE_SECONDS_MAX)
                .setAllowedClockSkewInSeconds(CLOCK_SKEW_SECONDS)
                .setExpectedIssuer(operatorId)
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256))
                .setVerificationKeyResolver(new Resolver(keys));
        List<String> brands = brandIds.orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (brands.isEmpty()) {
            builder.setSkipDefaultAudienceValidation();
        } else {
            builder.setExpectedAudience(brands.toArray(String[]::new));
        }
        consumer = builder.build();
        usableKeys = keys.size();
        unusableKeys = (int) keyEntries.stream().filter(e -> !e.trim().isEmpty()).count() - keys.size();
        LOG.infof("provider callback keys loaded: %d; issuer %s; audience %s", keys.size(), operatorId,
                brands.isEmpty() ? "not checked" : brands);
    }

    /** Provider keys loaded: with none, every callback is refused (2005), so the ingress is not ready. */
    public int usableKeys() {
        return usableKeys;
    }

    /** Configured provider key entries that could not be loaded (logged at start with the reason). */
    public int unusableKeys() {
        return unusableKeys;
    }

    /** Verifies the token and returns its {@code payload} claim (the request itself). */
    public ObjectNode verify(String token) {
        JwtContext context;
        try {
            context = consumer.process(token);
        } catch (InvalidJwtException e) {
            if (e.hasErrorCode(ErrorCodes.JSON_INVALID)) {
                throw claimsJsonRefused(token);
            }
            throw new ProtocolException(ProtocolException.INVALID_JWT, "invalid JWT: " + firstLine(e));
        }
        JsonNode claims;
        try {
            claims = InputBounds.parse(context.getJwtClaims().getRawJson());
        } catch (InputBounds.Malformed e) {
            throw ProtocolException.badRequest("the JWT claims are not valid JSON: " + e.getMessage());
        }
        JsonNode payload = claims.get("payload");
        if (payload == null || !payload.isObject()) {
            throw ProtocolException.badRequest("the payload claim must be a JSON object");
        }
        return (ObjectNode) payload;
    }

    /**
     * Why a token whose claims jose4j could not read as JSON is refused. jose4j reads the claims
     * before it checks the signature, and refuses a duplicate key as invalid JSON; but a duplicate
     * key is a malformed request (2004), and only from a token that is otherwise valid (else 2005,
     * as for any bad token). So the token is checked again (signature, exp, iat, iss, aud) over its
     * claims read leniently (a duplicated key's last value), and the duplicate is reported only then.
     */
    private ProtocolException claimsJsonRefused(String token) {
        String claimsJson;
        try {
            if (!(JsonWebStructure.fromCompactSerialization(token) instanceof JsonWebSignature jws)) {
                return new ProtocolException(ProtocolException.INVALID_JWT, "invalid JWT: not a valid RS256 token from the provider");
            }
            claimsJson = jws.getUnverifiedPayload();
            JsonNode lenient = CloudEventJson.mapper().readTree(claimsJson);
            if (lenient == null || !lenient.isObject()) {
                return new ProtocolException(ProtocolException.INVALID_JWT, "invalid JWT claims");
            }
            consumer.processContext(new JwtContext(token, JwtClaims.parse(lenient.toString()), List.of(jws)));
        } catch (InvalidJwtException e) {
            return new ProtocolException(ProtocolException.INVALID_JWT, "invalid JWT: " + firstLine(e));
        } catch (JoseException | IOException e) {
            return new ProtocolException(ProtocolException.INVALID_JWT, "invalid JWT claims");
        }
        try {
            InputBounds.parse(claimsJson);
        } catch (InputBounds.Malformed e) {
            return ProtocolException.badRequest("the JWT claims are malformed JSON: " + e.getMessage());
        }
        // Jackson reads strictly what jose4j would not read: not a request we can take apart either.
        return new ProtocolException(ProtocolException.INVALID_JWT, "invalid JWT claims");
    }

    /**
     * A short reason, never jose4j's own text: that quotes the whole token, which must not end up
     * in answers or logs.
     */
    private static String firstLine(InvalidJwtException e) {
        if (e.hasExpired()) {
            return "expired";
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID)) {
            return "wrong issuer";
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return "wrong audience";
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) || e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return "bad signature";
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID) || e.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_FUTURE)
                || e.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_PAST)) {
            return "not valid at this time";
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING) || e.hasErrorCode(ErrorCodes.ISSUED_AT_MISSING)) {
            return "exp and iat are required";
        }
        return "not a valid RS256 token from the provider";
    }

    static PublicKey readPublicPem(String location) throws IOException, GeneralSecurityException {
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        String pem = Files.readString(Path.of(path));
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /**
     * The key named by the token's kid when configured; else, whatever the token's kid, the first
     * key configured without a kid that verifies it. A configured kid is never a wildcard.
     */
    static final class Resolver implements VerificationKeyResolver {
        private final List<PublicKey> kidless = new ArrayList<>();
        private final Map<String, PublicKey> byKid = new HashMap<>();

        Resolver(List<ProviderKey> keys) {
            for (ProviderKey k : keys) {
                if (k.kid() != null) {
                    byKid.put(k.kid(), k.key());
                } else {
                    kidless.add(k.key());
                }
            }
        }

        @Override
        public java.security.Key resolveKey(JsonWebSignature jws, List<org.jose4j.jwx.JsonWebStructure> nestingContext)
                throws UnresolvableKeyException {
            // Checked here too, before any key is tried: the consumer's constraint applies at verification.
            if (!AlgorithmIdentifiers.RSA_USING_SHA256.equals(jws.getAlgorithmHeaderValue())) {
                throw new UnresolvableKeyException("only RS256 is accepted");
            }
            String kid = jws.getKeyIdHeaderValue();
            if (kid != null && byKid.containsKey(kid)) {
                return byKid.get(kid);
            }
            // A token without a kid may come from any configured key: try the kid-less ones first.
            List<PublicKey> candidates = new ArrayList<>(kidless);
            if (kid == null) {
                candidates.addAll(byKid.values());
            }
            for (PublicKey key : candidates) {
                try {
                    jws.setKey(key);
                    if (jws.verifySignature()) {
                        return key;
                    }
                } catch (JoseException e) {
                    // Not this key; try the next.
                }
            }
            throw new UnresolvableKeyException("no configured provider key verifies this token");
        }
    }
}
