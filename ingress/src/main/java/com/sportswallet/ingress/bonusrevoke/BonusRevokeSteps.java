package com.sportswallet.ingress.bonusrevoke;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.money.BonusRevoke;

/** The two transactions of a revoke ({@link BonusRevoke}), each its own commit; the provider is called between them. */
@ApplicationScoped
public class BonusRevokeSteps {
    @Inject
    DataSource dataSource;

    /** ACTIVE → REVOKING, committed; null when it became REVOKING now, else the bonus as it is (null-status: unknown). */
    @Transactional(rollbackOn = Exception.class)
    public BonusRevoke.Bonus begin(String bonusId, Instant now, String sub) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (BonusRevoke.begin(c, bonusId, now)) {
                OperatorAudit.record(c, sub, "bonus.revoke", null, bonusId, null);
                return null;
            }
            BonusRevoke.Bonus b = BonusRevoke.state(c, bonusId);
            return b == null ? new BonusRevoke.Bonus(bonusId, null, null, null, 0, null, null, null, null) : b;
        }
    }

    /** REVOKING → REVOKED (revoked, with its event) or ACTIVE (refused), committed; then the bonus as it is. */
    @Transactional(rollbackOn = Exception.class)
    public BonusRevoke.Bonus finish(String bonusId, boolean revoked, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            BonusRevoke.finish(c, revoked ? List.of(bonusId) : List.of(), revoked ? List.of() : List.of(bonusId), now);
            return BonusRevoke.state(c, bonusId);
        }
    }
}
