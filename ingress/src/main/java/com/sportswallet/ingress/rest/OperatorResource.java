package com.sportswallet.ingress.rest;

import java.sql.SQLException;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.bonus.BonusGrantService;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.service.OperatorWalletService;
import com.sportswallet.ingress.service.PlayerReads;
import com.sportswallet.money.BonusGrants;
import com.sportswallet.outbox.RelayService;

/**
 * The operator wallet API. Every call needs an RS256 JWT from the operator key with "operator"
 * in its groups (401 without a valid token, 403 without the group).
 */
@Path("/operator/players/{id}")
@RolesAllowed(OperatorRoles.OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OperatorResource {
    /** Ledger pages: default and upper bound of {@code limit}. */
    static final int LEDGER_LIMIT_DEFAULT = 50;
    static final int LEDGER_LIMIT_MAX = 500;
    /** Bonus lists: default and upper bound of {@code limit}. */
    static final int BONUSES_LIMIT_DEFAULT = 50;
    static final int BONUSES_LIMIT_MAX = 500;

    @Inject
    OperatorWalletService service;
    @Inject
    RelayService relay;
    @Inject
    BonusGrantService bonuses;
    @Inject
    PlayerReads reads;

    /** Creates the player with one CASH wallet; idempotent (201 created, 200 existing, 409 other currency). */
    @PUT
    public Response create(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        String currency = JsonInput.currency(JsonInput.object(body));
        return answer(service.createPlayer(playerId, currency));
    }

    @PUT
    @Path("/status")
    public Response status(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        return answer(service.setStatus(playerId, JsonInput.status(JsonInput.object(body))));
    }

    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.FINANCE })
    @POST
    @Path("/deposits")
    public Response deposit(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        ObjectNode json = JsonInput.object(body);
        return answer(service.deposit(playerId, JsonInput.idempotencyKey(json), JsonInput.amount(json)));
    }

    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.FINANCE })
    @POST
    @Path("/withdrawals")
    public Response withdraw(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        ObjectNode json = JsonInput.object(body);
        return answer(service.withdraw(playerId, JsonInput.idempotencyKey(json), JsonInput.amount(json)));
    }

    /** The player's wallet: available (settled + pending), settled, pending; the reads pool, one snapshot. */
    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    @Path("/wallet")
    public Response wallet(@PathParam("id") String id) throws SQLException {
        String playerId = JsonInput.playerId(id);
        PlayerReads.WalletView wallet = reads.wallet(playerId);
        if (wallet == null) {
            throw ApiException.notFound("player " + playerId + " not found");
        }
        ObjectNode body = CloudEventJson.mapper().createObjectNode()
                .put("player_id", playerId)
                .put("currency", wallet.currency())
                .put("balance", wallet.available())
                .put("settled_balance", wallet.balance())
                .put("pending_credits", wallet.pending())
                .put("pending_credits_count", wallet.pendingCredits())
                .put("version", wallet.version())
                .put("status", wallet.status())
                .put("updated_at", wallet.updatedAt().toString());
        return Response.ok(body.toString()).build();
    }

    /** The newest ledger entries first; {@code limit} in 1..500, default 50; the reads pool, one snapshot. */
    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    @Path("/ledger")
    public Response ledger(@PathParam("id") String id, @QueryParam("limit") String limitParam) throws SQLException {
        String playerId = JsonInput.playerId(id);
        int limit = ledgerLimit(limitParam);
        PlayerReads.LedgerPage page = reads.ledger(playerId, limit);
        if (page == null) {
            throw ApiException.notFound("player " + playerId + " not found");
        }
        ObjectNode body = CloudEventJson.mapper().createObjectNode()
                .put("player_id", playerId)
                .put("currency", page.currency())
                .put("balance", page.available())
                .put("settled_balance", page.balance());
        ArrayNode array = body.putArray("entries");
        for (PlayerReads.Entry e : page.entries()) {
            array.addObject()
                    .put("id", e.id())
                    .put("operation", e.operation())
                    .put("amount", e.amount())
                    .put("balance_after", e.balanceAfter())
                    .put("sequence", e.sequence())
                    .put("idempotency_key", e.idempotencyKey())
                    .put("created_at", e.createdAt().toString());
        }
        return Response.ok(body.toString()).build();
    }

    /** The player's bonuses (issue 14), newest first; {@code limit} in 1..500, default 50. */
    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    @Path("/bonuses")
    public Response bonuses(@PathParam("id") String id, @QueryParam("limit") String limitParam) throws SQLException {
        String playerId = JsonInput.playerId(id);
        int limit = limit(limitParam, BONUSES_LIMIT_DEFAULT, BONUSES_LIMIT_MAX);
        List<BonusGrants.Bonus> list = bonuses.bonusesOf(playerId, limit);
        if (list == null) {
            throw ApiException.notFound("player " + playerId + " not found");
        }
        ObjectNode body = CloudEventJson.mapper().createObjectNode();
        ArrayNode array = body.putArray("bonuses");
        for (BonusGrants.Bonus b : list) {
            array.addObject()
                    .put("bonus_id", b.bonusId())
                    .put("bonus_type", b.bonusType())
                    .put("amount", b.amount())
                    .put("currency", b.currency())
                    .put("status", b.status())
                    .put("expires_at", b.expiresAt().toString())
                    .put("bet_id", b.betId());
        }
        return Response.ok(body.toString()).build();
    }

    private static int ledgerLimit(String limitParam) {
        return limit(limitParam, LEDGER_LIMIT_DEFAULT, LEDGER_LIMIT_MAX);
    }

    private static int limit(String limitParam, int limitDefault, int limitMax) {
        if (limitParam == null) {
            return limitDefault;
        }
        try {
            int limit = Integer.parseInt(limitParam);
            if (limit >= 1 && limit <= limitMax) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // Falls through to the refusal below.
        }
        throw ApiException.badRequest("invalid_limit", "limit must be an integer in 1.." + limitMax);
    }

    /** Answers a committed operation, waking the outbox relay for the rows it wrote. */
    private Response answer(Answer answer) {
        relay.wakeUp();
        return Response.status(answer.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(answer.body()).build();
    }
}
