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
    /** Right after the read, which calls it once the body is in. */
    private static final int ARRIVED_PRIORITY = READ_PRIORITY - 1;
    /** The timer of a request's body deadline, in its routing context. */
    private static final String DEADLINE = "docshift.body-deadline";

    @Inject
    HttpConfig config;

    private BodyHandler reader;

    void register(@Observes Filters filters) {
        reader = BodyHandler.create(false).setBodyLimit(config.maxBodySize().asLongValue());
        filters.register(this::deadline, DEADLINE_PRIORITY);
        filters.register(this::read, READ_PRIORITY);
        filters.register(this::arrived, ARRIVED_PRIORITY);
    }

    /** Reads a body in full before routing on; a request without one goes on at once. */
    void read(RoutingContext rc) {
        if (!hasBody(rc.request())) {
            rc.next();
            return;
        }
        reader.handle(rc);
    }

    /**
     * Starts the body's deadline at its headers. It covers the body's arrival only, never the work done after it:
     * {@link #arrived} stops it once the body is read, and a request without a body has none.
     */
    void deadline(RoutingContext rc) {
        if (hasBody(rc.request()) && !rc.request().isEnded()) {
            long timeout = config.bodyTimeout().toMillis();
            long timer = rc.vertx().setTimer(timeout, ignored -> expire(rc, timeout));
            rc.put(DEADLINE, timer);
            rc.addEndHandler(ignored -> rc.vertx().cancelTimer(timer));
        }
        rc.next();
    }

    /** The body has arrived in full (or there was none): its deadline is met. */
    void arrived(RoutingContext rc) {
        Long timer = rc.get(DEADLINE);
        if (timer != null) {
            rc.vertx().cancelTimer(timer);
        }
        rc.next();
    }

    /** Whether the request announces a body: a length above 0, or chunks. */
    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED, true);
        return chunked || (length != null && !length.trim().equals("0"));
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
