package com.sportswallet.ingress;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/**
 * /q/openapi is a document a provider or an operator can generate a client from (issue 17): valid for an
 * independent parser (swagger-parser), each callback its own path with its answer, its error body and every
 * status it can answer, with examples; every operator operation with the statuses it can answer.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class OpenApiTest {
    static final List<String> CALLBACKS = List.of("bet/make", "bet/win", "bet/lost", "bet/refund", "bet/rollback", "bet/discard", "bet/commit",
            "bet/settlement", "balance");

    @Test
    void theDocumentIsValidAndDescribesEveryCallbackAndOperatorOperation() {
        String json = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(json);
        assertEquals(List.of(), parsed.getMessages() == null ? List.of() : parsed.getMessages(), "swagger-parser's findings");
        OpenAPI api = parsed.getOpenAPI();
        assertNotNull(api);

        for (String callback : CALLBACKS) {
            Operation post = api.getPaths().get("/sportsbook/" + callback).getPost();
            assertNotNull(post, callback);
            assertTrue(post.getResponses().keySet().containsAll(Set.of("200", "400", "403", "413", "429", "500", "503")), callback + ": "
                    + post.getResponses().keySet());
            ApiResponse ok = post.getResponses().get("200");
            assertNotNull(ok.getContent().get("application/json").getExample(), callback + ": an example answer");
            assertNotNull(post.getRequestBody().getContent().get("application/json").getExample(), callback + ": an example request");
            assertTrue(post.getResponses().get("400").getContent().get("application/json").getExamples().size() >= 2, callback + ": its codes");
        }
        assertEquals(List.of(2001, 2005), List.of(2001, 2005).stream()
                .filter(c -> api.getPaths().get("/sportsbook/bet/make").getPost().getResponses().get("400").getContent().get("application/json")
                        .getExamples().containsKey("code" + c)).toList(), "bet/make names its codes");
        assertTrue(api.getPaths().keySet().stream().noneMatch(p -> p.contains("{endpoint")), "no templated callback path: " + api.getPaths().keySet());

        List<String> incomplete = new ArrayList<>();
        int operations = 0;
        for (var e : api.getPaths().entrySet()) {
            if (!e.getKey().startsWith("/operator")) {
                continue;
            }
            for (var op : e.getValue().readOperationsMap().entrySet()) {
                operations++;
                Set<String> statuses = op.getValue().getResponses().keySet();
                boolean write = !op.getKey().name().equals("GET");
                if (!statuses.containsAll(Set.of("400", "401", "403", "503")) || (write && !statuses.containsAll(Set.of("409", "413", "422")))
                        || (e.getKey().contains("{") && !statuses.contains("404"))) {
                    incomplete.add(op.getKey() + " " + e.getKey() + " " + statuses);
                }
            }
        }
        assertTrue(operations >= 30, "operator operations described: " + operations);
        // The console's session list (issue 17), generated from SessionResource like every operator read.
        Operation sessions = api.getPaths().get("/operator/players/{id}/sessions").getGet();
        assertNotNull(sessions, "GET /operator/players/{id}/sessions");
        assertTrue(sessions.getParameters().stream().map(p -> p.getName()).toList().containsAll(List.of("id", "state", "limit")),
                sessions.getParameters().toString());
        assertEquals(List.of(), incomplete);
    }
}
