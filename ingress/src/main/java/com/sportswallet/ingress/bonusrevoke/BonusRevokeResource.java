package com.sportswallet.ingress.bonusrevoke;

import java.sql.SQLException;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.contracts.bonus.ProviderBonusApi;
import com.sportswallet.ingress.audit.OperatorAudit;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.service.BonusClock;
import com.sportswallet.money.BonusRevoke;
import com.sportswallet.outbox.RelayService;

/**
 * {@code POST /operator/bonuses/{bonus_id}/revoke} (issue 14; docs/PROTOCOL.md, "Revoke"): ACTIVE →
 * REVOKING (committed), the provider's revoke outside any transaction, then REVOKED (200, event
 * {@code wallet.bonus.revoked}) or back to ACTIVE when the provider refuses (409 {@code revoke_refused}
 * with its {@code reason}: {@code used}, {@code not_found}; or 502 {@code provider_refused} when it
 * refused the call itself). The provider unreachable within its bounds: 503 {@code provider_unavailable},
 * the bonus stays REVOKING and the worker's sweep finishes it. A REVOKED bonus answers 200 again; USED
 * or DONE 409 {@code bonus_used}; EXPIRED 409 {@code bonus_expired}; unknown 404. A REVOKING one (a
 * revoke in flight, or left by a crash) is revoked again: the provider's revoke is idempotent and the
 * last step conditional.
 */
@Path("/operator/bonuses/{bonus_id}/revoke")
@RolesAllowed(OperatorRoles.OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
public class BonusRevokeResource {
    private static final Logger LOG = Logger.getLogger(BonusRevokeResource.class);
    /** Bonus ids are the provider's; we bound them like the wallet's other ids. */
    static final int BONUS_ID_CHARS_MAX = 128;

    @Inject
    JsonWebToken token;
    @Inject
    BonusRevokeSteps steps;
    @Inject
    ProviderBonusApi provider;
    @Inject
    BonusClock clock;
    @Inject
    RelayService relay;

    @POST
    public Response revoke(@PathParam("bonus_id") String bonusId) throws SQLException, InterruptedException {
        if (bonusId == null || bonusId.isEmpty() || bonusId.length() > BONUS_ID_CHARS_MAX || !bonusId.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw ApiException.badRequest("invalid_bonus_id", "bonus_id must be 1-" + BONUS_ID_CHARS_MAX + " printable ASCII characters");
        }
        BonusRevoke.Bonus before = steps.begin(bonusId, clock.instant(), OperatorAudit.sub(token));
        if (before != null && !"REVOKING".equals(before.status())) {
            return answerAsIs(before);
        }
        // Committed REVOKING: now the provider, outside any transaction.
        BonusRevoke.Outcome outcome;
        String reason;
        try {
            ProviderBonusApi.RevokeResult r = provider.revoke(List.of(bonusId));
            outcome = BonusRevoke.outcome(r, bonusId);
            reason = r.refused().get(bonusId);
        } catch (ProviderBonusApi.Unavailable e) {
            LOG.warnf("revoke of bonus %s: the provider is unavailable, it stays REVOKING for the sweep: %s", bonusId, e.getMessage());
            return unavailable("the provider's bonus API did not answer; the bonus stays REVOKING and is finished later");
        } catch (ProviderBonusApi.Refused e) {
            LOG.warnf("revoke of bonus %s: the provider refused the call (%d), back to ACTIVE: %s", bonusId, e.status(), e.getMessage());
            steps.finish(bonusId, false, clock.instant());
            throw new ApiException(502, "provider_refused", "the provider refused the revoke call (" + e.status() + "); the bonus is ACTIVE");
        }
        if (outcome == BonusRevoke.Outcome.UNANSWERED) {
            return unavailable("the provider's answer did not name the bonus; it stays REVOKING and is finished later");
        }
        BonusRevoke.Bonus after = steps.finish(bonusId, outcome == BonusRevoke.Outcome.REVOKED, clock.instant());
        relay.wakeUp(); // its wallet.bonus.revoked event, when revoked
        if (outcome == BonusRevoke.Outcome.REFUSED && "ACTIVE".equals(after.status())) {
            ObjectNode body = CloudEventJson.mapper().createObjectNode().put("error", "revoke_refused").put("reason", reason)
                    .put("message", "the provider refused to revoke bonus " + bonusId + " (" + reason + "); it is ACTIVE again");
            return Response.status(409).type(MediaType.APPLICATION_JSON_TYPE).entity(body.toString()).build();
        }
        return answerAsIs(after);
    }

    /** The answer for a bonus in the state it is in (after this revoke, or when it was not ACTIVE). */
    private static Response answerAsIs(BonusRevoke.Bonus b) {
        if (b.status() == null) {
            throw new ApiException(404, "bonus_not_found", "bonus " + b.bonusId() + " not found");
        }
        switch (b.status()) {
            case "REVOKED":
                return Response.ok(view(b).toString()).build();
            case "USED":
            case "DONE":
                throw new ApiException(409, "bonus_used", "bonus " + b.bonusId() + " is " + b.status() + " (bet " + b.betId() + ")");
            case "EXPIRED":
                throw new ApiException(409, "bonus_expired", "bonus " + b.bonusId() + " expired at " + b.expiresAt());
            default:
                // ACTIVE again (another revoke was refused meanwhile) or REVOKING (another is still finishing).
                throw new ApiException(409, "revoke_not_finished", "bonus " + b.bonusId() + " is " + b.status() + "; try again");
        }
    }

    private static Response unavailable(String message) {
        ObjectNode body = CloudEventJson.mapper().createObjectNode().put("error", "provider_unavailable").put("message", message);
        return Response.status(503).header("Retry-After", 1).type(MediaType.APPLICATION_JSON_TYPE).entity(body.toString()).build();
    }

    static ObjectNode view(BonusRevoke.Bonus b) {
        return CloudEventJson.mapper().createObjectNode()
                .put("bonus_id", b.bonusId())
                .put("player_id", b.playerId())
                .put("bonus_type", b.bonusType())
                .put("amount", b.amount())
                .put("currency", b.currency())
                .put("status", b.status())
                .put("expires_at", b.expiresAt().toString())
                .put("request_id", b.requestId());
    }
}
