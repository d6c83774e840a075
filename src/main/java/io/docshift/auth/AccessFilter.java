package io.docshift.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.error.DocshiftException;
import io.docshift.error.Forbidden;
import io.docshift.error.Problem;
import io.docshift.error.ProblemMapper;
import io.docshift.error.Unauthorized;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Closes every path by default: each HTTP request, whatever serves it (REST resources, the dashboard, anything
 * added later), needs a key, except the contract ({@code /q/openapi}) and the dashboard's sign-in. Probes and
 * metrics are not on this port at all: they are the management interface's, on a port of its own. It runs as the first route handler, before
 * any routing, so a refusal (401, 403) never reveals whether a table, document or migration exists.
 * <p>
 * A key comes as {@code Authorization: Bearer <key>}, or, from the dashboard, as its session cookie
 * ({@link Sessions}); a request that changes something on the strength of a cookie must come from the service's
 * own pages (its {@code Origin} is the service's), so another site cannot act through a signed-in browser.
 */
@ApplicationScoped
public class AccessFilter {

    private static final String BEARER = "Bearer ";
    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;
    /** Before every other route handler. */
    private static final int PRIORITY = 1000;
    private static final Set<String> OPEN = Set.of("/q/openapi");
    /** Where the dashboard signs in: open, but only from the service's own pages. */
    public static final String SIGN_IN = "/dashboard/session";
    /** Where the dashboard signs out: any session may, whatever its key's scope. */
    static final String SIGN_OUT = "/dashboard/session/end";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    /** The routing-context attribute that holds the {@link ApiKeys.Entry} a request was let in with. */
    public static final String KEY_ATTRIBUTE = "docshift.key";

    @Inject
    ApiKeys keys;
    @Inject
    Sessions sessions;

    void register(@Observes Filters filters) {
        filters.register(this::check, PRIORITY);
    }

    void check(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (!keys.enabled() || open(path)) {
            rc.next();
            return;
        }
        HttpServerRequest request = rc.request();
        String method = request.method().name();
        if (path.equals(SIGN_IN) && method.equals("POST")) {
            if (!sameOrigin(request)) {
                refuse(rc, new Forbidden("Sign in from the dashboard's own page."));
                return;
            }
            rc.next();
            return;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        Optional<ApiKeys.Entry> key;
        if (header != null) {
            if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                refuse(rc, new Unauthorized("Send an API key: Authorization: Bearer <key>."));
                return;
            }
            key = keys.find(header.substring(BEARER.length()).trim());
            if (key.isEmpty()) {
                refuse(rc, new Unauthorized("The API key is not valid."));
                return;
            }
        } else {
            Cookie session = request.getCookie(Sessions.COOKIE);
            key = session == null ? Optional.empty() : sessions.verify(session.getValue());
            if (key.isEmpty()) {
                refuse(rc, new Unauthorized(session == null ? "Send an API key: Authorization: Bearer <key>."
                        : "The dashboard session has ended; sign in again."));
                return;
            }
            if (!SAFE_METHODS.contains(method) && !sameOrigin(request)) {
                refuse(rc, new Forbidden("A change made with the dashboard's session must come from the dashboard's own pages (Origin)."));
                return;
            }
        }
        String raw = request.path();
        String lower = raw.toLowerCase(Locale.ROOT);
        // a path that could be read two ways (dot segments, encoded dots or slashes) needs the highest scope
        boolean ambiguous = raw.contains("..") || lower.contains("%2e") || lower.contains("%2f") || raw.contains("//");
        Scope needed = ambiguous ? Scope.ADMIN : needed(method, path);
        if (!key.get().scope().covers(needed)) {
            refuse(rc, new Forbidden("This request needs the '" + needed.name().toLowerCase(Locale.ROOT) + "' scope; key '"
                    + key.get().name() + "' has '" + key.get().scope().name().toLowerCase(Locale.ROOT) + "'."));
            return;
        }
        rc.put(KEY_ATTRIBUTE, key.get());
        rc.next();
    }

    /** The allow-list: {@code /q/openapi}. */
    static boolean open(String path) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        return OPEN.contains(p);
    }

    /**
     * The scope a request needs. Reading needs read (documents, queries, the schema, migrations and runs, events,
     * the dashboard), except an export of every document (admin); document writes need write; everything else
     * (pushes, plans, definitions, runs, cancels, resumes, rollbacks, imports) needs admin. Signing out needs a session only.
     */
    public static Scope needed(String method, String path) {
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (path.equals(SIGN_OUT)) {
            return Scope.READ; // whoever signed in may sign out
        }
        if (path.startsWith("/api/tables")) {
            boolean query = method.equals("POST") && path.endsWith("/query");
            return read || query ? Scope.READ : Scope.WRITE;
        }
        if (path.startsWith("/api/export") || path.startsWith("/api/imports")) {
            return Scope.ADMIN;
        }
        return read ? Scope.READ : Scope.ADMIN;
    }

    /** Whether the request comes from the service's own pages: its Origin (or Referer) names the host it was sent to. */
    private static boolean sameOrigin(HttpServerRequest request) {
        String origin = request.getHeader("Origin");
        if (origin == null) {
            origin = request.getHeader("Referer");
        }
        if (origin == null) {
            return "same-origin".equals(request.getHeader("Sec-Fetch-Site"));
        }
        // the host the request was sent to; a proxy's X-Forwarded-Host counts only when quarkus.http.proxy.* trusts it
        String host = request.host();
        try {
            URI u = URI.create(origin);
            return host != null && u.getAuthority() != null && u.getAuthority().equalsIgnoreCase(host.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void refuse(RoutingContext rc, DocshiftException e) {
        Problem problem = ProblemMapper.problemOf(e);
        var response = rc.response().setStatusCode(problem.status());
        if (e instanceof Unauthorized) {
            response.putHeader("WWW-Authenticate", ProblemMapper.WWW_AUTHENTICATE);
        }
        String accept = rc.request().getHeader(HttpHeaders.ACCEPT);
        if (e instanceof Unauthorized && rc.normalizedPath().startsWith("/dashboard") && accept != null && accept.contains("text/html")) {
            // a person opening the dashboard: the 401 is its sign-in page
            response.putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").putHeader("Cache-Control", "no-store")
                    .end(SignInPage.html(rc.request().getCookie(Sessions.COOKIE) == null ? null : e.getMessage()));
            return;
        }
        response.putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        try {
            response.end(MAPPER.writeValueAsString(problem));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
