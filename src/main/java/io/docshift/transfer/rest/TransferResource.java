package io.docshift.transfer.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.document.json.DocumentReader;
import io.docshift.error.InvalidRequest;
import io.docshift.error.NotFound;
import io.docshift.error.Problem;
import io.docshift.transfer.ExportService;
import io.docshift.transfer.ImportService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Set;

/** {@code /api/export} and {@code /api/imports}: every document out from one snapshot, and back in, all or nothing per table. */
@Path("/api")
@Tag(name = "Export and import")
public class TransferResource {

    static final String NDJSON = "application/x-ndjson";
    private static final Set<String> START_KEYS = Set.of("table", "mode", "tableNumber");

    @Inject
    ExportService exports;
    @Inject
    ImportService imports;

    @GET
    @Path("/export")
    @Produces(NDJSON)
    @Operation(operationId = "exportDocuments", summary = "Export the active schema and every document of some tables (all by default), from one consistent snapshot",
            description = "Newline-delimited JSON: a header line, then per table its document lines and a count, then an end line.")
    @APIResponse(responseCode = "200", description = "The export stream", content = @Content(mediaType = NDJSON, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)))
    @APIResponse(responseCode = "404", description = "A named table does not exist", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response export(@QueryParam("table") List<String> tables) {
        var chosen = exports.tables(tables == null ? List.of() : tables);
        StreamingOutput body = out -> exports.export(chosen, out);
        return Response.ok(body, NDJSON).build();
    }

    @POST
    @Path("/imports")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "startImport", summary = "Open an import into one table", description = "{\"table\", \"mode\": \"append\"|\"replace\", \"tableNumber\"}: a new table gets"
            + " tableNumber when it is free, so that imported ids (which embed it) are kept.")
    @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "ImportRequest")))
    @APIResponse(responseCode = "201", description = "The open import", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ImportService.Progress.class)))
    @APIResponse(responseCode = "400", description = "Bad table name or mode", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response start(byte[] body) {
        JsonNode n = DocumentReader.readDocument(body);
        n.fieldNames().forEachRemaining(k -> {
            if (!START_KEYS.contains(k)) {
                throw InvalidRequest.at("/" + k, "unknown key; an import has table, mode and tableNumber");
            }
        });
        if (!n.path("table").isTextual()) {
            throw InvalidRequest.at("/table", "the table to import into");
        }
        ImportService.Progress p = imports.start(n.get("table").asText(), n.path("mode").asText("append"), n.path("tableNumber").asInt(0));
        return Response.status(201).entity(p).build();
    }

    @GET
    @Path("/imports/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getImport", summary = "An import's progress")
    @APIResponse(responseCode = "200", description = "Lines received, refused and given new ids")
    @APIResponse(responseCode = "404", description = "No such import", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ImportService.Progress get(@PathParam("id") String id) {
        return imports.progress(id(id));
    }

    @POST
    @Path("/imports/{id}/lines")
    @Consumes({NDJSON, MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "sendImportLines", summary = "Send a chunk of documents, one JSON object per line",
            description = "first: the number of the chunk's first line in the whole import (1 by default), so refused lines are named by their number.")
    @APIResponse(responseCode = "200", description = "The import's progress")
    @APIResponse(responseCode = "409", description = "The import has ended", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ImportService.Progress lines(@PathParam("id") String id,
                                        @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int64", minimum = "1", defaultValue = "1")) @QueryParam("first") Long first,
                                        byte[] body) {
        if (first != null && first < 1) {
            throw InvalidRequest.at("first", "a line number, from 1");
        }
        return imports.chunk(id(id), first == null ? 1 : first, body);
    }

    @POST
    @Path("/imports/{id}/commit")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "commitImport", summary = "Store every line of the import, or none")
    @APIResponse(responseCode = "200", description = "{\"imported\", \"replaced\", \"reassigned\"}")
    @APIResponse(responseCode = "409", description = "The schema changed meanwhile, or an append would overwrite documents", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Lines were refused: every one counted, the first 1,000 listed by line number; nothing stored", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ImportService.Committed commit(@PathParam("id") String id) {
        return imports.commit(id(id));
    }

    @DELETE
    @Path("/imports/{id}")
    @Operation(operationId = "abortImport", summary = "Abort an open import; nothing of it is stored")
    @APIResponse(responseCode = "204", description = "Aborted")
    @APIResponse(responseCode = "409", description = "It has ended already", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public void abort(@PathParam("id") String id) {
        imports.abort(id(id));
    }

    private static long id(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new NotFound("No import '" + text + "'.");
        }
    }
}
