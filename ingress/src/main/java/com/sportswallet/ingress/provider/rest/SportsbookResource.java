package com.sportswallet.ingress.provider.rest;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.Metrics;
import com.sportswallet.ingress.idempotency.IdempotencyStore.Answer;
import com.sportswallet.ingress.input.InputBounds;
import com.sportswallet.ingress.provider.ProtocolException;
import com.sportswallet.ingress.provider.budget.CallbackBudget;
import com.sportswallet.ingress.provider.jwt.CallbackVerifier;
import com.sportswallet.ingress.provider.lane.MakeLanes;
import com.sportswallet.ingress.provider.service.BetMakeService;
import com.sportswallet.ingress.provider.service.BetNotesService;
import com.sportswallet.ingress.provider.service.DiscardService;
import com.sportswallet.ingress.provider.service.MakeBatchService;
import com.sportswallet.ingress.provider.service.RollbackService;
import com.sportswallet.ingress.provider.service.SettlementService;
import com.sportswallet.ingress.refusal.RefusalLog;
import com.sportswallet.ingress.rest.ErrorMappers;
import com.sportswallet.outbox.Outbox;
import com.sportswallet.outbox.RelayService;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The provider's callbacks: {@code POST /sportsbook/{endpoint}} with body {"payload": "<JWT>"}.
 * The token is verified first (2005, nothing written); then the endpoint's service decides the
 * callback in one transaction. Refusals are HTTP 400 {"code", "message"}; a fault on our side
 * (database down, lock or statement timeout) is a 503 the provider retries: never a success
 * for an effect that is not durable.
 */
@Path("/sportsbook")
@PermitAll
@Produces(MediaType.APPLICATION_JSON)
public class SportsbookResource {
    private static final Logger LOG = Logger.getLogger(SportsbookResource.class);
    /** Callbacks answered 503: a passing fault on our side. */
    static final String FAULTS_METRIC = "callback.faults";
    /** Callbacks answered 500: a bug on our side. */
    static final String INTERNAL_ERRORS_METRIC = "callback.internal_errors";
    /** A 503's stack trace is logged at most once per this interval (the others: one line each). */
    static final long STACK_TRACE_INTERVAL_NANOS = 1_000_000_000L;
    private final AtomicLong lastStackTraceNanos = new AtomicLong(System.nanoTime() - STACK_TRACE_INTERVAL_NANOS);

    @Inject
    CallbackVerifier verifier;
    @Inject
    BetMakeService makes;
    @Inject
    SettlementService settlements;
    @Inject
    RollbackService rollbacks;
    @Inject
    DiscardService discards;
    @Inject
    BetNotesService notes;
    @Inject
    MeterRegistry registry;
    @Inject
    RelayService relay;
    @Inject
    CallbackBudget budget;
    @Inject
    MakeLanes lanes;
    @Inject
    MakeBatchService batches;
    @Inject
    RefusalLog refusals;

    @GET
    @Path("/ping")
    public String ping() {
        return "{\"timestamp\":" + Instant.now().getEpochSecond() + "}";
    }

    @POST
    @Path("/ping")
    public String pingPost() {
        return ping();
    }

    @POST
    @Path("/{endpoint: bet/[a-z]+|balance}")
    @Consumes(MediaType.WILDCARD)
    public Response callback(@PathParam("endpoint") String endpoint, byte[] body) throws Exception {
        budget.start(); // the body has been read
        ObjectNode payload = null;
        try {
            payload = verifier.verify(token(body));
            CallbackMdc.put(endpoint, payload);
            storable(payload);
            return decide(endpoint, payload);
        } catch (ProtocolException e) {
            countAndLog(endpoint, payload, e.code(), e.getMessage());
            throw e;
        } catch (Outbox.EventTooLargeException e) {
            countAndLog(endpoint, payload, ProtocolException.BAD_REQUEST, e.getMessage());
            throw e;
        }
    }

    /** A refusal: counted by endpoint and code, and logged for support (after the answer, outside the transaction). */
    private void countAndLog(String endpoint, ObjectNode payload, int code, String message) {
        registry.counter(Metrics.CALLBACK_REFUSED, "endpoint", CallbackMetrics.endpointTag(endpoint), "code",
                Integer.toString(code)).increment();
        refusals.refused(endpoint, payload, code, message);
    }

    private Response decide(String endpoint, ObjectNode payload) throws Exception {
        String answer = switch (endpoint) {
            case "balance" -> notes.balance(payload);
            case "bet/make" -> body(make(payload));
            case "bet/win" -> body(settlements.settle(SettlementService.Kind.WIN, payload));
            case "bet/lost" -> body(settlements.settle(SettlementService.Kind.LOST, payload));
            case "bet/refund" -> body(settlements.settle(SettlementService.Kind.REFUND, payload));
            case "bet/rollback" -> body(rollbacks.rollback(payload));
            case "bet/discard" -> body(discards.discard(payload));
            case "bet/commit" -> notes.commit(payload);
            case "bet/settlement" -> notes.settlement(payload);
            default -> null;
        };
        if (answer == null) {
            return Response.status(404).entity(error(ProtocolException.BAD_REQUEST, "unknown endpoint " + endpoint)).build();
        }
        // The service's transaction has committed: its outbox rows (if any) can go now.
        relay.wakeUp();
        return Response.ok(answer).build();
    }

    /**
     * A make is read first (a malformed one is refused here and never waits), then decided in a batch
     * of its player's makes (issue 16, MakeLanes): one transaction for up to MAKE_BATCH_MAX of them,
     * the others waiting here within their budget.
     */
    private Answer make(ObjectNode payload) throws Exception {
        BetMakeService.MakeMember member = makes.member(payload);
        return lanes.run(member.playerId(), budget.remainingMs(), member, batches::make);
    }

    private static String body(Answer answer) {
        return answer.body();
    }

    /**
     * The JWT of a {"payload": "<JWT>"} body. A body that is not JSON at all (or has a duplicate
     * key) is a malformed request (2004); JSON without a string "payload" carries no valid token (2005).
     */
    private static String token(byte[] body) {
        JsonNode json;
        try {
            json = body == null || body.length == 0 ? null : InputBounds.parse(body);
        } catch (InputBounds.Malformed e) {
            throw ProtocolException.badRequest("body must be JSON {\"payload\": \"<JWT>\"}: " + e.getMessage());
        }
        JsonNode token = json == null ? null : json.get("payload");
        if (token == null || !token.isTextual()) {
            throw new ProtocolException(ProtocolException.INVALID_JWT, "body must carry the JWT in \"payload\"");
        }
        return token.asText();
    }

    /**
     * The one check of everything the wallet could not store as sent (NUL, lone surrogates, lengths,
     * 64-bit numbers, timestamps, selections: {@link InputBounds}), over the whole payload before any
     * service reads it: 2004, nothing written.
     */
    private static void storable(ObjectNode payload) {
        try {
            InputBounds.check(payload);
        } catch (InputBounds.Refused e) {
            throw ProtocolException.badRequest("payload." + e.getMessage());
        }
    }

    @ServerExceptionMapper
    public Response refused(ProtocolException e, ContainerRequestContext request) {
        request.setProperty(CallbackMetrics.CODE_PROPERTY, e.code());
        return Response.status(400).type(MediaType.APPLICATION_JSON_TYPE).entity(error(e.code(), e.getMessage())).build();
    }

    /**
     * A callback whose event its topic would refuse (over the topic's max.message.bytes: an event
     * that could never be published): 2004, and nothing was written (the transaction rolled back).
     */
    @ServerExceptionMapper
    public Response eventTooLarge(Outbox.EventTooLargeException e, ContainerRequestContext request) {
        return refused(ProtocolException.badRequest(e.getMessage()), request);
    }

    /**
     * Our side failed. Passing (database unreachable, lock or statement timeout, transaction timeout, the callback's budget
     * spent, the player's make lane full): 503, so the provider retries; the transaction was rolled back, so the retry starts clean. Anything else is a
     * bug a retry cannot mend: 500, logged with its stack and counted apart ({@value #INTERNAL_ERRORS_METRIC}) so it
     * alerts instead of hiding among the 503s. Neither wrote anything.
     */
    @ServerExceptionMapper({ java.sql.SQLException.class, jakarta.transaction.RollbackException.class, RuntimeException.class })
    public Response fault(Exception e) {
        if (e instanceof jakarta.ws.rs.WebApplicationException wae) {
            return wae.getResponse();
        }
        if (passing(e)) {
            // With its stack at most once a second (STACK_TRACE_INTERVAL_NANOS): an overload answers many 503s at once.
            long now = System.nanoTime();
            long last = lastStackTraceNanos.get();
            if (now - last >= STACK_TRACE_INTERVAL_NANOS && lastStackTraceNanos.compareAndSet(last, now)) {
                LOG.warnf(e, "callback failed on our side (answered 503)");
            } else {
                LOG.warnf("callback failed on our side (answered 503): %s", e.toString());
            }
            registry.counter(FAULTS_METRIC).increment();
            return Response.status(503).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(CloudEventJson.mapper().createObjectNode().put("message", "temporarily unavailable, retry").toString()).build();
        }
        LOG.errorf(e, "callback failed on a bug on our side (answered 500)");
        registry.counter(INTERNAL_ERRORS_METRIC).increment();
        return Response.status(500).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(CloudEventJson.mapper().createObjectNode().put("message", "internal error").toString()).build();
    }

    /**
     * Whether {@code e} is a passing fault a retry may mend: the database's (ErrorMappers.databaseFault), a spent budget,
     * or a make the player's lane refused.
     */
    static boolean passing(Throwable e) {
        if (ErrorMappers.databaseFault(e) != null) {
            return true;
        }
        Throwable t = e;
        for (int depth = 0; t != null && depth < ErrorMappers.CAUSE_DEPTH_MAX; depth++) {
            if (t instanceof CallbackBudget.Spent || t instanceof MakeLanes.Busy) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }

    private static String error(int code, String message) {
        return CloudEventJson.mapper().createObjectNode().put("code", code).put("message", message).toString();
    }
}
