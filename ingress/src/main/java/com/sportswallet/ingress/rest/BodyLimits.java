package com.sportswallet.ingress.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.sportswallet.contracts.CloudEventJson;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Request body limits per endpoint. The HTTP server's own limit ({@code quarkus.http.limits.max-body-size},
 * 8 MiB) is the largest body any endpoint takes: {@code POST /operator/bonus-grants}, up to 100,000
 * players. Every other request is held to {@code wallet.http.body-size-max} (256 KiB) here, right
 * after the server's own check and before any parsing: a declared Content-Length above it is 413
 * at once, and a chunked body is cut at it by the server's reader (which honours the limit this
 * route hands it).
 */
@ApplicationScoped
public class BodyLimits {
    /** The one endpoint that takes the server's full limit. */
    static final String BONUS_GRANTS_PATH = "/operator/bonus-grants";

    @ConfigProperty(name = "wallet.http.body-size-max")
    MemorySize bodySizeMax;

    void route(@Observes Router router) {
        long limit = bodySizeMax.asLongValue();
        Long limitObject = limit;
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1).handler(ctx -> {
            if (ctx.request().method() == HttpMethod.POST && BONUS_GRANTS_PATH.equals(ctx.normalizedPath())) {
                ctx.next();
                return;
            }
            String length = ctx.request().headers().get(HttpHeaderNames.CONTENT_LENGTH);
            if (length != null) {
                long declared;
                try {
                    declared = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    declared = Long.MAX_VALUE;
                }
                if (declared > limit) {
                    refuse(ctx, limit);
                    return;
                }
            } else {
                ctx.put(VertxHttpRecorder.MAX_REQUEST_SIZE_KEY, limitObject);
            }
            ctx.next();
        });
    }

    private static void refuse(RoutingContext ctx, long limit) {
        ctx.response().headers().add(HttpHeaderNames.CONNECTION, "close").add(HttpHeaderNames.CONTENT_TYPE, "application/json");
        ctx.response().setStatusCode(413).end(CloudEventJson.mapper().createObjectNode().put("error", "body_too_large")
                .put("message", "request bodies are limited to " + limit + " bytes").toString());
    }
}
