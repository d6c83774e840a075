package io.docshift.document.rest;

import io.docshift.auth.AccessFilter;
import io.docshift.auth.ApiKeys;
import io.docshift.document.DocumentService;
import io.docshift.document.Preconditions;
import io.docshift.document.store.StoredDocument;
import io.docshift.error.InvalidRequest;
import io.docshift.error.Problem;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Documents of one table: {@code /api/tables/{table}/documents}. Every document response carries a strong
 * {@code ETag} (its revision and schema version); writes honour {@code If-Match} (412), reads
 * {@code If-None-Match} (304); inserts honour {@code Idempotency-Key}.
 */
@Path("/api/tables/{table}/documents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Documents")
public class DocumentResource {

    static final String MERGE_PATCH = "application/merge-patch+json";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Printable ASCII without spaces, as the draft's examples (a UUID, a ULID). */
    static final String KEY_PATTERN = "^[\\x21-\\x7e]{1,255}$";
    private static final Pattern KEY = Pattern.compile(KEY_PATTERN);

    @Inject
    DocumentService documents;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "insertDocument", summary = "Insert a document", description = "Creates the table on first insert. With an Idempotency-Key,"
            + " a retry with the same key and body (on any pod, within docshift.documents.idempotency-window) gets the first response and stores nothing new.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "DocumentBody")))
    @Parameter(name = IDEMPOTENCY_KEY, in = org.eclipse.microprofile.openapi.annotations.enums.ParameterIn.HEADER, description = "A key unique to this request (a UUID), so that a retry stores it once",
            schema = @Schema(type = SchemaType.STRING, pattern = KEY_PATTERN))
    @APIResponse(responseCode = "201", description = "The stored document, with _id and _creationTime",
            headers = {@Header(name = "Location", schema = @Schema(type = SchemaType.STRING)), @Header(name = "ETag", schema = @Schema(type = SchemaType.STRING))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Document")))
    @APIResponse(responseCode = "400", description = "Malformed body, bad table name or a broken limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Document larger than 1 MiB", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "Content-Type is not application/json", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "The Idempotency-Key was used with another request", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response insert(@PathParam("table") String table, @HeaderParam(IDEMPOTENCY_KEY) String key, @Context RoutingContext rc, byte[] body) {
        DocumentService.Created created = documents.insert(table, body, idempotency(key, rc, "insert " + table, body));
        return Response.created(URI.create(created.location())).tag(unquoted(created.etag())).entity(created.body())
                .header("Idempotent-Replayed", created.replayed() ? "true" : null).build();
    }

    @POST
    @Path("/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "insertDocuments", summary = "Insert 1 to 10,000 documents in one transaction",
            description = "All or nothing: one invalid document stores none. Honours Idempotency-Key as a single insert does.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(ref = "DocumentBodies")))
    @Parameter(name = IDEMPOTENCY_KEY, in = org.eclipse.microprofile.openapi.annotations.enums.ParameterIn.HEADER, description = "A key unique to this request (a UUID), so that a retry stores it once",
            schema = @Schema(type = SchemaType.STRING, pattern = KEY_PATTERN))
    @APIResponse(responseCode = "201", description = "The new ids in input order", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "InsertedIds")))
    @APIResponse(responseCode = "400", description = "Not an array, empty, too many, or an invalid document (its index leads the path)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "A document larger than 1 MiB", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "The Idempotency-Key was used with another request", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response insertBatch(@PathParam("table") String table, @HeaderParam(IDEMPOTENCY_KEY) String key, @Context RoutingContext rc, byte[] body) {
        DocumentService.Created created = documents.insertBatch(table, body, idempotency(key, rc, "batch " + table, body));
        return Response.status(Response.Status.CREATED).entity(created.body()).header("Idempotent-Replayed", created.replayed() ? "true" : null).build();
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getDocument", summary = "Get a document by _id", description = "With If-None-Match naming its ETag: 304, no body.")
    @APIResponse(responseCode = "200", description = "The document", headers = @Header(name = "ETag", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Document")))
    @APIResponse(responseCode = "304", description = "Not modified: If-None-Match names its current ETag")
    @APIResponse(responseCode = "400", description = "Malformed id or table name", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such table or document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response get(@PathParam("table") String table, @PathParam("id") String id, @HeaderParam("If-None-Match") String ifNoneMatch) {
        StoredDocument doc = documents.get(table, id);
        Preconditions unless = Preconditions.parse(ifNoneMatch, "If-None-Match");
        if (unless != null && unless.matchesTag(doc.etag())) {
            return Response.notModified().tag(unquoted(doc.etag())).build();
        }
        return ok(doc);
    }

    @PATCH
    @Path("/{id}")
    @Consumes({MERGE_PATCH, MediaType.APPLICATION_JSON})
    @Operation(operationId = "patchDocument", summary = "Patch a document (JSON Merge Patch, RFC 7396)",
            description = "null removes a field; objects merge; anything else replaces. With If-Match, only while the document has that revision (412 otherwise).")
    @RequestBody(required = true, content = @Content(mediaType = MERGE_PATCH, schema = @Schema(ref = "DocumentBody")))
    @APIResponse(responseCode = "200", description = "The patched document", headers = @Header(name = "ETag", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Document")))
    @APIResponse(responseCode = "400", description = "Malformed patch or the result breaks a limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such table or document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "412", description = "If-Match does not match: the document changed; nothing written", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "The result is larger than 1 MiB", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response patch(@PathParam("table") String table, @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, byte[] body) {
        return ok(documents.patch(table, id, body, Preconditions.parse(ifMatch, "If-Match")));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "replaceDocument", summary = "Replace a document's body", description = "_id and _creationTime are kept. With If-Match, as for a patch.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "DocumentBody")))
    @APIResponse(responseCode = "200", description = "The new document", headers = @Header(name = "ETag", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Document")))
    @APIResponse(responseCode = "400", description = "Malformed body or a broken limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such table or document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "412", description = "If-Match does not match: the document changed; nothing written", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Document larger than 1 MiB", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response replace(@PathParam("table") String table, @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, byte[] body) {
        return ok(documents.replace(table, id, body, Preconditions.parse(ifMatch, "If-Match")));
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteDocument", summary = "Delete a document", description = "With If-Match, only while the document has that revision.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "400", description = "Malformed id or table name", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such table or document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "412", description = "If-Match does not match: the document changed; nothing deleted", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public void delete(@PathParam("table") String table, @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        documents.delete(table, id, Preconditions.parse(ifMatch, "If-Match"));
    }

    @GET
    @Operation(operationId = "listDocuments", summary = "Page through a table in creation order", description = "Keyset pagination: the cursor stays valid while documents are inserted or deleted.")
    @APIResponse(responseCode = "200", description = "A page", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "DocumentPage")))
    @APIResponse(responseCode = "400", description = "Bad limit, order or cursor", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public String page(@PathParam("table") String table,
                       @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "100")) @QueryParam("limit") String limit,
                       @Parameter(description = "The continueCursor of the previous page") @QueryParam("cursor") String cursor,
                       @Parameter(schema = @Schema(type = SchemaType.STRING, enumeration = {"asc", "desc"}, defaultValue = "asc")) @QueryParam("order") String order) {
        return documents.page(table, QueryParams.intBetween(limit, "limit", 1, 1000, 100),
                cursor == null || cursor.isEmpty() ? null : cursor, QueryParams.ascending(order)).toJson();
    }

    private static Response ok(StoredDocument doc) {
        return Response.ok(doc.toJson()).tag(unquoted(doc.etag())).build();
    }

    /** JAX-RS quotes a tag it is given as a string. */
    private static String unquoted(String etag) {
        return etag == null ? null : etag.substring(1, etag.length() - 1);
    }

    /**
     * The Idempotency-Key of a request, per API key (the same key from two clients is two keys), with the hash of
     * what it asks; null without the header.
     */
    private static DocumentService.Idempotency idempotency(String key, RoutingContext rc, String what, byte[] body) {
        if (key == null) {
            // an Idempotency-Key sent empty reaches here as null: refused, like any key out of form, not ignored
            if (rc == null || !rc.request().headers().contains(IDEMPOTENCY_KEY)) {
                return null;
            }
            key = "";
        }
        if (!KEY.matcher(key).matches()) {
            throw InvalidRequest.at(IDEMPOTENCY_KEY, "1 to 255 printable ASCII characters without spaces, unique to this request (a UUID)");
        }
        ApiKeys.Entry client = rc == null ? null : rc.get(AccessFilter.KEY_ATTRIBUTE);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(what.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(body);
            return new DocumentService.Idempotency(client == null ? "" : client.name(), key, HexFormat.of().formatHex(sha.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
