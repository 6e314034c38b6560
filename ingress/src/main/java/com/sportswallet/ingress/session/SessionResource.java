package com.sportswallet.ingress.session;

import java.sql.SQLException;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.rest.JsonInput;
import com.sportswallet.ingress.rest.OperatorResource;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.ingress.service.PlayerReads;
import com.sportswallet.money.Sessions;

/**
 * Player sessions (issue 15; docs/PROTOCOL.md, "Player sessions"). Same auth as the rest of the
 * operator API: an RS256 JWT with "operator" in its groups. bet/make needs an open session of its
 * player (1007 otherwise) while SESSIONS_REQUIRED is true.
 * <ul>
 * <li>{@code POST /operator/players/{id}/sessions} {@code {"ttl_seconds": N}}: 201 the new session
 * ({@code session_id}, {@code expires_at} = now + N seconds); 404 {@code player_not_found}.</li>
 * <li>{@code PUT .../sessions/{session_id}} {@code {"ttl_seconds": N}}: 200, the session now expires
 * no earlier than N seconds from now (never earlier than before); 409 {@code session_ended} or
 * {@code session_expired} (a session never comes back: open a new one); 404 {@code session_not_found}.</li>
 * <li>{@code DELETE .../sessions/{session_id}}: 200 the ended session (a repeat answers it again);
 * 404 {@code session_not_found}.</li>
 * </ul>
 * {@code ttl_seconds} is an integer in 1..86,400 ({@link Sessions#TTL_SECONDS_MAX}), else 400
 * {@code invalid_ttl_seconds}, nothing written.
 * <p>
 * {@code GET /operator/players/{id}/sessions?state=&limit=20} (issue 17, the console's player page) lists them, newest
 * first, each with its state at the wallet clock's instant; every role reads it, on the reads pool ({@link PlayerReads}).
 */
@Path("/operator/players/{id}/sessions")
@RolesAllowed(OperatorRoles.OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {
    /** The wallet's session ids are UUIDs; anything else can name no session (404, never a database error). */
    private static final Pattern SESSION_ID = Pattern.compile("[0-9a-f-]{36}");
    /** Session lists: default and upper bound of {@code limit} (the console shows the default). */
    static final int LIST_LIMIT_DEFAULT = 20;
    static final int LIST_LIMIT_MAX = 100;
    /** A session's states as the list computes them (make-batch-sessions.sql's, without the make's UNKNOWN and OTHER_PLAYER). */
    static final List<String> STATES = List.of("OPEN", "EXPIRED", "ENDED");

    @Inject
    JsonWebToken token;
    @Inject
    SessionService service;
    @Inject
    PlayerReads reads;
    @Inject
    BonusClock clock;

    /**
     * The player's sessions, newest first, each with its {@code state} at the wallet clock's instant: ENDED once ended
     * (whether or not it had expired first), else EXPIRED at or after {@code expires_at} (what a make then answers: 1007),
     * else OPEN. {@code state} filters on one of the three; {@code limit} in 1..100, default 20. 404 for an unknown
     * player. The reads pool, one statement.
     */
    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    public Response list(@PathParam("id") String id, @QueryParam("state") String state, @QueryParam("limit") String limitParam)
            throws SQLException {
        String playerId = JsonInput.playerId(id);
        if (state != null && !STATES.contains(state)) {
            throw ApiException.badRequest("invalid_state", "state must be one of " + String.join(", ", STATES));
        }
        int limit = OperatorResource.limit(limitParam, LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX);
        List<PlayerReads.SessionRow> rows = reads.sessions(playerId, state, clock.instant(), limit);
        if (rows == null) {
            throw ApiException.notFound("player " + playerId + " not found");
        }
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("player_id", playerId);
        ArrayNode array = body.putArray("sessions");
        for (PlayerReads.SessionRow s : rows) {
            array.add(view(new Sessions.Session(s.id(), playerId, s.createdAt(), s.expiresAt(), s.endedAt())).put("state", s.state()));
        }
        return Response.ok(body.toString()).build();
    }

    @POST
    public Response open(@PathParam("id") String id, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        long ttl = ttlSeconds(JsonInput.object(body));
        return Response.status(201).entity(view(service.open(playerId, ttl, OperatorAudit.sub(token))).toString()).build();
    }

    @PUT
    @Path("/{session_id}")
    public Response extend(@PathParam("id") String id, @PathParam("session_id") String sessionId, byte[] body) throws SQLException {
        String playerId = JsonInput.playerId(id);
        long ttl = ttlSeconds(JsonInput.object(body));
        return Response.ok(view(service.extend(playerId, sessionId(playerId, sessionId), ttl, OperatorAudit.sub(token))).toString()).build();
    }

    @DELETE
    @Path("/{session_id}")
    public Response end(@PathParam("id") String id, @PathParam("session_id") String sessionId) throws SQLException {
        String playerId = JsonInput.playerId(id);
        return Response.ok(view(service.end(playerId, sessionId(playerId, sessionId), OperatorAudit.sub(token))).toString()).build();
    }

    static long ttlSeconds(ObjectNode body) {
        JsonNode ttl = body.get("ttl_seconds");
        if (ttl == null || !ttl.isIntegralNumber() || !ttl.canConvertToLong() || ttl.longValue() < Sessions.TTL_SECONDS_MIN
                || ttl.longValue() > Sessions.TTL_SECONDS_MAX) {
            throw ApiException.badRequest("invalid_ttl_seconds",
                    "ttl_seconds must be an integer number of seconds in " + Sessions.TTL_SECONDS_MIN + ".." + Sessions.TTL_SECONDS_MAX);
        }
        return ttl.longValue();
    }

    private static String sessionId(String playerId, String sessionId) {
        if (sessionId == null || !SESSION_ID.matcher(sessionId).matches()) {
            throw SessionService.notFound(playerId, sessionId);
        }
        return sessionId;
    }

    private static ObjectNode view(Sessions.Session s) {
        ObjectNode body = CloudEventJson.mapper().createObjectNode()
                .put("session_id", s.id())
                .put("player_id", s.playerId())
                .put("created_at", s.createdAt().toString())
                .put("expires_at", s.expiresAt().toString());
        if (s.endedAt() == null) {
            body.putNull("ended_at");
        } else {
            body.put("ended_at", s.endedAt().toString());
        }
        return body;
    }
}
