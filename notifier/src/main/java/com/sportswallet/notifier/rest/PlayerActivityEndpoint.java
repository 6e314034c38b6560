package com.sportswallet.notifier.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.notifier.streams.InteractiveQueries;
import com.sportswallet.notifier.streams.PlayerState;

/**
 * {@code GET /players/{id}/activity} (DESIGN.md "notifier REST"):
 * {"player_id","bets","stake_total","win_total","refund_total","net","last_activity"}, amounts in
 * minor units, last_activity an ISO instant or null; 404 for a player no wallet event named yet;
 * 503 (Retry-After: 1) while the store is not queryable (start, rebalance, restoration). Like the
 * ingress's operator API reads it needs the operator's RS256 token with one of the groups
 * {@code operator}, {@code support}, {@code finance} ({@link OperatorRoles}; 401 without a valid
 * token, 403 without such a group, JSON bodies: {@link ErrorMappers}); a query forwarded to the
 * instance hosting the player carries the caller's Authorization header, checked there again.
 */
@Path("/players")
@RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
@Produces(MediaType.APPLICATION_JSON)
public class PlayerActivityEndpoint {
    @Inject
    InteractiveQueries queries;

    @GET
    @Path("/{id}/activity")
    public Response activity(@PathParam("id") String playerId, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        InteractiveQueries.Result r = queries.activity(playerId, authorization);
        if (r instanceof InteractiveQueries.Local local) {
            return Response.ok(view(playerId, local.state())).build();
        }
        if (r instanceof InteractiveQueries.Remote remote) {
            return Response.ok(remote.json(), MediaType.APPLICATION_JSON).build();
        }
        if (r instanceof InteractiveQueries.NotReady notReady) {
            return Response.status(503).header("Retry-After", "1")
                    .entity(Map.of("error", "not_ready", "message", notReady.reason())).build();
        }
        return Response.status(404).entity(Map.of("error", "not_found", "message", "no activity for player " + playerId)).build();
    }

    static Map<String, Object> view(String playerId, PlayerState p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("player_id", playerId);
        m.put("bets", p.bets());
        m.put("stake_total", p.stakeTotal());
        m.put("win_total", p.winTotal());
        m.put("refund_total", p.refundTotal());
        m.put("net", p.net());
        m.put("last_activity", p.lastActivity() == null ? null : p.lastActivity().toString());
        return m;
    }
}
