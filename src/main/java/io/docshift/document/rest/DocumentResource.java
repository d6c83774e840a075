package io.docshift.document.rest;

import io.docshift.document.DocumentService;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.StoredDocument;
import io.docshift.error.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;

/** Documents of one table: {@code /api/tables/{table}/documents}. */
@Path("/api/tables/{table}/documents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Documents")
public class DocumentResource {

    static final String MERGE_PATCH = "application/merge-patch+json";

    @Inject
    DocumentService documents;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Insert a document", description = "Creates the table on first insert.")
    @APIResponse(responseCode = "201", description = "The stored document, with _id and _creationTime")
    @APIResponse(responseCode = "400", description = "Malformed body, bad table name or a broken limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Document larger than 1 MiB", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "Content-Type is not application/json", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response insert(@PathParam("table") String table, byte[] body) {
        StoredDocument stored = documents.insert(table, body);
        return Response.created(location(table, stored.id())).entity(stored.toJson()).build();
    }

    @POST
    @Path("/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Insert 1 to 10,000 documents in one transaction", description = "All or nothing: one invalid document stores none.")
    @APIResponse(responseCode = "201", description = "{\"ids\": [...]} in input order")
    @APIResponse(responseCode = "400", description = "Not an array, empty, too many, or an invalid document (its index leads the path)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "A document larger than 1 MiB", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response insertBatch(@PathParam("table") String table, byte[] body) {
        List<DocumentId> ids = documents.insertBatch(table, body);
        StringBuilder out = new StringBuilder(ids.size() * 29 + 16).append("{\"ids\":[");
        for (int i = 0; i < ids.size(); i++) {
            out.append(i == 0 ? "\"" : ",\"").append(ids.get(i)).append('"');
        }
        return Response.status(Response.Status.CREATED).entity(out.append("]}").toString()).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Get a document by _id")
    @APIResponse(responseCode = "200", description = "The document")
    @APIResponse(responseCode = "400", description = "Malformed id or table name", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such table or document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public String get(@PathParam("table") String table, @PathParam("id") String id) {
        return documents.get(table, id).toJson();
    }

    @PATCH
    @Path("/{id}")
    @Consumes({MERGE_PATCH, MediaType.APPLICATION_JSON})
    @Operation(summary = "Patch a document (JSON Merge Patch, RFC 7396)", description = "null removes a field; objects merge; anything else replaces.")
    @APIResponse(responseCode = "200", description = "The patched document")
    @APIResponse(responseCode = "400", description = "Malformed patch or the result breaks a limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such table or document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "The result is larger than 1 MiB", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public String patch(@PathParam("table") String table, @PathParam("id") String id, byte[] body) {
        return documents.patch(table, id, body).toJson();
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace a document's body", description = "_id and _creationTime are kept.")
    @APIResponse(responseCode = "200", description = "The new document")
    @APIResponse(responseCode = "400", description = "Malformed body or a broken limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such table or document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Document larger than 1 MiB", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public String replace(@PathParam("table") String table, @PathParam("id") String id, byte[] body) {
        return documents.replace(table, id, body).toJson();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a document")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "400", description = "Malformed id or table name", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such table or document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public void delete(@PathParam("table") String table, @PathParam("id") String id) {
        documents.delete(table, id);
    }

    @GET
    @Operation(summary = "Page through a table in creation order", description = "Keyset pagination: the cursor stays valid while documents are inserted or deleted.")
    @APIResponse(responseCode = "200", description = "{\"page\": [...], \"continueCursor\": \"...\", \"isDone\": bool}")
    @APIResponse(responseCode = "400", description = "Bad limit, order or cursor", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public String page(@PathParam("table") String table, @QueryParam("limit") String limit,
                       @QueryParam("cursor") String cursor, @QueryParam("order") String order) {
        return documents.page(table, QueryParams.intBetween(limit, "limit", 1, 1000, 100),
                cursor == null || cursor.isEmpty() ? null : cursor, QueryParams.ascending(order)).toJson();
    }

    private static URI location(String table, DocumentId id) {
        return URI.create("/api/tables/" + table + "/documents/" + id);
    }
}
