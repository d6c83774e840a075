package io.docshift.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.http.HttpConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;

/**
 * The HTTP layer's own refusals as problems too, not only the REST resources': an HTTP version other than 1.x
 * (505), a request line or headers over
 * Docshift's limits (414, 431), a body over docshift.http.max-body-size (413), and a failure outside any
 * resource (500); a client that went away mid-request is not a failure (no ERROR line, no 5xx). The HTTP codec itself accepts lines
 * and headers up to 64 KiB (quarkus.http.limits), so that these limits, far below, are the ones clients meet.
 */
@ApplicationScoped
public class HttpProblems {

    private static final Logger LOG = Logger.getLogger(HttpProblems.class);
    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;
    /** Before access control: a refusal of the request's form needs no key. */
    private static final int PRIORITY = 2000;
    /** The longest request line accepted: method, target and version. */
    public static final int MAX_REQUEST_LINE = 8192;
    /** The most header bytes accepted, names and values. */
    public static final int MAX_HEADER_BYTES = 16384;

    @Inject
    HttpConfig http;

    void register(@Observes Filters filters) {
        filters.register(this::limits, PRIORITY);
    }

    void routes(@Observes Router router) {
        // ahead of Quarkus's own failure handler, which logs every failure at ERROR and answers 413 bare
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
        router.errorHandler(500, rc -> {
            LOG.error("Request failed outside the REST resources", rc.failure());
            answer(rc, 500, "internal", "Internal server error", "The request failed on the server; it has been logged.", List.of());
        });
    }

    void failed(RoutingContext rc) {
        if (ClientAborts.isClientAbort(rc.failure())) {
            LOG.debugf("The client went away mid-request: %s %s", rc.request().method(), rc.request().path());
            clientClosed(rc);
        } else if (rc.statusCode() == 413) {
            String maxBody = http.maxBodySize().asLongValue() / (1024 * 1024) + " MiB";
            answer(rc, 413, "payload-too-large", "Payload too large", "The request body is larger than the " + maxBody
                    + " accepted (docshift.http.max-body-size).", List.of(new Violation("/", "at most " + maxBody)));
        } else {
            rc.next();
        }
    }

    void limits(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (request.version() == null) {
            // Vert.x parses any HTTP/x.y but names only 1.0 and 1.1 (HTTP/2 is off): another version is not served
            answer(rc, 505, "http-version-not-supported", "HTTP Version Not Supported", "Only HTTP/1.1 and HTTP/1.0 are served.",
                    List.of(new Violation("version", "HTTP/1.1 or HTTP/1.0")));
            return;
        }
        int line = request.method().name().length() + 1 + request.uri().length() + 9;
        if (line > MAX_REQUEST_LINE) {
            answer(rc, 414, "uri-too-long", "URI Too Long", "The request line is " + line + " bytes; at most " + MAX_REQUEST_LINE + " are accepted.",
                    List.of(new Violation("uri", "at most " + MAX_REQUEST_LINE + " bytes in the request line")));
            return;
        }
        int headers = 0;
        String largest = null;
        int largestSize = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            int size = h.getKey().length() + h.getValue().length() + 4;
            headers += size;
            if (size > largestSize) {
                largestSize = size;
                largest = h.getKey();
            }
        }
        if (headers > MAX_HEADER_BYTES) {
            answer(rc, 431, "request-header-fields-too-large", "Request Header Fields Too Large", "The request's headers are " + headers
                    + " bytes; at most " + MAX_HEADER_BYTES + " are accepted (the largest is " + largest + ").", List.of(new Violation(largest, "too large")));
            return;
        }
        rc.next();
    }

    /** A request whose client has gone: nobody reads the answer, which only has to be a 4xx for the metrics. */
    private static void clientClosed(RoutingContext rc) {
        if (!rc.response().ended()) {
            rc.response().setStatusCode(400);
            if (!rc.response().closed()) {
                rc.response().end();
            }
        }
    }

    /**
     * Answers with a problem and closes the connection (at once when the request's body is still unread): for
     * refusals made before any resource runs.
     */
    public static void answer(RoutingContext rc, int status, String slug, String title, String detail, List<Violation> violations) {
        if (rc.response().ended()) {
            return;
        }
        try {
            String body = MAPPER.writeValueAsString(new Problem("urn:docshift:problem:" + slug, title, status, detail, violations));
            rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).putHeader(HttpHeaders.CONNECTION, "close").end(body)
                    .onComplete(ignored -> {
                        // a body left unread (too large, too slow) would keep the connection busy: close it
                        if (!rc.request().isEnded()) {
                            rc.request().connection().close();
                        }
                    });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
