package io.docshift.ops;

import io.docshift.coordination.Heartbeat;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** {@code GET /api/workers}: the pods seen working, from their heartbeats. */
@Path("/api/workers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Operations")
public class WorkerResource {

    @Inject
    Heartbeat heartbeat;

    @GET
    @Operation(operationId = "listWorkers", summary = "The pods that beat their heart within the last ten minutes, and whether they are alive (beat within stale-after)")
    @APIResponse(responseCode = "200", description = "[{\"id\", \"startedAt\", \"heartbeatAt\", \"alive\"}]")
    public List<Heartbeat.Pod> workers() {
        return heartbeat.pods();
    }
}
