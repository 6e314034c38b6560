package com.sportswallet.ingress.bonus;

import java.sql.SQLException;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.idempotency.PayloadHash;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.rest.JsonInput;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.money.BonusGrants;
import com.sportswallet.outbox.RelayService;

/**
 * The operator's mass grants (issue 14; docs/PROTOCOL.md, "Operator bonus grants"): {@code POST}
 * records a grant of up to {@link GrantRequest#PLAYERS_MAX} players in one transaction and answers
 * 202 (the granting consumer calls the provider afterwards); {@code GET /{request_id}} shows its
 * progress. This path alone takes bodies up to the HTTP server's limit (8 MiB, BodyLimits). Operator
 * token as every /operator endpoint.
 */
@Path("/operator/bonus-grants")
@RolesAllowed(OperatorRoles.OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class BonusGrantResource {
    @Inject
    JsonWebToken token;
    @Inject
    BonusGrantService service;
    @Inject
    RelayService relay;
    /** The one clock of bonus expiry decisions: a grant must expire after its instant. */
    @Inject
    BonusClock clock;

    @POST
    public Response grant(byte[] body) throws SQLException {
        ObjectNode json = JsonInput.object(body);
        GrantRequest request = GrantRequest.parse(json, clock.instant());
        BonusGrantService.Recorded recorded = service.record(request, PayloadHash.of(json).bytes(), OperatorAudit.sub(token));
        relay.wakeUp(); // the players' bonus.grants records are committed
        ObjectNode answer = CloudEventJson.mapper().createObjectNode().put("request_id", recorded.requestId())
                .put("players_total", recorded.playersTotal());
        return Response.status(202).type(MediaType.APPLICATION_JSON_TYPE).entity(answer.toString()).build();
    }

    /**
     * {@code {"request_id","players_total","players_granted","players_rejected","rejected":{...},"status"}}:
     * {@code rejected} counts by reason the record-time rejections and the players rejected since
     * (the provider's refusals, {@code provider}); DONE once granted + rejected = total.
     */
    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    @Path("/{request_id}")
    public Response status(@PathParam("request_id") String requestId) throws SQLException {
        BonusGrants.Status s = requestId == null || requestId.length() > GrantRequest.REQUEST_ID_CHARS_MAX ? null : service.status(requestId);
        if (s == null) {
            throw new ApiException(404, "grant_not_found", "no bonus grant " + requestId);
        }
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("request_id", requestId).put("players_total", s.playersTotal())
                .put("players_granted", s.granted()).put("players_rejected", s.rejectedTotal());
        ObjectNode rejected = body.putObject("rejected");
        for (Map.Entry<String, Long> e : s.rejected().entrySet()) {
            rejected.put(e.getKey(), e.getValue());
        }
        body.put("status", s.done() ? "DONE" : "RUNNING");
        return Response.ok(body.toString()).build();
    }
}
