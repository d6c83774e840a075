package io.docshift.http;

import io.docshift.error.Problem;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Locale;

/**
 * A client that accepts {@code application/problem+json} accepts JSON: that is the media type of every error,
 * and a generated client sends it alone for an operation whose only documented bodies are problems (a 204
 * delete). Such a request is negotiated as if it also named {@code application/json}, so it is never a 406.
 */
@ApplicationScoped
public class ProblemAccept {

    /** Before access control, so that its refusals negotiate the same way. */
    private static final int PRIORITY = 2500;

    void register(@Observes Filters filters) {
        filters.register(this::widen, PRIORITY);
    }

    void widen(RoutingContext rc) {
        String accept = rc.request().getHeader(HttpHeaders.ACCEPT);
        if (accept != null) {
            String lower = accept.toLowerCase(Locale.ROOT);
            if (lower.contains(Problem.MEDIA_TYPE) && !lower.contains("application/json") && !lower.contains("*/*")) {
                rc.request().headers().set(HttpHeaders.ACCEPT, accept + ", application/json");
            }
        }
        rc.next();
    }
}
