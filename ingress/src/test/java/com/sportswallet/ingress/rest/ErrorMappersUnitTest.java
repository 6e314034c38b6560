package com.sportswallet.ingress.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.sql.SQLException;

import jakarta.persistence.PersistenceException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionalException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The fault mapper's decisions, one exception at a time: the HTTP path (OperatorFaultsTest) can
 * produce a lock timeout honestly, but no unexpected exception, nor a lost connection, without
 * stopping the shared database or adding a test-only door to main.
 */
class ErrorMappersUnitTest {
    private final ErrorMappers mappers = new ErrorMappers();

    ErrorMappersUnitTest() {
        mappers.meters = new SimpleMeterRegistry();
    }

    private double faults(String kind) {
        Counter c = mappers.meters.find(ErrorMappers.FAULTS_METRIC).tag("kind", kind).counter();
        return c == null ? 0 : c.count();
    }

    private static JsonNode body(Response r) throws Exception {
        return CloudEventJson.mapper().readTree((String) r.getEntity());
    }

    private void assertUnavailable(Throwable e) throws Exception {
        double before = faults("unavailable");
        Response r = mappers.fault(e, "PUT /operator/players/p-1/status");
        assertEquals(503, r.getStatus(), e.toString());
        assertEquals("1", r.getHeaderString("Retry-After"));
        assertEquals("application/json", r.getMediaType().toString());
        assertEquals("unavailable", body(r).get("error").asText());
        String text = (String) r.getEntity();
        assertFalse(text.contains("Exception") || text.contains("SQLState") || text.contains("timeout"), text);
        assertEquals(before + 1, faults("unavailable"));
    }

    private void assertInternal(Throwable e) throws Exception {
        double before = faults("internal");
        Response r = mappers.fault(e, "GET /operator/players/p-1/wallet");
        assertEquals(500, r.getStatus(), e.toString());
        assertNull(r.getHeaderString("Retry-After"));
        assertEquals("{\"error\":\"internal\",\"message\":\"internal error\"}", r.getEntity());
        assertEquals(before + 1, faults("internal"));
    }

    @Test
    void lockAndStatementTimeoutsAndLostConnectionsAre503() throws Exception {
        assertUnavailable(new SQLException("ERROR: canceling statement due to lock timeout\n  Where: while updating tuple (0,2)", "55P03"));
        assertUnavailable(new SQLException("ERROR: canceling statement due to statement timeout", "57014"));
        assertUnavailable(new SQLException("Connection to 127.0.0.1:5432 refused.", "08001"));
        assertUnavailable(new SQLException("Sorry, acquisition timeout!")); // Agroal: no SQLState
    }

    @Test
    void aDatabaseFaultWrappedByHibernateOrTheTransactionManagerIs503() throws Exception {
        assertUnavailable(new PersistenceException("could not execute statement", new SQLException("An I/O error occurred", "08006")));
        assertUnavailable(new RollbackException("ARJUNA016102: The transaction is not active!"));
        assertUnavailable(new TransactionalException("begin failed", new SystemException("no transaction manager")));
    }

    @Test
    void anythingElseIs500WithNeitherTheExceptionNorItsStack() throws Exception {
        assertInternal(new IllegalStateException("at com.sportswallet.Secret.leak(Secret.java:1)"));
        assertInternal(new NullPointerException());
        assertInternal(new TransactionalException("a transaction is required", null));
        assertInternal(new PersistenceException("no entity mapped"));
        assertInternal(new StackOverflowError());
    }

    @Test
    void aStatementARetryCannotMendIs500NotAnInvitationToRetry() throws Exception {
        assertInternal(new SQLException("ERROR: duplicate key value violates unique constraint", "23505"));
        assertInternal(new SQLException("ERROR: syntax error at or near \"SELEC\"", "42601"));
        assertInternal(new PersistenceException("could not execute statement", new SQLException("value too long", "22001")));
        assertUnavailable(new SQLException("ERROR: deadlock detected", "40P01"));
    }

    @Test
    void aWebApplicationExceptionKeepsItsOwnResponseUncounted() {
        NotFoundException notFound = new NotFoundException();
        assertSame(notFound.getResponse(), mappers.fault(notFound, "GET /nowhere"));
        assertEquals(405, mappers.fault(new WebApplicationException(405), "DELETE /operator/players/p-1").getStatus());
        assertEquals(0, faults("unavailable") + faults("internal"));
    }

    @Test
    void theFaultIsLoggedOnOneLineWithItsSqlState() {
        SQLException lockTimeout = new SQLException("ERROR: canceling statement due to lock timeout\n"
                + "  Where: while updating tuple (0,2) in relation \"player\"", "55P03");
        Throwable fault = ErrorMappers.databaseFault(new PersistenceException(lockTimeout));
        assertSame(lockTimeout, fault);
        assertEquals("java.sql.SQLException [SQLState 55P03]: ERROR: canceling statement due to lock timeout"
                + " Where: while updating tuple (0,2) in relation \"player\"", ErrorMappers.oneLine(fault));
        assertNull(ErrorMappers.databaseFault(new IllegalArgumentException(new IllegalStateException())));
    }
}
