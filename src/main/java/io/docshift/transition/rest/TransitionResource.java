package io.docshift.transition.rest;

import io.docshift.error.NotFound;
import io.docshift.error.Problem;
import io.docshift.schema.SchemaService;
import io.docshift.transition.TransitionService;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/schema/transition}: the latest schema transition, and its rollback. */
@Path("/api/schema/transition")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Schema")
public class TransitionResource {

    @Inject
    TransitionService transitions;
    @Inject
    SchemaService schemas;

    @GET
    @Operation(operationId = "getTransition", summary = "The latest schema transition: its state and the progress of its migrations")
    @APIResponse(responseCode = "200", description = "{\"fromVersion\", \"toVersion\", \"state\", \"migrations\", \"startedAt\", \"finishedAt\", \"error\"}")
    @APIResponse(responseCode = "404", description = "No transition ever ran", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public TransitionService.View transition() {
        return transitions.latest().orElseThrow(() -> new NotFound("No schema transition has ever run."));
    }

    @POST
    @Path("/rollback")
    @Operation(operationId = "rollBackTransition", summary = "Roll the open transition back: restore the backups of its migrations; the previous version stays active")
    @APIResponse(responseCode = "202", description = "Rolling back: the transition, state rollingBack (rolledBack once its rollback runs complete)", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TransitionService.View.class)))
    @APIResponse(responseCode = "409", description = "No open transition, it became active first, a migration without backups, or documents that would not fit the active schema after the rollback",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response rollback() {
        return Response.status(202).entity(schemas.rollBackTransition()).build();
    }
}
