package io.docshift.query;

import io.docshift.document.json.DocumentReader;
import io.docshift.error.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /api/tables/{table}/query}: a page of documents in the order of an index. */
@Path("/api/tables/{table}/query")
@Tag(name = "Documents")
public class QueryResource {

    @Inject
    IndexQueryService queries;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "queryDocuments", summary = "Query a table through an index",
            description = "Equality on a prefix of the index's fields, at most one range on the next field, ordered by the index then creation time.")
    @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "IndexQuery")))
    @APIResponse(responseCode = "200", description = "A page, in index order", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "DocumentPage")))
    @APIResponse(responseCode = "400", description = "Unknown or unready index, a field out of index order, a bad bound or cursor", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such table", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public String query(@PathParam("table") String table, byte[] body) {
        return queries.query(table, QueryRequest.from(DocumentReader.readDocument(body))).toJson();
    }
}
