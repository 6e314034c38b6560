package com.sportswallet.ingress.rest;

import java.io.IOException;
import java.sql.SQLException;

import jakarta.inject.Inject;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.outbox.Outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Every refusal of the operator API is JSON: {"error": code, "message": text}, the authentication
 * refusals too (Quarkus answers them with an empty body by default): no token is a 401
 * {@code unauthorized}, a token the operator key did not sign (or not a JWT at all) the same, a
 * token without the {@code operator} group a 403 {@code forbidden}. Never the token's content.
 * <p>
 * So are the failures (issue 12), which Quarkus answered 500 with the exception's class and
 * message in the body (in test, its whole stack): a fault on our side of the database is a 503
 * {@code unavailable} with {@code Retry-After}, anything else unexpected a 500 {@code internal}.
 * Neither body carries an exception, a stack or a database message; the log has them. These are
 * global mappers: a resource's own mappers come first (the provider callbacks answer their faults
 * in the protocol's shape, SportsbookResource).
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);
    /** Failures answered here, by {@code kind}: {@code unavailable} (503) or {@code internal} (500). */
    public static final String FAULTS_METRIC = "operator.faults";
    /** Seconds a caller waits before retrying a 503: a lock or a connection is usually back within one. */
    static final int RETRY_AFTER_SECONDS = 1;
    /**
     * How deep a cause chain is searched: for the database fault (Hibernate wraps the driver's exception), and by the
     * provider callbacks' mapper for a spent budget.
     */
    public static final int CAUSE_DEPTH_MAX = 16;

    @Inject
    MeterRegistry meters;

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

    /**
     * Whatever no more specific mapper took. A {@link WebApplicationException} keeps its own
     * response (404 for an unknown path, 405, 415, ...). A database fault, the exception itself or
     * one of its causes, is ours and passing: 503 {@code unavailable} with {@code Retry-After},
     * logged as one WARN line (no stack: a lock held too long would flood the log with them). The
     * call is safe to repeat: a refused transaction was rolled back, and every operator write is
     * idempotent or converges (a deposit's or withdrawal's id; a create, a status change, a release),
     * which also covers a commit whose outcome a lost connection hid. Anything else is a bug: 500
     * {@code internal}, logged with its stack.
     */
    @ServerExceptionMapper
    public Response fault(Throwable e, HttpServerRequest request) {
        return fault(e, request == null ? "request" : request.method() + " " + request.path());
    }

    Response fault(Throwable e, String call) {
        if (e instanceof WebApplicationException wae) {
            return wae.getResponse();
        }
        Throwable database = databaseFault(e);
        if (database != null) {
            LOG.warnf("%s answered 503 (database unavailable or busy; the caller retries): %s", call, oneLine(database));
            meters.counter(FAULTS_METRIC, "kind", "unavailable").increment();
            return Response.fromResponse(json(503, "unavailable", "the wallet database is unavailable or busy; retry the request"))
                    .header("Retry-After", RETRY_AFTER_SECONDS).build();
        }
        if (e instanceof IOException) {
            // As Quarkus does: most often the client went away mid-request; nobody reads the answer.
            LOG.debugf(e, "%s failed on I/O (the client likely closed the connection)", call);
        } else {
            LOG.errorf(e, "%s answered 500 (unexpected)", call);
            meters.counter(FAULTS_METRIC, "kind", "internal").increment();
        }
        return json(500, "internal", "internal error");
    }

    /**
     * The fault on our side of the database behind {@code e}, or null: a JDBC error (lock or
     * statement timeout, lost or refused connection, the pool's acquisition timeout), or a commit
     * the transaction manager could not complete (a transaction timeout ends as a rollback).
     */
    public static Throwable databaseFault(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < CAUSE_DEPTH_MAX; depth++) {
            if (t instanceof SQLException sql && permanent(sql)) {
                return null; // our statement is wrong, not the database unavailable: a retry would fail the same way
            }
            if (t instanceof SQLException || t instanceof RollbackException || t instanceof HeuristicMixedException
                    || t instanceof HeuristicRollbackException || t instanceof SystemException) {
                return t;
            }
            t = t.getCause();
        }
        return null;
    }

    /**
     * SQLState classes that a retry cannot mend: 22 (data exception), 23 (integrity constraint
     * violation), 42 (syntax error or access rule violation). A 503 would invite the caller to
     * repeat a bug forever; these are 500s. Lock and statement timeouts (55P03, 57014), connection
     * failures (08), serialization failures and deadlocks (40) stay 503.
     */
    static boolean permanent(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("42"));
    }

    /** Class, SQLState and message on one line (PostgreSQL's messages carry a "Where:" line of their own). */
    static String oneLine(Throwable fault) {
        String state = fault instanceof SQLException sql && sql.getSQLState() != null ? " [SQLState " + sql.getSQLState() + "]" : "";
        String message = fault.getMessage() == null ? "" : ": " + fault.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
        return fault.getClass().getName() + state + message;
    }

    static Response unauthorized(String message) {
        return Response.fromResponse(json(401, "unauthorized", message)).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    public static Response json(int status, String code, String message) {
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("error", code).put("message", message);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body.toString()).build();
    }
}
