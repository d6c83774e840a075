package io.docshift.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.error.DocshiftException;
import io.docshift.error.Forbidden;
import io.docshift.error.Problem;
import io.docshift.error.ProblemMapper;
import io.docshift.error.Unauthorized;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Closes every path by default: each HTTP request, whatever serves it (REST resources, the dashboard, anything
 * added later), needs a key, except an allow-list for probes and scrapers ({@code /q/health/*},
 * {@code /q/metrics}, {@code /q/openapi}). It runs as the first route handler, before any routing, so a refusal
 * (401, 403) never reveals whether a table, document or migration exists.
 */
@ApplicationScoped
public class AccessFilter {

    private static final String BEARER = "Bearer ";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Before every other route handler. */
    private static final int PRIORITY = 1000;
    private static final Set<String> OPEN = Set.of("/q/health", "/q/metrics", "/q/openapi");

    @Inject
    ApiKeys keys;

    void register(@Observes Filters filters) {
        filters.register(this::check, PRIORITY);
    }

    void check(RoutingContext rc) {
        if (!keys.enabled() || open(rc.normalizedPath())) {
            rc.next();
            return;
        }
        String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            refuse(rc, new Unauthorized("Send an API key: Authorization: Bearer <key>."));
            return;
        }
        Optional<ApiKeys.Entry> key = keys.find(header.substring(BEARER.length()).trim());
        if (key.isEmpty()) {
            refuse(rc, new Unauthorized("The API key is not valid."));
            return;
        }
        String raw = rc.request().path();
        String lower = raw.toLowerCase(Locale.ROOT);
        // a path that could be read two ways (dot segments, encoded dots or slashes) needs the highest scope
        boolean ambiguous = raw.contains("..") || lower.contains("%2e") || lower.contains("%2f") || raw.contains("//");
        Scope needed = ambiguous ? Scope.ADMIN : needed(rc.request().method().name(), rc.normalizedPath());
        if (!key.get().scope().covers(needed)) {
            refuse(rc, new Forbidden("This request needs the '" + needed.name().toLowerCase(Locale.ROOT) + "' scope; key '"
                    + key.get().name() + "' has '" + key.get().scope().name().toLowerCase(Locale.ROOT) + "'."));
            return;
        }
        rc.next();
    }

    /** The allow-list: {@code /q/health} and everything under it, {@code /q/metrics}, {@code /q/openapi}. */
    static boolean open(String path) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        return OPEN.contains(p) || p.startsWith("/q/health/") && !p.contains("..");
    }

    /**
     * The scope a request needs: reads of documents, queries and the schema, and any other page read, need
     * read; document writes need write; everything else is admin.
     */
    static Scope needed(String method, String path) {
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (path.startsWith("/api/tables")) {
            boolean query = method.equals("POST") && path.endsWith("/query");
            return read || query ? Scope.READ : Scope.WRITE;
        }
        if (path.startsWith("/api/") && !path.startsWith("/api/schema")) {
            return Scope.ADMIN;
        }
        return read ? Scope.READ : Scope.ADMIN;
    }

    private static void refuse(RoutingContext rc, DocshiftException e) {
        Problem problem = ProblemMapper.problemOf(e);
        var response = rc.response().setStatusCode(problem.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (e instanceof Unauthorized) {
            response.putHeader("WWW-Authenticate", ProblemMapper.WWW_AUTHENTICATE);
        }
        try {
            response.end(MAPPER.writeValueAsString(problem));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
