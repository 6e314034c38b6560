package com.sportswallet.ingress.limits;

import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

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
import com.sportswallet.money.Limits;

/**
 * Responsible-gaming limits (issue 15; docs/PROTOCOL.md, "Limits"), same auth as the rest of the operator API.
 * <ul>
 * <li>{@code PUT /operator/players/{id}/limits}
 * {@code {"wager": {"day": N, "week": N, "month": N}, "loss": {...}, "deposit": {...}}}: any subset,
 * minor units, {@code null} removes one. A first limit and a decrease take effect at once; an
 * increase or a removal after LIMIT_INCREASE_DELAY_HOURS. 200 with the limits as GET shows them; 400
 * {@code invalid_limits} (an unknown kind or period, or a value that is not an integer in
 * 0..10^18), nothing written; 404 unknown player.</li>
 * <li>{@code GET} the same path: each limit's value in force and pending change, and the usage of
 * the current day, week and month.</li>
 * </ul>
 */
@Path("/operator/players/{id}/limits")
@RolesAllowed(OperatorRoles.OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class LimitResource {
    @Inject
    JsonWebToken token;
    @Inject
    LimitService service;

    @PUT
    public Response set(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        return Response.ok(service.set(playerId, request(JsonInput.object(body)), OperatorAudit.sub(token)).toString()).build();
    }

    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    public Response get(@PathParam("id") String id) throws SQLException {
        return Response.ok(service.get(JsonInput.playerId(id)).toString()).build();
    }

    /** The requested changes, kind -> period -> value (null: remove), in the body's order. */
    static Map<String, Map<String, Long>> request(ObjectNode body) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> kinds = body.fields(); kinds.hasNext();) {
            Map.Entry<String, JsonNode> kind = kinds.next();
            if (!Limits.KINDS.contains(kind.getKey())) {
                throw invalid("unknown limit kind " + kind.getKey() + ": one of " + Limits.KINDS);
            }
            if (!kind.getValue().isObject()) {
                throw invalid(kind.getKey() + " must be an object of periods: {\"day\": N, \"week\": N, \"month\": N}");
            }
            Map<String, Long> periods = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> ps = kind.getValue().fields(); ps.hasNext();) {
                Map.Entry<String, JsonNode> period = ps.next();
                if (!Limits.PERIODS.contains(period.getKey())) {
                    throw invalid("unknown period " + kind.getKey() + "." + period.getKey() + ": one of " + Limits.PERIODS);
                }
                JsonNode v = period.getValue();
                if (v.isNull()) {
                    periods.put(period.getKey(), null);
                } else if (v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0 && v.longValue() <= Limits.VALUE_MAX) {
                    periods.put(period.getKey(), v.longValue());
                } else {
                    throw invalid(kind.getKey() + "." + period.getKey() + " must be an integer amount in minor units, 0.." + Limits.VALUE_MAX
                            + ", or null to remove it");
                }
            }
            out.put(kind.getKey(), periods);
        }
        return out;
    }

    private static ApiException invalid(String message) {
        return ApiException.badRequest("invalid_limits", message);
    }
}
