package com.sportswallet.ingress.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.outbox.Outbox;

/** Every refusal of the operator API is JSON: {"error": code, "message": text}. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return json(e.status(), e.code(), e.getMessage());
    }

    /** An event its topic would refuse (over max.message.bytes): refused before anything is written. */
    @ServerExceptionMapper
    public Response eventTooLarge(Outbox.EventTooLargeException e) {
        return json(400, "event_too_large", e.getMessage());
    }

    public static Response json(int status, String code, String message) {
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("error", code).put("message", message);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body.toString()).build();
    }
}
