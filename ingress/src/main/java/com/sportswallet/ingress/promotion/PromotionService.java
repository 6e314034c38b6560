package com.sportswallet.ingress.promotion;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.ingress.service.ReadPool;
import com.sportswallet.money.Promotions;

/**
 * Limited-claim promotions (issue 14) over {@link Promotions}: each public method is ONE transaction
 * with ONE commit; a refusal throws {@link ApiException}, which rolls back whatever the call wrote.
 * Time comes from the injected {@link BonusClock}, the one clock of bonus expiry decisions.
 */
@ApplicationScoped
public class PromotionService {
    @Inject
    DataSource dataSource;
    @Inject
    ReadPool reads;
    @Inject
    BonusClock clock;

    /** Creates or changes the promotion; 409 when claims_max falls below the claims or a claimed bonus would change. */
    @Transactional(rollbackOn = Exception.class)
    public Promotions.PutResult put(String id, Promotions.Terms terms, String sub) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Promotions.PutResult result = Promotions.put(c, id, terms, clock.instant());
            if (result instanceof Promotions.BelowClaims below) {
                throw new ApiException(409, "claims_max_below_claims", "promotion " + id + " has " + below.claimsTaken()
                        + " claims: claims_max cannot go below them");
            }
            if (result instanceof Promotions.GrantIdTaken taken) {
                throw new ApiException(409, "promotion_id_taken", "an operator grant already has the id " + taken.requestId()
                        + ", which this promotion's claims would be recorded in; choose another promotion id");
            }
            if (result instanceof Promotions.BonusFrozen frozen) {
                throw new ApiException(409, "promotion_claimed", "promotion " + id + " has " + frozen.claimsTaken()
                        + " claims: its bonus_type, amount and currency cannot change (claims_max and expires_at can)");
            }
            OperatorAudit.record(c, sub, "promotion.put", null, id, null);
            return result;
        }
    }

    /** The promotion as it stands (the reads pool); 404 for an unknown one. */
    public Promotions.Promotion view(String id) throws SQLException {
        try (Connection c = reads.connection()) {
            Promotions.Promotion p = Promotions.view(c, id);
            if (p == null) {
                throw new ApiException(404, "promotion_not_found", "promotion " + id + " not found");
            }
            return p;
        }
    }

    /** The player's claim, new or repeated; every other outcome is a 4xx and writes nothing. */
    @Transactional(rollbackOn = Exception.class)
    public Promotions.Claimed claim(String promotionId, String playerId, String sub) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Promotions.ClaimResult result = Promotions.claim(c, promotionId, playerId, clock.instant());
            if (result instanceof Promotions.Claimed claimed) {
                if (claimed.created()) {
                    OperatorAudit.record(c, sub, "promotion.claim", playerId, promotionId, null);
                }
                return claimed;
            }
            if (result instanceof Promotions.UnknownPromotion) {
                throw new ApiException(404, "promotion_not_found", "promotion " + promotionId + " not found");
            }
            if (result instanceof Promotions.UnknownPlayer) {
                throw ApiException.notFound("player " + playerId + " not found");
            }
            if (result instanceof Promotions.CurrencyMismatch m) {
                throw new ApiException(409, "currency_mismatch", "player " + playerId + " has a " + m.walletCurrency()
                        + " wallet; promotion " + promotionId + " gives " + m.promotionCurrency());
            }
            if (result instanceof Promotions.Expired e) {
                throw new ApiException(409, "expired", "promotion " + promotionId + " expired at " + e.expiresAt());
            }
            if (result instanceof Promotions.Excluded) {
                throw new ApiException(422, "excluded", "player " + playerId + " is self-excluded: no promotion claims");
            }
            throw new ApiException(409, "sold_out", "promotion " + promotionId + " has no claim left");
        }
    }
}
