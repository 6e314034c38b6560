package com.sportswallet.contracts;

/**
 * The operator API's roles, the {@code groups} of the operator's RS256 token (issue 17), for the
 * ingress's operator API and the notifier's activity read alike. Every resource keeps
 * {@link #OPERATOR} at its class, DESIGN's fixed interface: an {@code operator}
 * token may do everything it could before roles existed. A method opens itself to the others:
 * <ul>
 * <li>{@link #SUPPORT} reads: every GET, and a 403 on any write;</li>
 * <li>{@link #FINANCE} reads, deposits and withdraws;</li>
 * <li>grants, promotions, claims, revokes, sessions, limits, exclusion, player status, creating a
 * player, and releasing parked outbox keys stay {@link #OPERATOR}'s.</li>
 * </ul>
 * The ingress's {@code OperatorRolesTest} checks every resource method of the operator API against
 * these rules.
 */
public final class OperatorRoles {
    public static final String OPERATOR = "operator";
    public static final String SUPPORT = "support";
    public static final String FINANCE = "finance";

    private OperatorRoles() {
    }
}
