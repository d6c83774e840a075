package io.docshift.migration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.docshift.coordination.PgNotifications;
import io.docshift.db.Jdbc;
import io.docshift.document.DocumentsConfig;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Conflict;
import io.docshift.error.InvalidRequest;
import io.docshift.error.NotFound;
import io.docshift.migration.step.StepSql;
import io.docshift.migration.store.MigrationEntity;
import io.docshift.migration.store.Run;
import io.docshift.migration.store.RunRepository;
import io.docshift.migration.store.RunState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Migration definitions and runs: what the REST API asks of the engine. Every operator action on a run is one
 * guarded change in {@link RunRepository}, so concurrent requests and the workers never overwrite each other.
 */
@ApplicationScoped
public class MigrationService {

    @Inject
    MigrationRegistry registry;
    @Inject
    TableRegistry tables;
    @Inject
    PgNotifications notifications;
    @Inject
    DocumentsConfig documents;
    @Inject
    DataSource dataSource;
    @Inject
    MigrationsConfig config;
    @Inject
    DryRuns dryRuns;
    @Inject
    RunRepository runs;

    /**
     * A run request: {@code {"args", "dryRun", "limit", "rerun", "force"}}. {@code force} runs a rerun that its dry
     * run shows would change documents again.
     */
    public record RunRequest(JsonNode args, boolean dryRun, Long limit, boolean rerun, boolean force) {
    }

    /** What a run request produced: a new run, a skip, or a dry-run report. */
    public sealed interface RunOutcome permits Started, Skipped, DryRun {
    }

    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RunStarted", requiredProperties = {"runId", "state"})
    public record Started(long runId, String state) implements RunOutcome {
    }

    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RunSkipped", requiredProperties = {"skipped", "completedRun"})
    public record Skipped(boolean skipped, long completedRun) implements RunOutcome {
    }

    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "DryRun", requiredProperties = {"examined", "wouldChange", "documents"})
    public record DryRun(long examined, long wouldChange, List<Example> documents,
                         @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "sql, jvm or java: where a run would change documents", enumeration = {"sql", "jvm", "java"})
                         String evaluation) implements RunOutcome {
    }

    /** One document a dry run would change. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "DryRunDocument")
    public record Example(@JsonProperty("_id") String id, JsonNode before, JsonNode after) {
    }

    /**
     * Registers or updates a declarative migration. 409 when it completed with another definition (checksum
     * drift), while a run of it is active, or while an open transition runs it.
     */
    public MigrationRegistry.Outcome define(String name, JsonNode body) {
        MigrationParser.requireName(name, "name");
        if (registry.javaMigrations().containsKey(name)) {
            throw new Conflict("'" + name + "' is a Java migration of this build; declarative definitions need another name.");
        }
        return registry.register(MigrationParser.parse(name, body));
    }

    public List<MigrationEntity> all() {
        return QuarkusTransaction.joiningExisting().call(MigrationEntity::all);
    }

    public MigrationEntity get(String name) {
        MigrationParser.requireName(name, "name");
        return QuarkusTransaction.joiningExisting().call(() -> MigrationEntity.<MigrationEntity>findByIdOptional(name))
                .orElseThrow(() -> new NotFound("No migration named '" + name + "'."));
    }

    public List<Run> runs(String name) {
        return runs.ofMigration(name);
    }

    public Optional<Run> latestRun(String name) {
        return runs.latest(name);
    }

    /**
     * Starts a run (202), skips one that already completed (the seed's {@code _migrationLog} check), or answers a
     * dry run. However many requests race, one run is created; the others get 409 naming it.
     */
    public RunOutcome run(String name, RunRequest request) {
        MigrationEntity m = get(name);
        MigrationDefinition def = registry.definition(m)
                .orElseThrow(() -> new Conflict("Migration '" + name + "' is a Java migration this build does not carry."));
        JsonNode args = request.args() == null || request.args().isNull() ? JsonNodeFactory.instance.objectNode() : request.args();
        if (!args.isObject()) {
            throw InvalidRequest.at("/args", "an object");
        }
        if (!def.isJava() && !args.isEmpty()) {
            // only a Java migration reads its arguments: dropping them silently would run something else than asked
            throw InvalidRequest.at("/args", "nothing: '" + name + "' is a declarative migration, which takes no arguments");
        }
        if (request.limit() != null && (request.limit() < 1 || request.limit() > 1_000_000_000L)) {
            throw InvalidRequest.at("/limit", "a positive number of documents");
        }
        if (request.dryRun()) {
            return dryRuns.run(def, args, request.limit() == null ? 10 : (int) Math.min(request.limit(), 1000));
        }
        Optional<Run> done = runs.lastComplete(name);
        if (done.isPresent() && !request.rerun()) {
            return new Skipped(true, done.get().id());
        }
        if (done.isPresent() && !request.force()) {
            refuseIfNotIdempotent(def, args, done.get());
        }
        long total = tables.find(def.table()).map(t -> total(def, t)).orElse(0L);
        if (request.limit() != null) {
            total = Math.min(total, request.limit()); // a partial run is done at its limit, not at the table's end
        }
        long id = runs.insert(new RunRepository.NewRun(name, m.checksum, args.toString(), request.limit(), config.initialBatchSize(),
                def.backup(), total, null, null, null));
        announce(id);
        return new Started(id, RunState.PENDING.sql());
    }

    /**
     * 409 when a rerun would change documents again: a migration that is not idempotent over its own output (a split
     * that removed its source, an append) would damage what the completed run produced. The dry run counts every
     * document, so those written since the run count too; {@code "force": true} runs it anyway.
     */
    private void refuseIfNotIdempotent(MigrationDefinition def, JsonNode args, Run done) {
        DryRun again;
        try {
            again = dryRuns.run(def, args, 5);
        } catch (io.docshift.error.Unprocessable wouldFail) {
            return; // it would stop on a document it cannot migrate, changing nothing past it, and name it
        }
        if (again.wouldChange() > 0) {
            throw new Conflict("Run " + done.id() + " of '" + def.name() + "' completed; running it again would change " + again.wouldChange()
                    + " of " + again.examined() + " document(s) (a migration that is not idempotent changes its own output again;"
                    + " documents written since count too). Look at the examples, then rerun with \"force\": true (docshift run "
                    + def.name() + " --rerun --force) if that is what you want.",
                    Map.of("completedRun", done.id(), "wouldChange", again.wouldChange(), "examined", again.examined(), "documents", again.documents()));
        }
    }

    /** How many documents a run walks: those its where selects when PostgreSQL evaluates it, else all of them. */
    private long total(MigrationDefinition def, DocTable table) {
        if (def.where() == null || def.inJvm()) {
            return tables.documents(table, documents.exactCountBelow());
        }
        return Jdbc.call(dataSource, c -> new BatchSql(table, def.steps(), StepSql.chain(def.steps(), StepSql.related(def.steps(), tables::find)),
                RunExecutor.needsIdText(def), RunKind.plain(0), def.where()).total(c));
    }

    /** The definition of a stored migration (empty for a Java migration this build lacks). */
    public Optional<MigrationDefinition> definition(MigrationEntity m) {
        return registry.definition(m);
    }

    public Run runById(long id) {
        return runs.get(id);
    }

    /** Cancels a pending or running run; its worker stops at its next batch boundary, the batch in flight undone. */
    public Run cancel(long id) {
        Run cancelled = runs.cancel(id);
        announce(id);
        return cancelled;
    }

    /**
     * Resumes a cancelled or failed run from the position of its last committed batch. A completed sweep of a
     * transition that failed verification starts another pass instead, once its documents are fixed.
     */
    public Run resume(long id) {
        Run run = runs.get(id);
        if (run.state() == RunState.COMPLETED && run.transitionId() != null) {
            Run again = runs.restartSweep(id);
            announce(id);
            return again;
        }
        MigrationEntity m = get(run.migration());
        if (!m.checksum.equals(run.checksum())) {
            throw new Conflict("Migration '" + run.migration() + "' changed since run " + id + " started; start a new run instead.");
        }
        Run resumed = runs.resume(id);
        announce(id);
        return resumed;
    }

    public List<Run> log() {
        return runs.finished();
    }

    private void announce(long runId) {
        Jdbc.call(dataSource, c -> {
            notifications.publish(c, "run", Long.toString(runId));
            return null;
        });
    }
}
