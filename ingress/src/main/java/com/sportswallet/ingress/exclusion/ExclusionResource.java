package com.sportswallet.ingress.exclusion;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.rest.JsonInput;
import com.sportswallet.money.Exclusions;

/**
 * Self-exclusion (issue 15; docs/PROTOCOL.md, "Self-exclusion"), same auth as the rest of the operator API.
 * <ul>
 * <li>{@code PUT /operator/players/{id}/exclusion} {@code {"until": "<ISO-8601>" | null, "reason": "..."}}:
 * {@code until} null (or absent) excludes indefinitely. 201 set or extended (a
 * {@code wallet.player.excluded} event), 200 already so; 409 {@code excluded_until} when it would
 * shorten or lift the exclusion in force; 400 {@code invalid_until} (not an instant, or not after
 * now), {@code invalid_reason} (not a string, or over 500 bytes); 404 unknown player.</li>
 * <li>{@code GET} the same path: {@code {"player_id", "excluded", "until", "indefinitely", "reason"}}.</li>
 * </ul>
 */
@Path("/operator/players/{id}/exclusion")
@RolesAllowed(OperatorRoles.OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ExclusionResource {
    @Inject
    JsonWebToken token;
    @Inject
    ExclusionService service;

    @PUT
    public Response set(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        ExclusionService.Result r = service.set(playerId, request(JsonInput.object(body)), OperatorAudit.sub(token));
        return Response.status(r.status()).entity(r.body().toString()).build();
    }

    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    public Response get(@PathParam("id") String id) throws SQLException {
        return Response.ok(service.get(JsonInput.playerId(id)).toString()).build();
    }

    static ExclusionService.Request request(ObjectNode body) {
        JsonNode until = body.get("until");
        Instant end = null;
        if (until != null && !until.isNull()) {
            if (!until.isTextual()) {
                throw ApiException.badRequest("invalid_until", "until must be an ISO-8601 instant or null (indefinite)");
            }
            try {
                end = Instant.parse(until.asText());
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("invalid_until", "until must be an ISO-8601 instant such as 2030-01-01T00:00:00Z, or null");
            }
        }
        JsonNode reason = body.get("reason");
        String text = null;
        if (reason != null && !reason.isNull()) {
            if (!reason.isTextual() || reason.asText().getBytes(StandardCharsets.UTF_8).length > Exclusions.REASON_BYTES_MAX
                    || reason.asText().indexOf('\0') >= 0) {
                throw ApiException.badRequest("invalid_reason", "reason must be a string of at most " + Exclusions.REASON_BYTES_MAX + " bytes");
            }
            text = reason.asText();
        }
        return new ExclusionService.Request(end, end == null, text);
    }
}
