package io.docshift.rehearsal.rest;

import io.docshift.error.InvalidRequest;
import io.docshift.error.NotFound;
import io.docshift.error.Problem;
import io.docshift.rehearsal.RehearsalReport;
import io.docshift.rehearsal.RehearsalService;
import io.docshift.schema.SchemaDocuments;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;

/** {@code /api/schema/rehearsals}: a schema transition rehearsed on a copy of the documents, and the reports kept. */
@Path("/api/schema/rehearsals")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Schema")
public class RehearsalResource {

    @Inject
    RehearsalService rehearsals;

    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
    @Operation(operationId = "rehearseSchema", summary = "Rehearse the transition a push of this schema would run, on a copy of the documents",
            description = "The body is a schema as a push takes it; its migrations must be registered. Copies the documents of the tables its migrations"
                    + " sweep (all, or a uniform sample of each), sweeps the copy, verifies it against the schema and rolls it back from its backups;"
                    + " never writes a live document, the schema or a run, and takes no write gate. Answers once it has started: follow Location.")
    @APIResponse(responseCode = "202", description = "Started: the report so far (state running)", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = RehearsalReport.class)))
    @APIResponse(responseCode = "400", description = "Invalid schema, no migrations to rehearse, migrations that cannot run, or a bad sample",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Another rehearsal is running (rehearsalId names it)", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    public Response rehearse(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @QueryParam("sample") String sample, byte[] body) {
        RehearsalReport started = rehearsals.start(SchemaDocuments.read(body, SchemaDocuments.isYaml(contentType)), sample(sample));
        return Response.accepted(started).location(URI.create("/api/schema/rehearsals/" + started.id())).build();
    }

    @GET
    @Operation(operationId = "listRehearsals", summary = "The rehearsal reports kept, newest first")
    @APIResponse(responseCode = "200", description = "The reports")
    public List<RehearsalReport> list() {
        return rehearsals.latest();
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getRehearsal", summary = "One rehearsal's report: running, completed or failed")
    @APIResponse(responseCode = "200", description = "The report", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = RehearsalReport.class)))
    @APIResponse(responseCode = "404", description = "No such rehearsal (or no longer kept)", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    public RehearsalReport get(@PathParam("id") String id) {
        try {
            return rehearsals.find(Long.parseLong(id));
        } catch (NumberFormatException e) {
            throw new NotFound("No rehearsal '" + id + "'.");
        }
    }

    private static Long sample(String sample) {
        if (sample == null) {
            return null;
        }
        try {
            return Long.parseLong(sample.trim());
        } catch (NumberFormatException e) {
            throw InvalidRequest.at("sample", "must be a positive number of documents, got '" + sample + "'");
        }
    }
}
