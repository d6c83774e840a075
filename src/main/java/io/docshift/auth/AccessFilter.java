package io.docshift.auth;

import io.docshift.error.Forbidden;
import io.docshift.error.ProblemMapper;
import io.docshift.error.Unauthorized;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Checks the bearer key of every /api request before it is matched to a resource, so a refusal (401, 403)
 * never reveals whether a table, document or migration exists. Health, metrics and OpenAPI (/q) are not
 * JAX-RS resources and stay open for probes and Prometheus.
 */
public class AccessFilter {

    private static final String BEARER = "Bearer ";

    @Inject
    ApiKeys keys;

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        if (!keys.enabled()) {
            return null;
        }
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api")) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return ProblemMapper.toResponse(new Unauthorized("Send an API key: Authorization: Bearer <key>."));
        }
        Optional<ApiKeys.Entry> key = keys.find(header.substring(BEARER.length()).trim());
        if (key.isEmpty()) {
            return ProblemMapper.toResponse(new Unauthorized("The API key is not valid."));
        }
        String raw = request.getUriInfo().getRequestUri().getRawPath();
        // a path that could be read two ways (dot segments, encoded dots or slashes) needs the highest scope
        boolean ambiguous = raw.contains("..") || raw.toLowerCase().contains("%2e") || raw.toLowerCase().contains("%2f") || raw.contains("//");
        Scope needed = ambiguous ? Scope.ADMIN : needed(request.getMethod(), path);
        if (!key.get().scope().covers(needed)) {
            return ProblemMapper.toResponse(new Forbidden("This request needs the '" + needed.name().toLowerCase() + "' scope; key '"
                    + key.get().name() + "' has '" + key.get().scope().name().toLowerCase() + "'."));
        }
        return null;
    }

    /** The scope a request needs: reads of documents, queries and the schema; document writes; everything else is admin. */
    static Scope needed(String method, String path) {
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (path.startsWith("/api/tables")) {
            boolean query = method.equals("POST") && path.endsWith("/query");
            return read || query ? Scope.READ : Scope.WRITE;
        }
        if (path.startsWith("/api/schema") && read) {
            return Scope.READ;
        }
        return Scope.ADMIN;
    }
}
