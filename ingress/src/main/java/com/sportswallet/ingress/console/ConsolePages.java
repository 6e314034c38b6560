package com.sportswallet.ingress.console;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.sportswallet.ingress.rest.JsonInput;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The operator console's pages (issue 17): static shells any browser may load. They hold no data: every
 * piece of it comes from the operator API (ConsoleFragments, with the token the login form keeps in the
 * tab's sessionStorage, sent by console.js in an Authorization header), so a page reloaded or opened from a
 * link in the same tab works after one login and a page without a token shows nothing but the login form.
 */
@Path("/console")
@PermitAll
@Produces(MediaType.TEXT_HTML)
public class ConsolePages {
    @CheckedTemplate
    static class Templates {
        static native TemplateInstance index();

        static native TemplateInstance player(String playerId);

        static native TemplateInstance pipeline();

        static native TemplateInstance reports();
    }

    @GET
    public String index() {
        return Templates.index().render();
    }

    /** The player page; an id no player can have is a 400 like everywhere in the operator API. */
    @GET
    @Path("/players/{id}")
    public String player(@PathParam("id") String id) {
        return Templates.player(JsonInput.playerId(id)).render();
    }

    @GET
    @Path("/pipeline")
    public String pipeline() {
        return Templates.pipeline().render();
    }

    @GET
    @Path("/reports")
    public String reports() {
        return Templates.reports().render();
    }
}
