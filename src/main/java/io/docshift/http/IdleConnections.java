package io.docshift.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.concurrent.TimeUnit;

/**
 * {@code quarkus.http.idle-timeout} closes connections that stay silent (headers never finished, idle keep-alives),
 * never one whose request the service is still answering: Vert.x's idle handler counts a request that takes long
 * to answer (a push or a plan over a large table) as silence, and would cut it without a response. On a
 * connection's first request, its idle handler is replaced by one that lets idleness pass while a request is in
 * flight; the timeout counts again from the response's last byte. (Netty's pipeline is reached through Vert.x's
 * {@code ConnectionBase}; {@code LongRequestsTest} fails should an upgrade change it.)
 */
@ApplicationScoped
public class IdleConnections {

    /** Before every other filter, so the whole request counts as in flight. */
    private static final int PRIORITY = 4000;
    /** Vert.x's name for the idle handler in an HTTP connection's pipeline. */
    private static final String HANDLER = "idle";

    void register(@Observes Filters filters) {
        filters.register(this::track, PRIORITY);
    }

    void track(RoutingContext rc) {
        RequestAwareIdle idle = RequestAwareIdle.of(rc.request().connection());
        if (idle != null) {
            idle.inFlight++;
            rc.addEndHandler(ignored -> idle.inFlight--);
        }
        rc.next();
    }

    /** Vert.x's idle handler, holding back the idle event while a request of the connection is in flight. */
    static final class RequestAwareIdle extends IdleStateHandler {

        /** Requests begun and not yet ended; touched on the connection's event loop only. */
        private int inFlight;

        private RequestAwareIdle(IdleStateHandler replaced) {
            super(replaced.getReaderIdleTimeInMillis(), replaced.getWriterIdleTimeInMillis(), replaced.getAllIdleTimeInMillis(), TimeUnit.MILLISECONDS);
        }

        /** The connection's request-aware idle handler, put in place of Vert.x's on its first request; null without one. */
        static RequestAwareIdle of(HttpConnection connection) {
            if (!(connection instanceof ConnectionBase base)) {
                return null;
            }
            ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
            ChannelHandler handler = pipeline.get(HANDLER);
            if (handler instanceof RequestAwareIdle aware) {
                return aware;
            }
            if (!(handler instanceof IdleStateHandler plain)) {
                return null; // no idle timeout configured
            }
            RequestAwareIdle aware = new RequestAwareIdle(plain);
            pipeline.replace(HANDLER, HANDLER, aware);
            return aware;
        }

        @Override
        protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) throws Exception {
            if (inFlight == 0) {
                super.channelIdle(ctx, event);
            }
        }
    }
}
