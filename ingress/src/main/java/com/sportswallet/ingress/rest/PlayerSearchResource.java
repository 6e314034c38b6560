package com.sportswallet.ingress.rest;

import java.sql.SQLException;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.service.PlayerReads;

/**
 * {@code GET /operator/players?prefix=}: the player search (issue 17), on the reads pool. A class of its own:
 * RESTEasy Reactive matches a request's path against the class paths first, and under a class at
 * {@code /operator} this path was shadowed by {@code /operator/players/{id}} (404).
 */
@Path("/operator/players")
@RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
@Produces(MediaType.APPLICATION_JSON)
public class PlayerSearchResource {
    /** Player search pages: default and upper bound of {@code limit}. */
    static final int PLAYERS_LIMIT_DEFAULT = 20;
    static final int PLAYERS_LIMIT_MAX = 100;
    /** A prefix of a player id: what a player id may hold (JsonInput), possibly empty. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._:@-]{0,64}");

    @Inject
    PlayerReads players;

    /** Players whose id starts with {@code prefix} (byte order), with their balances; {@code limit} in 1..100, default 20. */
    @GET
    public Response players(@QueryParam("prefix") String prefix, @QueryParam("limit") String limitParam) throws SQLException {
        String p = prefix == null ? "" : prefix;
        if (!PREFIX.matcher(p).matches()) {
            throw ApiException.badRequest("invalid_prefix", "prefix must be 0-64 characters of [A-Za-z0-9._:@-]");
        }
        int limit = OperatorResource.limit(limitParam, PLAYERS_LIMIT_DEFAULT, PLAYERS_LIMIT_MAX);
        ObjectNode body = CloudEventJson.mapper().createObjectNode();
        ArrayNode array = body.putArray("players");
        for (PlayerReads.PlayerRow row : players.players(p, limit)) {
            array.addObject()
                    .put("player_id", row.id())
                    .put("status", row.status())
                    .put("currency", row.currency())
                    .put("balance", row.available())
                    .put("settled_balance", row.balance())
                    .put("pending_credits", row.pending());
        }
        return Response.ok(body.toString()).build();
    }
}
