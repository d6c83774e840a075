package io.docshift.migration.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.document.json.DocumentReader;
import io.docshift.error.InvalidRequest;
import io.docshift.error.Problem;
import io.docshift.migration.MigrationRegistry;
import io.docshift.migration.MigrationService;
import io.docshift.migration.RunView;
import io.docshift.migration.RunViews;
import io.docshift.migration.store.Run;
import io.docshift.migration.store.MigrationEntity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /api/migrations}: definitions, runs and the migration log. */
@Path("/api/migrations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Migrations")
public class MigrationResource {

    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;
    private static final Set<String> RUN_KEYS = Set.of("args", "dryRun", "limit", "rerun", "force");

    @Inject
    io.docshift.migration.Rollbacks rollbacks;
    @Inject
    MigrationService migrations;
    @Inject
    io.docshift.migration.Backups backups;
    @Inject
    RunViews views;

    /** A definition with its checksum, its latest run and, for one migration, all its runs. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "Migration")
    public record MigrationView(String name, String kind,
                                @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "Where batches change documents: sql (in PostgreSQL), jvm (a CEL expression PostgreSQL cannot evaluate) or java", enumeration = {"sql", "jvm", "java"})
                                String evaluation, String checksum, JsonNode definition,
                                @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "The latest run's state; rolledBack when that run is a completed rollback; absent when it never ran")
                                String state, RunView latestRun, List<RunView> runs) {
    }

    /** One finished run in the migration log. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "LogEntry")
    public record LogEntry(long runId, String name, String checksum, JsonNode args, String state, long processed, long changed,
                           long stamped, long total, Long limit, Long rollbackOf, Long rolledBackBy, String owner, OffsetDateTime startedAt,
                           OffsetDateTime finishedAt,
                           @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "Working time: the time workers held the run, summed over every resume")
                           Long durationMs, RunView.Error error) {
    }

    @GET
    @Operation(operationId = "listMigrations", summary = "Every migration with its latest run")
    @APIResponse(responseCode = "200", description = "The migrations")
    public List<MigrationView> all() {
        List<MigrationEntity> all = migrations.all();
        Map<String, RunView> latest = views.latest(all.stream().map(m -> m.name).toList());
        return all.stream().map(m -> view(m, latest.get(m.name), null)).toList();
    }

    @GET
    @Path("/log")
    @Operation(operationId = "getMigrationLog", summary = "The migration log: every finished run, newest first")
    @APIResponse(responseCode = "200", description = "name, checksum, args, result counts, owner, start, end, duration")
    public List<LogEntry> log() {
        List<Run> log = migrations.log();
        List<RunView> shown = views.of(log);
        List<LogEntry> out = new java.util.ArrayList<>(log.size());
        for (int i = 0; i < log.size(); i++) {
            RunView v = shown.get(i);
            out.add(new LogEntry(v.runId(), v.migration(), log.get(i).checksum(), v.args(), v.state(), v.processed(), v.changed(), v.stamped(),
                    v.total(), v.limit(), v.rollbackOf(), v.rolledBackBy(), v.owner(), v.startedAt(), v.finishedAt(),
                    v.startedAt() == null ? null : v.workedMs(), v.error()));
        }
        return out;
    }

    @GET
    @Path("/{name}")
    @Operation(operationId = "getMigration", summary = "One migration: definition, checksum and runs")
    @APIResponse(responseCode = "200", description = "The migration")
    @APIResponse(responseCode = "404", description = "No such migration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public MigrationView get(@PathParam("name") String name) {
        MigrationEntity m = migrations.get(name);
        List<RunView> runs = views.of(migrations.runs(name));
        return view(m, runs.isEmpty() ? null : runs.get(0), runs);
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "defineMigration", summary = "Register or update a declarative migration",
            description = "201 when new, 200 when updated or unchanged. A migration that completed, has a run in progress, or belongs to an open transition never changes (409).")
    @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "MigrationDefinition")))
    @APIResponse(responseCode = "200", description = "Updated or unchanged", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MigrationView.class)))
    @APIResponse(responseCode = "201", description = "Registered", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MigrationView.class)))
    @APIResponse(responseCode = "400", description = "Invalid definition (the path names the step and key)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Checksum drift (it completed with another definition), a run in progress, or an open transition running it", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response define(@PathParam("name") String name, byte[] body) {
        MigrationRegistry.Outcome outcome = migrations.define(name, DocumentReader.readDocument(body));
        MigrationView view = view(migrations.get(name), migrations.latestRun(name).map(views::of).orElse(null), null);
        return Response.status(outcome == MigrationRegistry.Outcome.CREATED ? 201 : 200).entity(view).build();
    }

    @POST
    @Path("/{name}/runs")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "startRun", summary = "Start a run, or a dry run",
            description = "202 {runId, state}; 200 {skipped, completedRun} if it already completed and rerun is false; "
                    + "dryRun: 200 {examined, wouldChange, documents: [{_id, before, after}]}, nothing written.")
    @RequestBody(required = false,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "RunRequest")))
    @APIResponse(responseCode = "202", description = "Run requested; every pod's worker may pick it up", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MigrationService.Started.class)))
    @APIResponse(responseCode = "200", description = "Skipped (already completed) or a dry-run report",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(oneOf = {MigrationService.Skipped.class, MigrationService.DryRun.class})))
    @APIResponse(responseCode = "400", description = "Bad request body", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such migration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "A run of it is already pending or running (runId names it)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Dry run: a real run would fail on some document", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response run(@PathParam("name") String name, byte[] body) {
        MigrationService.RunOutcome outcome = migrations.run(name, request(body));
        return Response.status(outcome instanceof MigrationService.Started ? 202 : 200).entity(outcome).build();
    }

    @GET
    @Path("/runs/{runId}")
    @Operation(operationId = "getRun", summary = "A run's state and progress")
    @APIResponse(responseCode = "200", description = "The run")
    @APIResponse(responseCode = "404", description = "No such run", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RunView runState(@PathParam("runId") String runId) {
        return views.of(migrations.runById(id(runId)));
    }

    @POST
    @Path("/runs/{runId}/cancel")
    @Operation(operationId = "cancelRun", summary = "Cancel a pending or running run; its worker stops after the current batch")
    @APIResponse(responseCode = "200", description = "The cancelled run")
    @APIResponse(responseCode = "404", description = "No such run", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The run already ended", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RunView cancel(@PathParam("runId") String runId) {
        return views.of(migrations.cancel(id(runId)));
    }

    @POST
    @Path("/runs/{runId}/resume")
    @Operation(operationId = "resumeRun", summary = "Resume a cancelled or failed run from its saved position")
    @APIResponse(responseCode = "200", description = "The run, pending again")
    @APIResponse(responseCode = "404", description = "No such run", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The run is not cancelled or failed, or its migration changed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RunView resume(@PathParam("runId") String runId) {
        return views.of(migrations.resume(id(runId)));
    }

    @POST
    @Path("/runs/{runId}/rollback")
    @Operation(operationId = "rollBackRun", summary = "Roll a run back from its backups, as a run of its own",
            description = "Documents the run changed get their saved bodies back; documents written since go through the inverse "
                    + "of its steps (rename, split, copy) where one exists.")
    @APIResponse(responseCode = "202", description = "The rollback run", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MigrationService.Started.class)))
    @APIResponse(responseCode = "404", description = "No such run", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "No backups, still running, part of a transition, already rolled back, or documents written since cannot be brought back (count and examples)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response rollback(@PathParam("runId") String runId) {
        return Response.status(202).entity(rollbacks.rollBack(id(runId))).build();
    }

    @jakarta.ws.rs.DELETE
    @Path("/runs/{runId}/backups")
    @Operation(operationId = "dropRunBackups", summary = "Drop a run's backups once its result is trusted; it can no longer be rolled back",
            description = "Backups are dropped by themselves after docshift.migrations.backup-retention (7 days).")
    @APIResponse(responseCode = "204", description = "Dropped")
    @APIResponse(responseCode = "404", description = "No such run", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "No backups, dropped already, or the run or its rollback is active", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public void dropBackups(@PathParam("runId") String runId) {
        backups.drop(id(runId));
    }

    private static long id(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new io.docshift.error.NotFound("No migration run '" + text + "'.");
        }
    }

    private static MigrationService.RunRequest request(byte[] body) {
        if (body == null || body.length == 0) {
            return new MigrationService.RunRequest(null, false, null, false, false);
        }
        JsonNode n = DocumentReader.readDocument(body);
        n.fieldNames().forEachRemaining(k -> {
            if (!RUN_KEYS.contains(k)) {
                throw InvalidRequest.at("/" + k, "unknown key; a run request has args, dryRun, limit, rerun and force");
            }
        });
        for (String flag : List.of("dryRun", "rerun", "force")) {
            if (n.has(flag) && !n.get(flag).isBoolean()) {
                throw InvalidRequest.at("/" + flag, "true or false");
            }
        }
        JsonNode limit = n.get("limit");
        if (limit != null && !limit.isNull() && !limit.isIntegralNumber()) {
            throw InvalidRequest.at("/limit", "a whole number of documents, or null");
        }
        return new MigrationService.RunRequest(n.get("args"), n.path("dryRun").asBoolean(false),
                limit == null || limit.isNull() ? null : limit.asLong(), n.path("rerun").asBoolean(false), n.path("force").asBoolean(false));
    }

    private MigrationView view(MigrationEntity m, RunView latest, List<RunView> runs) {
        String evaluation = migrations.definition(m).map(d -> d.evaluation().json()).orElse("java");
        try {
            return new MigrationView(m.name, m.kind, evaluation, m.checksum, MAPPER.readTree(m.definition), RunViews.migrationState(latest), latest, runs);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
