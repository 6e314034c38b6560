package com.sportswallet.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.ingress.provider.ProviderTokens;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code scripts/callback ENDPOINT JSON} (issue 17) signs a callback the ingress accepts, with the provider key
 * the test ingress trusts written where the script looks ({@code KEYS_DIR}): a balance, a make on the player's
 * session and a win of that bet answer 200 with the wallet's figures; a refusal prints its code and exits 1; a
 * bad endpoint or JSON is refused by the script itself (exit 2), sending nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class CallbackScriptTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static Path keys;

    @TestHTTPResource("/")
    URL base;

    /** What one run of the script printed, and how it ended. */
    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    @BeforeAll
    static void providerKey() throws Exception {
        keys = Files.createTempDirectory("callback-keys");
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ProviderTokens.PROVIDER.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(keys.resolve("provider-private.pem"), pem);
    }

    @Test
    void aBalanceAMakeAndItsWinAreAcceptedAndARefusalExitsNonZero() throws Exception {
        String player = OperatorApiTest.createPlayer("EUR"); // opens the session the make names
        OperatorApiTest.deposit(player, "dep-" + player, 1_000).then().statusCode(200);

        Run balance = run("balance", "{\"player_id\":\"" + player + "\"}");
        assertEquals(0, balance.exit(), balance.err());
        assertEquals(1_000, balance.json().get("balance").asLong(), balance.out());

        String tx = Provider.txId();
        Run make = run("bet/make", JSON.writeValueAsString(Provider.make(player, tx, 250, "EUR")));
        assertEquals(0, make.exit(), make.err());
        assertEquals(Provider.operatorId("bet/make", tx), make.json().get("id").asText(), make.out());
        assertEquals(750, make.json().get("balance").asLong(), make.out());

        Run win = run("/bet/win", JSON.writeValueAsString(Provider.win(make.json().get("id").asText(), Provider.txId(), 400, "EUR")));
        assertEquals(0, win.exit(), win.err());
        assertEquals(1_150, win.json().get("balance").asLong(), win.out());

        // A refusal: the answer's body on stdout, the status on stderr, exit 1.
        Run unknown = run("balance", "{\"player_id\":\"" + OperatorApiTest.newPlayerId() + "\"}");
        assertEquals(1, unknown.exit(), unknown.out() + unknown.err());
        assertEquals(1006, unknown.json().get("code").asInt(), unknown.out());
        assertTrue(unknown.err().contains("HTTP 400"), unknown.err());
        assertEquals(1_150, OperatorApiTest.balance(player));
    }

    @Test
    void aBadEndpointOrJsonIsRefusedBeforeAnythingIsSent() throws Exception {
        Run endpoint = run("bet/nope", "{}");
        assertEquals(2, endpoint.exit(), endpoint.err());
        assertTrue(endpoint.err().contains("unknown endpoint 'bet/nope'") && endpoint.err().contains("bet/make"), endpoint.err());

        Run json = run("balance", "{\"player_id\":");
        assertEquals(2, json.exit(), json.err());
        assertTrue(json.err().contains("not valid JSON"), json.err());

        Run array = run("balance", "[]");
        assertEquals(2, array.exit(), array.err());
        assertTrue(array.err().contains("not a JSON object"), array.err());

        Run help = run("-h");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().contains("scripts/callback ENDPOINT JSON"), help.out());
    }

    private Run run(String... args) throws Exception {
        Path script = Path.of("..", "scripts", "callback").toAbsolutePath().normalize();
        String[] command = new String[args.length + 1];
        command[0] = script.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("KEYS_DIR", keys.toString());
        env.put("INGRESS_URL", base.toString().replaceAll("/$", ""));
        env.put("OPERATOR_ID", ProviderTokens.OPERATOR_ID);
        Path err = Files.createTempFile("callback", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "scripts/callback did not end");
        String stderr = Files.readString(err);
        Files.delete(err);
        return new Run(p.exitValue(), out, stderr);
    }
}
