package io.docshift.events;

import io.docshift.error.InvalidRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import io.docshift.error.Problem;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.Set;

/** {@code GET /api/events}: what happens in the whole cluster, as server-sent events. */
@Path("/api/events")
@Tag(name = "Events")
public class EventResource {

    /** The kinds of event; {@code kind} takes only these (OpenApiContract declares them). */
    public static final Set<String> KINDS = Set.of("run.progress", "run.state", "transition.state", "schema.activated", "index.state");

    @Inject
    EventHub hub;
    @Inject
    EventLog log;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(operationId = "streamEvents", summary = "Server-sent events of the whole cluster: run progress and states, transitions, schema activations, indexes",
            description = "Each event has an id; reconnect with Last-Event-ID to get what was missed (kept an hour; older, a \"reset\" event says"
                    + " to reload). kind=run.progress&kind=run.state keeps only those kinds.")
    @APIResponse(responseCode = "200", description = "The event stream", content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = "An unknown kind", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public void events(@Context SseEventSink sink, @Context Sse sse, @HeaderParam("Last-Event-ID") String lastEventId,
                       @QueryParam("kind") List<String> kinds) {
        for (String k : kinds) {
            if (!KINDS.contains(k)) {
                throw InvalidRequest.at("kind", "one of " + KINDS);
            }
        }
        Stream stream = new Stream(sink, sse, Set.copyOf(kinds));
        hub.subscribe(stream);
        long from = lastEventId == null ? -1 : parse(lastEventId);
        stream.replay(from < 0 ? hub.position() : from);
    }

    private static long parse(String id) {
        try {
            return Long.parseLong(id.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * One client's stream. Events the hub delivers while the missed ones are still being replayed wait in a
     * queue, so the client gets every event once, in id order.
     */
    private final class Stream implements EventHub.Subscriber {

        private final SseEventSink sink;
        private final Sse sse;
        private final Set<String> kinds;
        private final Queue<EventLog.Event> waiting = new ArrayDeque<>();
        private boolean replaying = true;
        private long sent;

        Stream(SseEventSink sink, Sse sse, Set<String> kinds) {
            this.sink = sink;
            this.sse = sse;
            this.kinds = kinds;
        }

        @Override
        public boolean wants(String kind) {
            return kinds.isEmpty() || kinds.contains(kind);
        }

        /** Sends what came after {@code from}, then what the hub delivered meanwhile. */
        void replay(long from) {
            sent = from;
            if (from > 0 && from < log.oldestId() - 1) {
                send(sse.newEventBuilder().name("reset").data("{\"reason\":\"events after " + from + " are no longer kept; reload\"}").build());
            }
            List<EventLog.Event> missed;
            do {
                missed = log.after(sent);
                synchronized (this) {
                    for (EventLog.Event e : missed) {
                        if (!sendEvent(e)) {
                            return;
                        }
                    }
                }
            } while (!missed.isEmpty());
            synchronized (this) {
                replaying = false;
                for (EventLog.Event e : waiting) {
                    if (!sendEvent(e)) {
                        return;
                    }
                }
                waiting.clear();
            }
        }

        @Override
        public synchronized boolean deliver(EventLog.Event e) {
            if (replaying) {
                waiting.add(e);
                return !sink.isClosed();
            }
            return sendEvent(e);
        }

        private boolean sendEvent(EventLog.Event e) {
            if (e.id() <= sent) {
                return true;
            }
            if (!wants(e.kind())) {
                sent = e.id();
                return true;
            }
            sent = e.id();
            return send(sse.newEventBuilder().id(Long.toString(e.id())).name(e.kind()).mediaType(MediaType.TEXT_PLAIN_TYPE).data(e.data()).build());
        }

        @Override
        public synchronized boolean keepAlive() {
            return send(sse.newEventBuilder().comment("keepalive").build());
        }

        private boolean send(jakarta.ws.rs.sse.OutboundSseEvent event) {
            if (sink.isClosed()) {
                hub.unsubscribe(this);
                return false;
            }
            sink.send(event);
            return true;
        }
    }
}
