package com.sportswallet.reconcile;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Runs reconcile's bonus checks (package-private there) for the ingress's grant tests: their discrepancies, with examples. */
public final class BonusChecksProbe {
    private BonusChecksProbe() {
    }

    /** Each bonus check's headline, for the ones that found discrepancies; empty when all find 0. */
    public static List<String> failures(Connection c) throws SQLException {
        return BonusChecks.run(c, 5).stream().filter(r -> !r.ok()).map(r -> r.headline() + " " + r.examples()).toList();
    }
}
