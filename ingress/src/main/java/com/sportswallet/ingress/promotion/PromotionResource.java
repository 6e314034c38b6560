package com.sportswallet.ingress.promotion;

import java.sql.SQLException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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
import com.sportswallet.ingress.rest.JsonInput;
import com.sportswallet.money.Promotions;
import com.sportswallet.outbox.RelayService;

/**
 * Limited-claim promotions (issue 14; docs/PROTOCOL.md, "Promotions"). Same auth as the rest of the
 * operator API: an RS256 JWT with "operator" in its groups.
 * <ul>
 * <li>{@code PUT /operator/promotions/{id}} {@code {"bonus_type","amount","currency","claims_max","expires_at"}}:
 * 201 created, 200 changed or unchanged; 409 {@code claims_max_below_claims}, 409 {@code promotion_claimed}
 * (bonus type, amount or currency changed after a claim).</li>
 * <li>{@code GET /operator/promotions/{id}}: the promotion with {@code claims_max} and {@code claims_taken}.</li>
 * <li>{@code POST /operator/promotions/{id}/claims} {@code {"player_id"}}: 201 the new claim; 200 the same claim
 * again for the player's repeat (even sold out or expired); 409 {@code sold_out}, {@code expired},
 * {@code currency_mismatch}; 404 {@code promotion_not_found}, {@code player_not_found}.</li>
 * </ul>
 */
@Path("/operator/promotions/{id}")
@RolesAllowed(OperatorRoles.OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PromotionResource {
    @Inject
    JsonWebToken token;
    @Inject
    PromotionService service;
    @Inject
    RelayService relay;

    @PUT
    public Response put(@PathParam("id") String id, byte[] body) throws SQLException {
        String promotionId = PromotionRequest.id(id);
        Promotions.Terms terms = PromotionRequest.terms(JsonInput.object(body));
        Promotions.PutResult result = service.put(promotionId, terms, OperatorAudit.sub(token));
        if (result instanceof Promotions.Created created) {
            return Response.status(201).entity(view(created.promotion()).toString()).build();
        }
        return Response.ok(view(((Promotions.Updated) result).promotion()).toString()).build();
    }

    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    public Response get(@PathParam("id") String id) throws SQLException {
        return Response.ok(view(service.view(PromotionRequest.id(id))).toString()).build();
    }

    @POST
    @Path("/claims")
    public Response claim(@PathParam("id") String id, byte[] body) throws SQLException {
        String promotionId = PromotionRequest.id(id);
        String playerId = PromotionRequest.playerId(JsonInput.object(body));
        Promotions.Claimed claim = service.claim(promotionId, playerId, OperatorAudit.sub(token));
        if (claim.created()) {
            relay.wakeUp(); // its bonus.grants record and its wallet.bonus.claimed event are committed
        }
        ObjectNode answer = CloudEventJson.mapper().createObjectNode()
                .put("promotion_id", claim.promotionId())
                .put("player_id", claim.playerId())
                .put("claimed_at", claim.claimedAt().toString())
                .put("request_id", claim.requestId())
                .put("bonus_type", claim.bonusType())
                .put("amount", claim.amount())
                .put("currency", claim.currency())
                .put("expires_at", claim.expiresAt().toString());
        return Response.status(claim.created() ? 201 : 200).entity(answer.toString()).build();
    }

    private static ObjectNode view(Promotions.Promotion p) {
        return CloudEventJson.mapper().createObjectNode()
                .put("promotion_id", p.id())
                .put("bonus_type", p.terms().bonusType())
                .put("amount", p.terms().amount())
                .put("currency", p.terms().currency())
                .put("claims_max", p.terms().claimsMax())
                .put("claims_taken", p.claimsTaken())
                .put("expires_at", p.terms().expiresAt().toString())
                .put("request_id", p.requestId());
    }
}
