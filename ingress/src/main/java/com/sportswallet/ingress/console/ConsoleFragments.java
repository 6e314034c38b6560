package com.sportswallet.ingress.console;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.exclusion.ExclusionResource;
import com.sportswallet.ingress.limits.LimitResource;
import com.sportswallet.ingress.rest.ApiException;
import com.sportswallet.ingress.rest.OperatorLookupResource;
import com.sportswallet.ingress.rest.OperatorResource;
import com.sportswallet.ingress.rest.PlayerSearchResource;
import com.sportswallet.ingress.session.SessionResource;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;

/**
 * The console's pieces of pages (issue 17), as HTML for htmx. Each one CALLS the operator API's own
 * resource method (the same roles, checked by the same interceptors; the same reads on the same pool)
 * and renders its JSON answer with a Qute template, which escapes every value: the console shows
 * exactly what the API answers, and has no way in of its own. A refused read answers as the API does
 * (JSON error, 4xx), which console.js shows.
 */
@Path("/console/fragments")
@RolesAllowed({ OperatorRoles.OPERATOR, OperatorRoles.SUPPORT, OperatorRoles.FINANCE })
@Produces(MediaType.TEXT_HTML)
public class ConsoleFragments {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    @Inject
    OperatorResource players;
    @Inject
    OperatorLookupResource lookups;
    @Inject
    PlayerSearchResource search;
    @Inject
    LimitResource limits;
    @Inject
    ExclusionResource exclusion;
    @Inject
    SessionResource sessions;
    @Inject
    ConsoleRates rates;

    @Inject
    @Location("ConsoleFragments/search.html")
    Template searchTemplate;
    @Inject
    @Location("ConsoleFragments/wallet.html")
    Template walletTemplate;
    @Inject
    @Location("ConsoleFragments/ledger.html")
    Template ledgerTemplate;
    @Inject
    @Location("ConsoleFragments/bets.html")
    Template betsTemplate;
    @Inject
    @Location("ConsoleFragments/credits.html")
    Template creditsTemplate;
    @Inject
    @Location("ConsoleFragments/extras.html")
    Template extrasTemplate;
    @Inject
    @Location("ConsoleFragments/pipeline.html")
    Template pipelineTemplate;
    @Inject
    @Location("ConsoleFragments/openbets.html")
    Template openBetsTemplate;

    /** Search by player id prefix, provider transaction id or operator transaction id ({@code kind}: player, provider, operator). */
    @GET
    @Path("/search")
    public String search(@QueryParam("q") String q, @QueryParam("kind") String kind) throws SQLException {
        String query = q == null ? "" : q.trim();
        TemplateInstance t = searchTemplate.data("q", query).data("kind", kind);
        switch (kind == null ? "player" : kind) {
            case "player" -> t = t.data("players", map(search.players(query, null)).get("players"));
            case "provider" -> {
                Map<String, Object> found = map(lookups.byProviderId(query));
                t = t.data("transactions", found.get("transactions")).data("refusals", found.get("refusals"));
            }
            case "operator" -> {
                try {
                    t = t.data("transactions", List.of(map(lookups.byOperatorId(query)))).data("refusals", List.of());
                } catch (ApiException e) {
                    if (e.status() != 404) {
                        throw e;
                    }
                    t = t.data("transactions", List.of()).data("refusals", List.of());
                }
            }
            default -> throw ApiException.badRequest("invalid_kind", "kind must be player, provider or operator");
        }
        return t.render();
    }

    @GET
    @Path("/players/{id}/wallet")
    public String wallet(@PathParam("id") String id) throws SQLException {
        return walletTemplate.data("w", map(players.wallet(id))).render();
    }

    @GET
    @Path("/players/{id}/ledger")
    public String ledger(@PathParam("id") String id, @QueryParam("before") String before) throws SQLException {
        return ledgerTemplate.data("page", map(players.ledger(id, "20", before))).data("playerId", id).render();
    }

    @GET
    @Path("/players/{id}/bets")
    public String bets(@PathParam("id") String id, @QueryParam("before") String before) throws SQLException {
        return betsTemplate.data("page", map(players.bets(id, null, before, "10"))).data("playerId", id).render();
    }

    @GET
    @Path("/players/{id}/credits")
    public String credits(@PathParam("id") String id) throws SQLException {
        return creditsTemplate.data("page", map(players.credits(id, "PENDING", null))).render();
    }

    /** Bonuses, exclusion, the newest sessions (the API's default page) and limits, where the player has them. */
    @GET
    @Path("/players/{id}/extras")
    public String extras(@PathParam("id") String id) throws SQLException {
        return extrasTemplate.data("bonuses", map(players.bonuses(id, "20")).get("bonuses"))
                .data("limits", json(limits.get(id)))
                .data("exclusion", map(exclusion.get(id)))
                .data("sessions", map(sessions.list(id, null, null)).get("sessions")).render();
    }

    @GET
    @Path("/pipeline")
    public String pipeline() throws SQLException {
        List<ConsoleRates.Sample> samples = rates.samples();
        List<Double> makes = new ArrayList<>();
        List<Double> credits = new ArrayList<>();
        samples.forEach(s -> {
            makes.add(s.makesPerSecond());
            credits.add(s.creditsPerSecond());
        });
        return pipelineTemplate.data("p", map(lookups.pipeline()))
                .data("alerts", map(lookups.alerts(null, null, "20")).get("alerts"))
                .data("makesChart", ConsoleRates.svg(makes, "makes"))
                .data("creditsChart", ConsoleRates.svg(credits, "credits applied")).render();
    }

    @GET
    @Path("/reports/open-bets")
    public String openBets() throws SQLException {
        return openBetsTemplate.data("report", map(lookups.openBets())).render();
    }

    private static Map<String, Object> map(Response r) {
        try {
            return CloudEventJson.mapper().readValue((String) r.getEntity(), MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the operator API answered JSON Jackson cannot read", e);
        }
    }

    /** An answer shown as indented JSON text (escaped by the template like every value). */
    private static String json(Response r) {
        try {
            return CloudEventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(CloudEventJson.mapper().readTree((String) r.getEntity()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the operator API answered JSON Jackson cannot read", e);
        }
    }
}
