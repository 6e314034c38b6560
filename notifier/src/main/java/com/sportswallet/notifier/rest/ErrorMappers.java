package com.sportswallet.notifier.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * The activity endpoint's authentication refusals are JSON {"error": code, "message": text}, as the
 * ingress's operator API answers them (Quarkus answers them with an empty body by default): no
 * token, or one the operator key did not sign, is a 401 {@code unauthorized}; a token without the
 * {@code operator} group a 403 {@code forbidden}. Never the token's content.
 */
public class ErrorMappers {

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
        return json(403, "forbidden", "the operator token lacks the group this call needs").build();
    }

    private static Response unauthorized(String message) {
        return json(401, "unauthorized", message).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private static Response.ResponseBuilder json(int status, String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
    }
}
