package io.docshift.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;

/**
 * The HTTP layer's own refusals as problems too, not only the REST resources': a request line or headers over
 * Docshift's limits (414, 431), and a failure outside any resource (500). The HTTP codec itself accepts lines
 * and headers up to 64 KiB (quarkus.http.limits), so that these limits, far below, are the ones clients meet.
 */
@ApplicationScoped
public class HttpProblems {

    private static final Logger LOG = Logger.getLogger(HttpProblems.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Before access control: a refusal of the request's form needs no key. */
    private static final int PRIORITY = 2000;
    /** The longest request line accepted: method, target and version. */
    public static final int MAX_REQUEST_LINE = 8192;
    /** The most header bytes accepted, names and values. */
    public static final int MAX_HEADER_BYTES = 16384;

    void register(@Observes Filters filters) {
        filters.register(this::limits, PRIORITY);
    }

    void routes(@Observes Router router) {
        router.errorHandler(500, rc -> {
            LOG.error("Request failed outside the REST resources", rc.failure());
            send(rc, 500, "internal", "Internal server error", "The request failed on the server; it has been logged.", List.of());
        });
    }

    void limits(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        int line = request.method().name().length() + 1 + request.uri().length() + 9;
        if (line > MAX_REQUEST_LINE) {
            send(rc, 414, "uri-too-long", "URI Too Long", "The request line is " + line + " bytes; at most " + MAX_REQUEST_LINE + " are accepted.",
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
            send(rc, 431, "request-header-fields-too-large", "Request Header Fields Too Large", "The request's headers are " + headers
                    + " bytes; at most " + MAX_HEADER_BYTES + " are accepted (the largest is " + largest + ").", List.of(new Violation(largest, "too large")));
            return;
        }
        rc.next();
    }

    private static void send(RoutingContext rc, int status, String slug, String title, String detail, List<Violation> violations) {
        if (rc.response().ended()) {
            return;
        }
        try {
            String body = MAPPER.writeValueAsString(new Problem("urn:docshift:problem:" + slug, title, status, detail, violations));
            rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).putHeader(HttpHeaders.CONNECTION, "close").end(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
