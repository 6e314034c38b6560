package com.sportswallet.ingress.service;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.outbox.OutboxParking;

/**
 * The operator's view of parked outbox keys ({@link OutboxParking}): list them, release one. A
 * release is one transaction (the key unparked, its rows' attempts reset); the caller wakes the
 * relay after it committed.
 */
@ApplicationScoped
public class OutboxOperatorService {
    @Inject
    DataSource dataSource;
    @Inject
    ReadPool reads;

    /** The parked keys and their rows (the reads pool). */
    public OutboxParking.Listing parked() throws SQLException {
        try (Connection c = reads.connection()) {
            return OutboxParking.list(c);
        }
    }

    /** @return what was released, or null when {@code key} is not parked */
    @Transactional(rollbackOn = Exception.class)
    public OutboxParking.Released release(String key, String sub) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            OutboxParking.Released released = OutboxParking.release(c, key);
            if (released != null) {
                OperatorAudit.record(c, sub, "outbox.release", null, key, null);
            }
            return released;
        }
    }
}
