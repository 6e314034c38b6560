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

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.audit.OperatorAudit;
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
    /** Bet pages: default and upper bound of {@code limit} (a bet carries its selections, settlements and credits). */
    static final int BETS_LIMIT_DEFAULT = 20;
    static final int BETS_LIMIT_MAX = 100;
    /** An operator bet id is a UUID (36); the bound leaves room and refuses anything that cannot be one. */
    static final int BET_ID_LENGTH_MAX = 64;
    static final List<String> BET_STATES = List.of("OPEN", "WON", "LOST", "REFUNDED", "CASHED_OUT");

    @Inject
    OperatorWalletService service;
    @Inject
    RelayService relay;
    @Inject
    BonusGrantService bonuses;
    @Inject
    PlayerReads reads;
    @Inject
    JsonWebToken token;

    /** Creates the player with one CASH wallet; idempotent (201 created, 200 existing, 409 other currency). */
    @PUT
    public Response create(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        String currency = JsonInput.currency(JsonInput.object(body));
        return answer(service.createPlayer(playerId, currency, OperatorAudit.sub(token)));
    }

    @PUT
    @Path("/status")
    public Response status(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        return answer(service.setStatus(playerId, JsonInput.status(JsonInput.object(body)), OperatorAudit.sub(token)));
    }

    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.FINANCE })
    @POST
    @Path("/deposits")
    public Response deposit(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        ObjectNode json = JsonInput.object(body);
        return answer(service.deposit(playerId, JsonInput.idempotencyKey(json), JsonInput.amount(json), OperatorAudit.sub(token)));
    }

    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.FINANCE })
    @POST
    @Path("/withdrawals")
    public Response withdraw(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        ObjectNode json = JsonInput.object(body);
        return answer(service.withdraw(playerId, JsonInput.idempotencyKey(json), JsonInput.amount(json), OperatorAudit.sub(token)));
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

    /**
     * The newest ledger entries first; {@code limit} in 1..500, default 50; {@code before}: a sequence, the page's
     * cursor (the answer's {@code next_before} gives the next page's; absent: the newest). The reads pool, one snapshot.
     */
    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    @Path("/ledger")
    public Response ledger(@PathParam("id") String id, @QueryParam("limit") String limitParam, @QueryParam("before") String beforeParam)
            throws SQLException {
        String playerId = JsonInput.playerId(id);
        int limit = ledgerLimit(limitParam);
        long before = beforeParam == null ? Long.MAX_VALUE : sequence(beforeParam);
        PlayerReads.LedgerPage page = reads.ledger(playerId, before, limit);
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
                    .put("created_at", e.createdAt().toString())
                    .put("operator_sub", e.operatorSub());
        }
        List<PlayerReads.Entry> entries = page.entries();
        if (entries.size() == limit) {
            body.put("next_before", entries.get(entries.size() - 1).sequence());
        } else {
            body.putNull("next_before");
        }
        return Response.ok(body.toString()).build();
    }

    /**
     * The player's bets, newest first, each with its selections, settlements (a rolled-back one names its rollback) and
     * credits; {@code state} filters (OPEN, WON, LOST, REFUNDED, CASHED_OUT); {@code before}: a bet id, the page's cursor
     * (the answer's {@code next_before}); {@code limit} in 1..100, default 20. The reads pool, one statement.
     */
    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    @Path("/bets")
    public Response bets(@PathParam("id") String id, @QueryParam("state") String state, @QueryParam("before") String before,
            @QueryParam("limit") String limitParam) throws SQLException {
        String playerId = JsonInput.playerId(id);
        if (state != null && !BET_STATES.contains(state)) {
            throw ApiException.badRequest("invalid_state", "state must be one of " + String.join(", ", BET_STATES));
        }
        if (before != null && (before.isEmpty() || before.length() > BET_ID_LENGTH_MAX)) {
            throw ApiException.badRequest("invalid_before", "before must be a bet id (1.." + BET_ID_LENGTH_MAX + " characters)");
        }
        int limit = limit(limitParam, BETS_LIMIT_DEFAULT, BETS_LIMIT_MAX);
        List<PlayerReads.BetRow> rows = reads.bets(playerId, state, before, limit);
        if (rows == null) {
            throw ApiException.notFound("player " + playerId + " not found");
        }
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("player_id", playerId);
        ArrayNode array = body.putArray("bets");
        for (PlayerReads.BetRow b : rows) {
            ObjectNode bet = array.addObject()
                    .put("id", b.id())
                    .put("provider_transaction_id", b.providerTxId())
                    .put("state", b.state())
                    .put("currency", b.currency())
                    .put("stake", b.stake())
                    .put("bonus_stake", b.bonusStake())
                    .put("bonus_id", b.bonusId())
                    .put("bonus_type", b.bonusType())
                    .put("potential_win", b.potentialWin())
                    .put("confirmed", b.confirmed())
                    .put("provider_status", b.providerStatus())
                    .put("latest_settlement_id", b.latestSettlementId())
                    .put("created_at", b.createdAt().toString())
                    .put("updated_at", b.updatedAt().toString());
            bet.set("selections", DatabaseJson.tree(b.selectionsJson()));
            bet.set("settlements", DatabaseJson.tree(b.settlementsJson()));
            bet.set("credits", DatabaseJson.tree(b.creditsJson()));
        }
        if (rows.size() == limit) {
            body.put("next_before", rows.get(rows.size() - 1).id());
        } else {
            body.putNull("next_before");
        }
        return Response.ok(body.toString()).build();
    }

    /**
     * The player's PENDING credits (decided, not yet applied by the worker), oldest first, with their age;
     * {@code status} may only be PENDING (applied and cancelled credits are listed with their bets); {@code limit} in
     * 1..500, default 50.
     */
    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    @Path("/credits")
    public Response credits(@PathParam("id") String id, @QueryParam("status") String status, @QueryParam("limit") String limitParam)
            throws SQLException {
        String playerId = JsonInput.playerId(id);
        if (status != null && !"PENDING".equals(status)) {
            throw ApiException.badRequest("invalid_status", "status must be PENDING (applied and cancelled credits are listed with their bets)");
        }
        int limit = limit(limitParam, LEDGER_LIMIT_DEFAULT, LEDGER_LIMIT_MAX);
        List<PlayerReads.PendingCredit> rows = reads.pendingCredits(playerId, limit);
        if (rows == null) {
            throw ApiException.notFound("player " + playerId + " not found");
        }
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("player_id", playerId);
        ArrayNode array = body.putArray("credits");
        for (PlayerReads.PendingCredit c : rows) {
            array.addObject()
                    .put("id", c.id())
                    .put("bet_id", c.betId())
                    .put("kind", c.kind())
                    .put("amount", c.amount())
                    .put("status", "PENDING")
                    .put("created_at", c.createdAt().toString())
                    .put("age_ms", c.ageMs());
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

    private static long sequence(String beforeParam) {
        try {
            long before = Long.parseLong(beforeParam);
            if (before >= 1) {
                return before;
            }
        } catch (NumberFormatException e) {
            // Falls through to the refusal below.
        }
        throw ApiException.badRequest("invalid_before", "before must be a ledger sequence (a positive integer)");
    }

    private static int ledgerLimit(String limitParam) {
        return limit(limitParam, LEDGER_LIMIT_DEFAULT, LEDGER_LIMIT_MAX);
    }

    /** A read's {@code limit}: the default when absent, else an integer in 1..limitMax or 400 {@code invalid_limit} (every read's words). */
    public static int limit(String limitParam, int limitDefault, int limitMax) {
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
