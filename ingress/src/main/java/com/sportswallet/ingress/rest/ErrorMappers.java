package com.sportswallet.ingress.rest;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.outbox.Outbox;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Every refusal of the operator API is JSON: {"error": code, "message": text}, the authentication
 * refusals too (Quarkus answers them with an empty body by default): no token is a 401
 * {@code unauthorized}, a token the operator key did not sign (or not a JWT at all) the same, a
 * token without the {@code operator} group a 403 {@code forbidden}. Never the token's content.
 */
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

    @ServerExceptionMapper
    public Response missingToken(UnauthorizedException e) {
        return unauthorized("an operator token is required: Authorization: Bearer <RS256 JWT>");
    }

    @ServerExceptionMapper
    public Response invalidToken(AuthenticationFailedException e) {
        return unauthorized("the bearer token is not a valid operator token");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return json(403, "forbidden", "the operator token lacks the group this call needs");
    }

    static Response unauthorized(String message) {
        return Response.fromResponse(json(401, "unauthorized", message)).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    public static Response json(int status, String code, String message) {
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("error", code).put("message", message);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body.toString()).build();
    }
}
