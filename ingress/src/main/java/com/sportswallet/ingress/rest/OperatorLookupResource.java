package com.sportswallet.ingress.rest;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.input.InputBounds;
import com.sportswallet.ingress.service.KafkaFigures;
import com.sportswallet.ingress.service.OperationsReads;
import com.sportswallet.ingress.service.ReadPool;
import com.sportswallet.ingress.service.TransactionReads;

/**
 * The operator API's lookups across players (issue 17): the transaction status lookup, the audit list, the
 * pipeline, the alerts and the open-bets report (the player search is {@link PlayerSearchResource}). Reads only, on the reads pool ({@link ReadPool}); every operator role may read.
 */
@Path("/operator")
@RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
@Produces(MediaType.APPLICATION_JSON)
public class OperatorLookupResource {
    /** Audit pages: default and upper bound of {@code limit}. */
    static final int AUDIT_LIMIT_DEFAULT = 50;
    static final int AUDIT_LIMIT_MAX = 500;
    /** Refusals shown with a transaction lookup, newest first. */
    static final int REFUSALS_SHOWN_MAX = 20;

    @Inject
    TransactionReads transactions;
    @Inject
    ReadPool reads;
    @Inject
    OperationsReads operations;
    @Inject
    KafkaFigures kafka;

    /**
     * Every transaction keyed by this provider transaction id (a make and its discard share one), with what each
     * caused, and the refusals logged for it: {@code {"transactions": [...], "refusals": [...]}}.
     */
    @GET
    @Path("/transactions")
    public Response byProviderId(@QueryParam("provider_transaction_id") String providerTransactionId) throws SQLException {
        String key = transactionId(providerTransactionId, "provider_transaction_id");
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("provider_transaction_id", key);
        ArrayNode array = body.putArray("transactions");
        for (TransactionReads.Transaction t : transactions.byProviderId(key)) {
            array.add(json(t));
        }
        ArrayNode refusals = body.putArray("refusals");
        for (TransactionReads.Refusal r : transactions.refusals(key, REFUSALS_SHOWN_MAX)) {
            refusals.addObject()
                    .put("endpoint", r.endpoint())
                    .put("provider_transaction_id", r.providerTransactionId())
                    .put("player_id", r.playerId())
                    .put("bet_id", r.betId())
                    .put("code", r.code())
                    .put("message", r.message())
                    .put("created_at", r.createdAt().toString());
        }
        return Response.ok(body.toString()).build();
    }

    /** The transaction the wallet answered with this operator id (a make, win, lost, refund, rollback or discard); 404 if none. */
    @GET
    @Path("/transactions/{id}")
    public Response byOperatorId(@PathParam("id") String id) throws SQLException {
        String operatorId = transactionId(id, "id");
        TransactionReads.Transaction t = transactions.byOperatorId(operatorId);
        if (t == null) {
            throw ApiException.notFound("no transaction with operator id " + operatorId
                    + " (operator deposits and withdrawals are found by their own id: ?provider_transaction_id=)");
        }
        return Response.ok(json(t).toString()).build();
    }

    /**
     * The operator writes, newest first, with the {@code sub} of the token that made each: all, or one player's
     * ({@code player_id}); {@code before}: an audit id, the page's cursor ({@code next_before}); {@code limit} in 1..500.
     */
    @GET
    @Path("/audit")
    public Response audit(@QueryParam("player_id") String playerId, @QueryParam("before") String beforeParam,
            @QueryParam("limit") String limitParam) throws SQLException {
        String player = playerId == null ? null : JsonInput.playerId(playerId);
        long before = Long.MAX_VALUE;
        if (beforeParam != null) {
            try {
                before = Long.parseLong(beforeParam);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid_before", "before must be an audit id (an integer)");
            }
        }
        int limit = OperatorResource.limit(limitParam, AUDIT_LIMIT_DEFAULT, AUDIT_LIMIT_MAX);
        List<OperatorAudit.Row> rows;
        try (Connection c = reads.connection()) {
            rows = OperatorAudit.list(c, player, before, limit);
        }
        ObjectNode body = CloudEventJson.mapper().createObjectNode();
        ArrayNode array = body.putArray("entries");
        for (OperatorAudit.Row r : rows) {
            array.addObject()
                    .put("id", r.id())
                    .put("sub", r.sub())
                    .put("action", r.action())
                    .put("player_id", r.playerId())
                    .put("target", r.target())
                    .put("ledger_key", r.ledgerKey())
                    .put("created_at", r.createdAt().toString());
        }
        if (rows.size() == limit) {
            body.put("next_before", rows.get(rows.size() - 1).id());
        } else {
            body.putNull("next_before");
        }
        return Response.ok(body.toString()).build();
    }

    /**
     * The pipeline at a glance: the outbox backlog and its oldest row's age, parked keys, PENDING credits and the
     * oldest's age (the database, now); consumer lag per group and partition, dead-letter counts and latest reasons
     * (Kafka, at most OPERATOR_KAFKA_FIGURES_CACHE_MS old; {@code kafka.error} when the broker did not answer).
     */
    @GET
    @Path("/pipeline")
    public Response pipeline() throws SQLException {
        OperationsReads.Backlog b = operations.backlog();
        KafkaFigures.Figures k = kafka.figures();
        ObjectNode body = CloudEventJson.mapper().createObjectNode();
        body.putObject("outbox").put("rows", b.outboxRows()).put("oldest_age_ms", b.outboxOldestAgeMs()).put("parked_keys", b.parkedKeys());
        body.putObject("pending_credits").put("count", b.pendingCredits()).put("oldest_age_ms", b.pendingOldestAgeMs());
        ObjectNode kafkaNode = body.putObject("kafka").put("taken_at", Instant.ofEpochMilli(k.takenAtMs()).toString()).put("error", k.error());
        ArrayNode lags = kafkaNode.putArray("consumer_lag");
        for (KafkaFigures.Lag l : k.lags()) {
            lags.addObject().put("group", l.group()).put("topic", l.topic()).put("partition", l.partition()).put("committed", l.committed())
                    .put("end", l.end()).put("lag", l.lag());
        }
        ArrayNode dlqs = kafkaNode.putArray("dead_letters");
        for (KafkaFigures.DeadLetters d : k.deadLetters()) {
            ObjectNode o = dlqs.addObject().put("topic", d.topic()).put("records", d.records());
            ArrayNode reasons = o.putArray("latest_reasons");
            d.latestReasons().forEach(reasons::add);
        }
        return Response.ok(body.toString()).build();
    }

    /**
     * The alerts (every wallet.alert, logged with its event) at or after {@code since} (ISO-8601 instant; default: the
     * last 24 hours), oldest first; {@code after}: an alert id, the page's cursor ({@code next_after}); {@code limit} 1..500.
     */
    @GET
    @Path("/alerts")
    public Response alerts(@QueryParam("since") String sinceParam, @QueryParam("after") String afterParam, @QueryParam("limit") String limitParam)
            throws SQLException {
        Instant since;
        try {
            since = sinceParam == null ? Instant.now().minus(Duration.ofDays(1)) : Instant.parse(sinceParam);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("invalid_since", "since must be an ISO-8601 instant such as 2026-01-31T00:00:00Z");
        }
        long after = 0;
        if (afterParam != null) {
            try {
                after = Long.parseLong(afterParam);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid_after", "after must be an alert id (an integer)");
            }
        }
        int limit = OperatorResource.limit(limitParam, AUDIT_LIMIT_DEFAULT, AUDIT_LIMIT_MAX);
        List<OperationsReads.AlertRow> rows = operations.alerts(since, after, limit);
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("since", since.toString());
        ArrayNode array = body.putArray("alerts");
        for (OperationsReads.AlertRow a : rows) {
            ObjectNode o = array.addObject().put("id", a.id()).put("event_id", a.eventId()).put("player_id", a.key()).put("reason", a.reason())
                    .put("occurred_at", a.occurredAt().toString()).put("created_at", a.createdAt().toString());
            o.set("data", DatabaseJson.tree(a.dataJson()));
        }
        if (rows.size() == limit) {
            body.put("next_after", rows.get(rows.size() - 1).id());
        } else {
            body.putNull("next_after");
        }
        return Response.ok(body.toString()).build();
    }

    /**
     * The OPEN bets, by age band and currency: how many, the stakes they hold, their {@code potential_win} (the
     * exposure), how many were never confirmed by bet/commit, and the oldest: the liability an operator must know.
     */
    @GET
    @Path("/reports/open-bets")
    public Response openBets() throws SQLException {
        ObjectNode body = CloudEventJson.mapper().createObjectNode();
        ArrayNode array = body.putArray("bands");
        for (OperationsReads.OpenBand b : operations.openBets()) {
            array.addObject().put("age", b.band()).put("currency", b.currency()).put("bets", b.bets()).put("stakes", b.stakes())
                    .put("potential_win", b.potentialWin()).put("unconfirmed", b.unconfirmed()).put("oldest_created_at", b.oldest().toString());
        }
        return Response.ok(body.toString()).build();
    }

    private static ObjectNode json(TransactionReads.Transaction t) {
        ObjectNode o = CloudEventJson.mapper().createObjectNode()
                .put("id", t.id())
                .put("endpoint", t.endpoint())
                .put("provider_transaction_id", t.providerTransactionId())
                .put("status", t.responseStatus() == null ? "IN_PROGRESS" : "ANSWERED")
                .put("response_status", t.responseStatus());
        o.set("response_body", DatabaseJson.tree(t.responseBody()));
        o.put("created_at", t.createdAt().toString());
        o.set("bet", DatabaseJson.tree(t.betJson()));
        o.set("ledger_entries", DatabaseJson.tree(t.ledgerEntriesJson()));
        o.set("credit", DatabaseJson.tree(t.creditJson()));
        return o;
    }

    /** A transaction id as the callbacks accept one: 1..InputBounds' id bound, no control characters. */
    private static String transactionId(String value, String name) {
        if (value == null || value.isEmpty() || value.length() > InputBounds.ID_CHARS_MAX || value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("invalid_" + name, name + " must be 1.." + InputBounds.ID_CHARS_MAX
                    + " characters without control characters");
        }
        return value;
    }
}
