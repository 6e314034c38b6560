package com.sportswallet.ingress.rest;

import java.sql.SQLException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.service.OutboxOperatorService;
import com.sportswallet.outbox.OutboxParking;
import com.sportswallet.outbox.RelayService;

/**
 * Parked outbox keys (issue 12, finding 3): a key whose oldest row the relay could not send after
 * OUTBOX_SEND_ATTEMPTS_MAX attempts is parked with every later row of it, and stays so until an
 * operator releases it here (or with {@code scripts/outbox release KEY}), once the cause is fixed.
 * Same auth as the rest of the operator API: an RS256 JWT with "operator" in its groups.
 */
@Path("/operator/outbox/parked")
@RolesAllowed(OperatorRoles.OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
public class OutboxOperatorResource {
    @Inject
    JsonWebToken token;
    @Inject
    OutboxOperatorService service;
    @Inject
    RelayService relay;

    /**
     * {@code {"parked_keys", "parked_rows", "keys": [{"key", "outbox_id", "topic", "event_id", "attempts",
     * "error", "parked_at", "rows", "listed": [{"id", "topic", "event_id", "payload_bytes", "send_attempts",
     * "last_error", "created_at"}]}]}}: the oldest parkings first, at most 500 keys and 100 rows per key
     * listed (the counts cover all of them).
     */
    @RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
    @GET
    public Response list() throws SQLException {
        OutboxParking.Listing listing = service.parked();
        ObjectNode body = CloudEventJson.mapper().createObjectNode()
                .put("parked_keys", listing.parkedKeys())
                .put("parked_rows", listing.parkedRows());
        ArrayNode keys = body.putArray("keys");
        for (OutboxParking.ParkedKey k : listing.keys()) {
            ObjectNode key = keys.addObject()
                    .put("key", k.key())
                    .put("outbox_id", k.outboxId())
                    .put("topic", k.topic())
                    .put("event_id", k.eventId())
                    .put("attempts", k.attempts())
                    .put("error", k.error())
                    .put("parked_at", k.parkedAt().toString())
                    .put("rows", k.rows());
            ArrayNode rows = key.putArray("listed");
            for (OutboxParking.ParkedRow r : k.listed()) {
                rows.addObject()
                        .put("id", r.id())
                        .put("topic", r.topic())
                        .put("event_id", r.eventId())
                        .put("payload_bytes", r.payloadBytes())
                        .put("send_attempts", r.sendAttempts())
                        .put("last_error", r.lastError())
                        .put("created_at", r.createdAt().toString());
            }
        }
        return Response.ok(body.toString()).build();
    }

    /**
     * Releases a parked key: its rows go to Kafka in id order, with the same ids and player_seq,
     * each with a fresh count of attempts (a row that still fails parks the key again, alerted).
     * 200 {@code {"key", "released_rows", "first_id", "last_id"}}; 404 {@code not_parked}.
     */
    @POST
    @Path("/{key}/release")
    public Response release(@PathParam("key") String key) throws SQLException {
        OutboxParking.Released released = service.release(key, OperatorAudit.sub(token));
        if (released == null) {
            throw new ApiException(404, "not_parked", "outbox key " + key + " is not parked");
        }
        relay.released();
        ObjectNode body = CloudEventJson.mapper().createObjectNode()
                .put("key", released.key())
                .put("released_rows", released.rows());
        if (released.firstId() != null) {
            body.put("first_id", released.firstId()).put("last_id", released.lastId());
        }
        return Response.ok(body.toString()).build();
    }
}
