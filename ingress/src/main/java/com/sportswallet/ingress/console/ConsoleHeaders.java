package com.sportswallet.ingress.console;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every console page and fragment is served with a Content-Security-Policy of {@code default-src 'self'}
 * (no inline script or style, nothing from elsewhere: a provider-supplied string that escaped the
 * template's escaping still could not run), never cached, never framed, and sends no referrer.
 */
public class ConsoleHeaders {
    static final String CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        if (!request.getUriInfo().getPath().startsWith("/console")) {
            return;
        }
        MultivaluedMap<String, Object> h = response.getHeaders();
        h.putSingle("Content-Security-Policy", CSP);
        h.putSingle("X-Content-Type-Options", "nosniff");
        h.putSingle("Referrer-Policy", "no-referrer");
        h.putSingle("Cache-Control", "no-store");
    }
}
