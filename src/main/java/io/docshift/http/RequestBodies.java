package io.docshift.http;

import io.docshift.error.HttpProblems;
import io.docshift.error.Violation;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.List;

/**
 * Request bodies are read on the event loop, in full, before any resource runs, so a slow or stalled body costs
 * a connection and the bytes received so far, never a worker thread (RESTEasy reads a blocking resource's body
 * on its worker otherwise, and 200 slow clients would hold them all). A body still arriving after
 * docshift.http.body-timeout gets a 408 problem and its connection is closed; a connection that sends nothing
 * for quarkus.http.idle-timeout is closed by Vert.x.
 */
@ApplicationScoped
public class RequestBodies {

    /** The deadline runs from the headers on: before the request limits (2000) and access control (1000). */
    private static final int DEADLINE_PRIORITY = 3000;
    /** After access control: a request refused 401 or 403 is not worth reading. */
    private static final int READ_PRIORITY = 500;

    @Inject
    HttpConfig config;

    private BodyHandler reader;

    void register(@Observes Filters filters) {
        reader = BodyHandler.create(false).setBodyLimit(config.maxBodySize().asLongValue());
        filters.register(this::deadline, DEADLINE_PRIORITY);
        filters.register(this::read, READ_PRIORITY);
    }

    /** Reads a body in full before routing on; a request without one (no length, or 0, and not chunked) goes on at once. */
    void read(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED, true);
        if (!chunked && (length == null || length.trim().equals("0"))) {
            rc.next();
            return;
        }
        reader.handle(rc);
    }

    void deadline(RoutingContext rc) {
        if (!rc.request().isEnded()) {
            long timeout = config.bodyTimeout().toMillis();
            long timer = rc.vertx().setTimer(timeout, ignored -> expire(rc, timeout));
            rc.addEndHandler(ignored -> rc.vertx().cancelTimer(timer));
        }
        rc.next();
    }

    private static void expire(RoutingContext rc, long timeout) {
        if (rc.request().isEnded() || rc.response().ended() || rc.response().closed()) {
            return;
        }
        HttpProblems.answer(rc, 408, "request-timeout", "Request Timeout",
                "The request body did not arrive within " + timeout + " ms (docshift.http.body-timeout); send it again, whole.",
                List.of(new Violation("body", "complete within " + timeout + " ms")));
    }
}
