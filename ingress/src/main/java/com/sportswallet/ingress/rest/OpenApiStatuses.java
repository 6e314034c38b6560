package com.sportswallet.ingress.rest;

import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Completes the operator API's generated OpenAPI (issue 17) with the statuses every operation can answer
 * and their body ({@code OperatorError} of META-INF/openapi.yaml), so a client generated from /q/openapi
 * knows them: 401 (no valid token), 403 (a role the operation does not allow), 400 (a refused input),
 * 503 (a passing fault: retry); with a path parameter 404; a write also 409 (a conflict with what is
 * stored), 413 (body over its bound) and 422 (refused by a rule: funds, exclusion, limits). The provider
 * callbacks are described in META-INF/openapi.yaml itself.
 */
public class OpenApiStatuses implements OASFilter {
    static final String ERROR_SCHEMA = "#/components/schemas/OperatorError";
    private static final Map<String, String> EVERY = Map.of(
            "400", "Refused input ({\"error\": code, \"message\"}); nothing was written",
            "401", "No valid operator token",
            "403", "The token's role does not allow this operation; nothing was written",
            "503", "A passing fault (database, timeout); nothing was written: retry");
    private static final Map<String, String> WRITES = Map.of(
            "409", "Conflicts with what is stored (an id reused with another body, a state that does not allow it)",
            "413", "The body is over its bound",
            "422", "Refused by a rule (insufficient funds, self-exclusion, a limit, sold out)");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith("/operator")) {
                item.getOperations().forEach((method, op) -> complete(path, method, op));
            }
        });
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation op) {
        if (op.getResponses() == null) {
            op.setResponses(OASFactory.createAPIResponses());
        }
        EVERY.forEach((status, description) -> add(op, status, description));
        if (path.contains("{")) {
            add(op, "404", "Not found (the player, bet, grant, promotion or transaction named)");
        }
        if (method != PathItem.HttpMethod.GET) {
            WRITES.forEach((status, description) -> add(op, status, description));
        }
    }

    private static void add(Operation op, String status, String description) {
        if (op.getResponses().hasAPIResponse(status)) {
            return;
        }
        APIResponse r = OASFactory.createAPIResponse().description(description).content(OASFactory.createContent()
                .addMediaType("application/json", OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR_SCHEMA))));
        op.getResponses().addAPIResponse(status, r);
    }
}
