package io.docshift.dashboard;

import io.docshift.auth.AccessFilter;
import io.docshift.auth.ApiKeys;
import io.docshift.auth.Scope;
import io.docshift.auth.Sessions;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /dashboard}: the pages (served from the jar by every pod, from {@code META-INF/resources/dashboard}) and
 * the sign-in that gives a browser its session cookie.
 */
@Path("/dashboard")

public class DashboardResource {

    @Inject
    ApiKeys keys;
    @Inject
    Sessions sessions;

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(hidden = true)
    public Response page() throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream("META-INF/resources/dashboard/index.html")) {
            return Response.ok(in.readAllBytes()).type("text/html; charset=utf-8").header("Cache-Control", "no-store").build();
        }
    }

    @POST
    @Path("/session")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Response signIn(@FormParam("key") String key, @Context RoutingContext rc) {
        Optional<ApiKeys.Entry> entry = key == null ? Optional.empty() : keys.find(key.trim());
        if (!keys.enabled()) {
            return Response.seeOther(URI.create("/dashboard")).build();
        }
        if (entry.isEmpty()) {
            return Response.status(401).type("text/html; charset=utf-8").header("WWW-Authenticate", "Bearer realm=\"docshift\"")
                    .entity(io.docshift.auth.SignInPage.failed()).build();
        }
        // the scheme a proxy saw counts only when quarkus.http.proxy.* says to trust its headers (Quarkus applies them)
        boolean https = "https".equalsIgnoreCase(rc.request().scheme()) || rc.request().isSSL();
        NewCookie cookie = new NewCookie.Builder(Sessions.COOKIE).value(sessions.issue(entry.get())).path("/").httpOnly(true).secure(https)
                .sameSite(NewCookie.SameSite.STRICT).build();
        return Response.seeOther(URI.create("/dashboard")).cookie(cookie).build();
    }

    @POST
    @Path("/session/end")
    @Operation(hidden = true)
    public Response signOut(@CookieParam(Sessions.COOKIE) String session) {
        sessions.end(session);
        NewCookie gone = new NewCookie.Builder(Sessions.COOKIE).value("").path("/").httpOnly(true).maxAge(0).sameSite(NewCookie.SameSite.STRICT).build();
        return Response.seeOther(URI.create("/dashboard")).cookie(gone).build();
    }

    @GET
    @Path("/session")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public Map<String, Object> session(@Context RoutingContext rc) {
        if (!keys.enabled()) {
            return Map.of("accessControl", false, "scope", "admin");
        }
        ApiKeys.Entry key = rc.get(AccessFilter.KEY_ATTRIBUTE);
        Scope scope = key == null ? Scope.READ : key.scope();
        return Map.of("accessControl", true, "key", key == null ? "" : key.name(), "scope", scope.name().toLowerCase(Locale.ROOT));
    }
}
