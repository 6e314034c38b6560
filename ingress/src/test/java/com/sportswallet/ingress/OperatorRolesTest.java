package com.sportswallet.ingress;

import static com.sportswallet.ingress.OperatorApiTest.createPlayer;
import static com.sportswallet.ingress.OperatorApiTest.deposit;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;

import org.junit.jupiter.api.Test;

import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.testkit.OperatorKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/**
 * The operator API's roles (issue 17): {@code operator} keeps every right, {@code support} only
 * reads, {@code finance} reads, deposits and withdraws. Every resource method of the ingress is
 * checked against the rules (a new endpoint cannot forget them), then the rules are exercised over
 * HTTP: a refused write is a 403 that writes nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
public class OperatorRolesTest {
    static final Set<String> EVERY_ROLE = Set.of(OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE);
    /** The only writes finance may make. */
    static final Set<String> CASHIER_METHODS = Set.of("OperatorResource.deposit", "OperatorResource.withdraw");

    @Test
    void everyOperatorEndpointFollowsTheRoleRules() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Class<?> resource : operatorResources()) {
            for (Method m : resource.getDeclaredMethods()) {
                String verb = verb(m);
                if (verb == null) {
                    continue;
                }
                String name = resource.getSimpleName() + "." + m.getName();
                RolesAllowed allowed = m.isAnnotationPresent(RolesAllowed.class) ? m.getAnnotation(RolesAllowed.class)
                        : resource.getAnnotation(RolesAllowed.class);
                assertTrue(allowed != null, name + " names no roles");
                Set<String> roles = Set.of(allowed.value());
                assertTrue(roles.contains(OperatorRoles.OPERATOR), name + ": operator keeps every right: " + roles);
                if (verb.equals("GET")) {
                    assertEquals(EVERY_ROLE, roles, name + ": every role reads");
                } else {
                    assertFalse(roles.contains(OperatorRoles.SUPPORT), name + ": support never writes");
                    assertEquals(CASHIER_METHODS.contains(name), roles.contains(OperatorRoles.FINANCE), name + ": finance deposits and withdraws only");
                }
                checked.add(verb + " " + name);
            }
        }
        // The resources found: a scan that found nothing would prove nothing.
        assertTrue(checked.size() >= 20, "resource methods checked: " + checked);
        assertTrue(checked.contains("POST OperatorResource.deposit") && checked.contains("GET OperatorResource.wallet"), checked.toString());
    }

    @Test
    void supportReadsAndIsRefusedEveryWriteWithoutAnyEffect() {
        String player = createPlayer("EUR");
        deposit(player, "dep-" + UUID.randomUUID(), 1_000).then().statusCode(200);
        RequestSpecification support = as(OperatorRoles.SUPPORT);
        support.get("/operator/players/" + player + "/wallet").then().statusCode(200).body("balance", equalTo(1000));
        as(OperatorRoles.SUPPORT).get("/operator/players/" + player + "/ledger").then().statusCode(200);
        as(OperatorRoles.SUPPORT).get("/operator/players/" + player + "/limits").then().statusCode(200);
        as(OperatorRoles.SUPPORT).get("/operator/outbox/parked").then().statusCode(200);
        as(OperatorRoles.SUPPORT).get("/operator/bonus-grants/none-" + UUID.randomUUID()).then().statusCode(404);

        long entries = Db.count("SELECT count(*) FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE w.player_id = '" + player + "'");
        as(OperatorRoles.SUPPORT).body("{\"id\":\"dep-" + UUID.randomUUID() + "\",\"amount\":5}").post("/operator/players/" + player + "/deposits")
                .then().statusCode(403);
        as(OperatorRoles.SUPPORT).body("{\"id\":\"wd-" + UUID.randomUUID() + "\",\"amount\":5}").post("/operator/players/" + player + "/withdrawals")
                .then().statusCode(403);
        as(OperatorRoles.SUPPORT).body("{\"status\":\"BLOCKED\"}").put("/operator/players/" + player + "/status").then().statusCode(403);
        as(OperatorRoles.SUPPORT).body("{\"currency\":\"EUR\"}").put("/operator/players/" + OperatorApiTest.newPlayerId()).then().statusCode(403);
        as(OperatorRoles.SUPPORT).body("{\"ttl_seconds\":60}").post("/operator/players/" + player + "/sessions").then().statusCode(403);
        assertEquals(entries,
                Db.count("SELECT count(*) FROM ledger_entry l JOIN wallet w ON w.id = l.wallet_id WHERE w.player_id = '" + player + "'"),
                "a refused write writes nothing");
        assertEquals("ACTIVE", Db.text("SELECT status FROM player WHERE id = '" + player + "'"));
    }

    @Test
    void financeDepositsAndWithdrawsButDoesNothingElse() {
        String player = createPlayer("EUR");
        as(OperatorRoles.FINANCE).body("{\"id\":\"dep-" + UUID.randomUUID() + "\",\"amount\":700}").post("/operator/players/" + player + "/deposits")
                .then().statusCode(200).body("balance", equalTo(700));
        as(OperatorRoles.FINANCE).body("{\"id\":\"wd-" + UUID.randomUUID() + "\",\"amount\":200}").post("/operator/players/" + player + "/withdrawals")
                .then().statusCode(200).body("balance", equalTo(500));
        as(OperatorRoles.FINANCE).get("/operator/players/" + player + "/wallet").then().statusCode(200).body("balance", equalTo(500));
        as(OperatorRoles.FINANCE).body("{\"status\":\"BLOCKED\"}").put("/operator/players/" + player + "/status").then().statusCode(403);
        as(OperatorRoles.FINANCE).body("{\"until\":null,\"reason\":\"asked by the player\"}").put("/operator/players/" + player + "/exclusion")
                .then().statusCode(403);
        assertEquals("ACTIVE", Db.text("SELECT status FROM player WHERE id = '" + player + "'"));
        assertEquals(0, Db.count("SELECT exclusion_version FROM player WHERE id = '" + player + "'"), "no exclusion written");
    }

    @Test
    void aTokenWithNoKnownRoleReadsNothing() {
        String player = createPlayer("EUR");
        given().header("Authorization", "Bearer " + OperatorKeys.operatorToken(OperatorKeys.OPERATOR.getPrivate(), "marketing"))
                .get("/operator/players/" + player + "/wallet").then().statusCode(403);
        given().get("/operator/players/" + player + "/wallet").then().statusCode(401);
    }

    private static RequestSpecification as(String role) {
        return given().header("Authorization", "Bearer " + OperatorKeys.operatorToken(OperatorKeys.OPERATOR.getPrivate(), role))
                .contentType("application/json");
    }

    private static String verb(Method m) {
        if (m.isAnnotationPresent(GET.class)) {
            return "GET";
        } else if (m.isAnnotationPresent(POST.class)) {
            return "POST";
        } else if (m.isAnnotationPresent(PUT.class)) {
            return "PUT";
        } else if (m.isAnnotationPresent(DELETE.class)) {
            return "DELETE";
        }
        return null;
    }

    /** Every class of the ingress's own classes whose @Path starts with /operator. */
    private static List<Class<?>> operatorResources() throws IOException, ClassNotFoundException {
        // The module's own compiled classes (surefire runs in the module's directory).
        Path classes = Path.of("target", "classes");
        assertTrue(Files.isDirectory(classes.resolve("com/sportswallet/ingress/rest")), "no compiled classes under " + classes.toAbsolutePath());
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            files.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().contains("$"))
                    .forEach(p -> names.add(classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "")));
        }
        List<Class<?>> resources = new ArrayList<>();
        for (String name : names) {
            if (!name.startsWith("com.sportswallet.ingress.")) {
                continue;
            }
            Class<?> c = Class.forName(name, false, OperatorRolesTest.class.getClassLoader());
            jakarta.ws.rs.Path path = c.getAnnotation(jakarta.ws.rs.Path.class);
            if (path != null && path.value().startsWith("/operator")) {
                resources.add(c);
            }
        }
        return resources;
    }
}
