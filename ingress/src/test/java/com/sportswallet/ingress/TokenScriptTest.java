package com.sportswallet.ingress;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.sportswallet.testkit.OperatorKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code scripts/token ROLE --sub NAME} (issue 17) mints what the API accepts: a support token reads and is
 * refused a write, an operator token writes, and the audit records the sub given.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class TokenScriptTest {
    @Test
    void theScriptsTokensCarryTheirRoleAndSub() throws Exception {
        Path keys = Files.createTempDirectory("token-keys");
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(OperatorKeys.OPERATOR.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(keys.resolve("operator-private.pem"), pem);
        String player = OperatorApiTest.newPlayerId();

        String operator = token(keys, "operator", "alice");
        given().header("Authorization", "Bearer " + operator).contentType("application/json").body("{\"currency\":\"EUR\"}")
                .put("/operator/players/" + player).then().statusCode(201);
        String support = token(keys, "support", "bob");
        given().header("Authorization", "Bearer " + support).get("/operator/players/" + player + "/wallet").then().statusCode(200);
        given().header("Authorization", "Bearer " + support).contentType("application/json").body("{\"status\":\"BLOCKED\"}")
                .put("/operator/players/" + player + "/status").then().statusCode(403);
        assertEquals("alice", Db.text("SELECT string_agg(sub, ',') FROM operator_audit WHERE player_id = '" + player + "'"));
    }

    private static String token(Path keys, String role, String sub) throws Exception {
        Path script = Path.of("..", "scripts", "token").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder(script.toString(), role, "--sub", sub, "--lifetime", "300");
        pb.environment().put("KEYS_DIR", keys.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
