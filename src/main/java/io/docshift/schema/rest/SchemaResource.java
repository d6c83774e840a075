package io.docshift.schema.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.error.NotFound;
import io.docshift.error.Problem;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.Plan;
import io.docshift.schema.TableSchema;
import io.docshift.schema.contract.JsonSchemas;
import io.docshift.schema.contract.TypedOpenApi;
import io.docshift.schema.SchemaDocuments;
import io.docshift.schema.SchemaService;
import io.docshift.schema.store.SchemaVersionEntity;
import io.docshift.schema.TransitionPort;
import jakarta.ws.rs.core.Response;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.OffsetDateTime;
import java.util.List;

/** {@code /api/schema}: the active schema, its history, plans and pushes. */
@Path("/api/schema")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Schema")
public class SchemaResource {

    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    @Inject
    SchemaService schemas;

    /** A stored version. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "SchemaVersion")
    public record VersionView(int version, String hash, JsonNode schema, JsonNode changes, OffsetDateTime createdAt, OffsetDateTime activatedAt) {

        static VersionView of(SchemaVersionEntity e) {
            try {
                return new VersionView(e.version, e.hash, MAPPER.readTree(e.source), MAPPER.readTree(e.changes), e.createdAt, e.activatedAt);
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }

    /** The answer to a successful push. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "Pushed")
    public record PushView(int version, List<io.docshift.schema.SchemaChange> changes) {
    }

    @GET
    @Operation(operationId = "getSchema", summary = "The active schema, its version, hash and the state of its indexes")
    @APIResponse(responseCode = "200", description = "{\"version\", \"schema\", \"hash\", \"activatedAt\", \"indexes\"}")
    @APIResponse(responseCode = "404", description = "No schema was ever pushed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SchemaService.Status active() {
        return schemas.status().orElseThrow(() -> new NotFound("No schema has been pushed yet: every table is schemaless."));
    }

    @GET
    @Path("/openapi")
    @Operation(operationId = "getTypedOpenApi", summary = "An OpenAPI document typed by the active schema: each table's documents, inputs, pages and queries",
            description = "Generate a client from it in any language (openapi-generator, openapi-typescript...); its info names the schema version and hash.")
    @APIResponse(responseCode = "200", description = "The typed OpenAPI 3.1 document", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Json")))
    @APIResponse(responseCode = "404", description = "No schema was ever pushed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public JsonNode typedOpenApi() {
        ActiveSchema.Snapshot s = schemas.requireActive();
        return TypedOpenApi.of(s.schema(), s.version());
    }

    @GET
    @Path("/jsonschema/{table}")
    @Operation(operationId = "getTableJsonSchema", summary = "The JSON Schema (2020-12) of one table's stored documents under the active schema")
    @APIResponse(responseCode = "200", description = "The JSON Schema", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Json")))
    @APIResponse(responseCode = "404", description = "No schema, or the schema does not declare the table", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public JsonNode tableJsonSchema(@PathParam("table") String table) {
        ActiveSchema.Snapshot s = schemas.requireActive();
        TableSchema t = s.schema().table(table);
        if (t == null) {
            throw new NotFound("The active schema (version " + s.version() + ") does not declare table '" + table + "'; its documents are free.");
        }
        return JsonSchemas.document(t, s.version(), s.hash());
    }

    @GET
    @Path("/versions")
    @Operation(operationId = "listSchemaVersions", summary = "Every schema version, oldest first")
    @APIResponse(responseCode = "200", description = "The versions")
    public List<VersionView> versions() {
        return schemas.versions().stream().map(VersionView::of).toList();
    }

    @GET
    @Path("/versions/{n}")
    @Operation(operationId = "getSchemaVersion", summary = "One schema version")
    @APIResponse(responseCode = "200", description = "The version")
    @APIResponse(responseCode = "404", description = "No such version", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public VersionView version(@PathParam("n") String n) {
        int number;
        try {
            number = Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw new NotFound("No schema version '" + n + "'.");
        }
        return schemas.version(number).map(VersionView::of).orElseThrow(() -> new NotFound("No schema version " + n + "."));
    }

    @GET
    @Path("/diff")
    @Operation(operationId = "diffSchemaVersions", summary = "What changed between two versions", description = "from: the older version (0: no schema); to: the newer one (default: the active one).")
    @APIResponse(responseCode = "200", description = "The changes, as a push of version to over version from would report them")
    @APIResponse(responseCode = "404", description = "No such version", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public List<io.docshift.schema.SchemaChange> diff(@jakarta.ws.rs.QueryParam("from") String from, @jakarta.ws.rs.QueryParam("to") String to) {
        int newer = to == null ? schemas.status().map(SchemaService.Status::version).orElseThrow(() -> new NotFound("No schema has been pushed yet."))
                : versionNumber(to);
        return schemas.diff(from == null ? 0 : versionNumber(from), newer);
    }

    private static int versionNumber(String n) {
        try {
            return Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw new NotFound("No schema version '" + n + "'.");
        }
    }

    @POST
    @Path("/plan")
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
    @Operation(operationId = "planSchema", summary = "Preview a push: changes (safe or breaking) and existing documents that would violate it",
            description = "Writes nothing. Every violating document is counted; up to 10 examples per table.")
    @RequestBody(required = true, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "SchemaDocument")),
            @Content(mediaType = "application/yaml", schema = @Schema(type = SchemaType.STRING, description = "The schema document in YAML")),
            @Content(mediaType = "application/x-yaml", schema = @Schema(type = SchemaType.STRING, description = "The schema document in YAML")),
            @Content(mediaType = "text/yaml", schema = @Schema(type = SchemaType.STRING, description = "The schema document in YAML"))})
    @APIResponse(responseCode = "200", description = "The plan")
    @APIResponse(responseCode = "400", description = "Invalid schema document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Plan plan(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        return schemas.plan(SchemaDocuments.read(body, SchemaDocuments.isYaml(contentType)));
    }

    @PUT
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
    @Operation(operationId = "pushSchema", summary = "Push a schema", description = "Idempotent: the content of the active version returns that version. "
            + "Refused with 422, changing nothing, when existing documents violate it.")
    @RequestBody(required = true, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "SchemaDocument")),
            @Content(mediaType = "application/yaml", schema = @Schema(type = SchemaType.STRING, description = "The schema document in YAML")),
            @Content(mediaType = "application/x-yaml", schema = @Schema(type = SchemaType.STRING, description = "The schema document in YAML")),
            @Content(mediaType = "text/yaml", schema = @Schema(type = SchemaType.STRING, description = "The schema document in YAML"))})
    @APIResponse(responseCode = "200", description = "The version now active and what changed", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PushView.class)))
    @APIResponse(responseCode = "400", description = "Invalid schema document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Another push is in progress", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Existing documents violate the schema (counts and examples in \"tables\")", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "202", description = "Existing documents violate it and its \"migrations\" can fix them: a transition started (or is under way)", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TransitionPushView.class)))
    public Response push(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        SchemaService.PushResult result = schemas.push(SchemaDocuments.read(body, SchemaDocuments.isYaml(contentType)));
        if (result.transition() != null) {
            return Response.status(202).entity(new TransitionPushView(result.version(), result.changes(), result.transition())).build();
        }
        return Response.ok(new PushView(result.version(), result.changes())).build();
    }

    /** The answer to a push that started (or joined) a transition. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "PushedWithTransition")
    public record TransitionPushView(int version, List<io.docshift.schema.SchemaChange> changes, TransitionPort.View transition) {
    }
}
