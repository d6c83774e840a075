package io.docshift.ops;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Whether this pod is serving live document traffic right now (reads, writes, queries): migrations yield to it. */
@ApplicationScoped
public class TrafficMeter {

    private static final long RECENT_NANOS = 1_000_000_000L;

    private volatile long lastRequest = System.nanoTime() - 2 * RECENT_NANOS;

    @ServerRequestFilter(preMatching = true)
    public void seen(io.vertx.core.http.HttpServerRequest request) {
        if (request.path().startsWith("/api/tables")) {
            lastRequest = System.nanoTime();
        }
    }

    /** Whether a document request arrived within the last second (operators polling a run's progress do not count). */
    public boolean busy() {
        return System.nanoTime() - lastRequest < RECENT_NANOS;
    }
}
