package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.docshift.coordination.PgNotifications;
import io.docshift.db.Jdbc;
import io.docshift.document.DocumentsConfig;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Conflict;
import io.docshift.error.InvalidRequest;
import io.docshift.error.NotFound;
import io.docshift.migration.store.MigrationEntity;
import io.docshift.migration.store.RunEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** Migration definitions and runs: what the REST API asks of the engine. */
@ApplicationScoped
@Transactional
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

    /** A run request: {@code {"args", "dryRun", "limit", "rerun"}}. */
    public record RunRequest(JsonNode args, boolean dryRun, Long limit, boolean rerun) {
    }

    /** What a run request produced: a new run, a skip, or a dry-run report. */
    public sealed interface RunOutcome permits Started, Skipped, DryRun {
    }

    public record Started(long runId, String state) implements RunOutcome {
    }

    public record Skipped(boolean skipped, long completedRun) implements RunOutcome {
    }

    public record DryRun(long examined, long wouldChange, List<Example> documents) implements RunOutcome {
    }

    /** One document a dry run would change. */
    public record Example(@com.fasterxml.jackson.annotation.JsonProperty("_id") String id, JsonNode before, JsonNode after) {
    }

    public MigrationRegistry.Outcome define(String name, JsonNode body) {
        MigrationParser.requireName(name, "name");
        if (registry.javaMigrations().containsKey(name)) {
            throw new Conflict("'" + name + "' is a Java migration of this build; declarative definitions need another name.");
        }
        return registry.register(MigrationParser.parse(name, body));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<MigrationEntity> all() {
        return MigrationEntity.all();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public MigrationEntity get(String name) {
        MigrationParser.requireName(name, "name");
        return MigrationEntity.<MigrationEntity>findByIdOptional(name)
                .orElseThrow(() -> new NotFound("No migration named '" + name + "'."));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<RunEntity> runs(String name) {
        return RunEntity.ofMigration(name);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<RunEntity> latestRun(String name) {
        return RunEntity.latest(name);
    }

    public RunOutcome run(String name, RunRequest request) {
        MigrationEntity m = get(name);
        MigrationDefinition def = registry.definition(m)
                .orElseThrow(() -> new Conflict("Migration '" + name + "' is a Java migration this build does not carry."));
        JsonNode args = request.args() == null || request.args().isNull() ? JsonNodeFactory.instance.objectNode() : request.args();
        if (!args.isObject()) {
            throw InvalidRequest.at("/args", "an object");
        }
        if (request.limit() != null && (request.limit() < 1 || request.limit() > 1_000_000_000L)) {
            throw InvalidRequest.at("/limit", "a positive number of documents");
        }
        if (request.dryRun()) {
            return dryRuns.run(def, args, request.limit() == null ? 10 : (int) Math.min(request.limit(), 1000));
        }
        Optional<RunEntity> done = RunEntity.completed(name);
        if (done.isPresent() && !request.rerun()) {
            return new Skipped(true, done.get().id);
        }
        Optional<RunEntity> active = RunEntity.active(name);
        if (active.isPresent()) {
            throw new Conflict("Migration '" + name + "' already has run " + active.get().id + " " + active.get().state + ".");
        }
        RunEntity run = new RunEntity();
        run.migration = name;
        run.checksum = m.checksum;
        run.args = args.toString();
        run.state = RunEntity.PENDING;
        run.maxDocuments = request.limit();
        run.batchSize = config.initialBatchSize();
        run.backup = def.backup();
        run.total = tables.find(def.table()).map(t -> tables.documents(t, documents.exactCountBelow())).orElse(0L);
        run.persistAndFlush();
        announce(run.id);
        return new Started(run.id, run.state);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public RunEntity runById(long id) {
        return RunEntity.<RunEntity>findByIdOptional(id).orElseThrow(() -> new NotFound("No migration run " + id + "."));
    }

    public RunEntity cancel(long id) {
        RunEntity run = runById(id);
        if (!RunEntity.PENDING.equals(run.state) && !RunEntity.RUNNING.equals(run.state)) {
            throw new Conflict("Run " + id + " is " + run.state + "; only pending or running runs can be cancelled.");
        }
        run.state = RunEntity.CANCELLED;
        run.finishedAt = OffsetDateTime.now();
        return run;
    }

    public RunEntity resume(long id) {
        RunEntity run = runById(id);
        if (RunEntity.COMPLETED.equals(run.state) && run.transitionId != null && transitionFailed(run.transitionId)) {
            // a transition whose documents still violate its schema after its sweep: sweep again once they are fixed
            run.position = null;
        } else if (!RunEntity.CANCELLED.equals(run.state) && !RunEntity.FAILED.equals(run.state)) {
            throw new Conflict("Run " + id + " is " + run.state + "; only cancelled or failed runs can be resumed.");
        }
        MigrationEntity m = get(run.migration);
        if (!m.checksum.equals(run.checksum)) {
            throw new Conflict("Migration '" + run.migration + "' changed since run " + id + " started; start a new run instead.");
        }
        Optional<RunEntity> active = RunEntity.active(run.migration);
        if (active.isPresent()) {
            throw new Conflict("Migration '" + run.migration + "' already has run " + active.get().id + " " + active.get().state + ".");
        }
        run.state = RunEntity.PENDING;
        run.errorId = null;
        run.errorMessage = null;
        run.finishedAt = null;
        run.persistAndFlush();
        if (run.transitionId != null) {
            reopenTransition(run.transitionId);
        }
        announce(run.id);
        return run;
    }

    /** A failed transition migrates again once one of its runs is resumed; it is verified when they complete. */
    private void reopenTransition(long transitionId) {
        Jdbc.call(dataSource, c -> {
            try (java.sql.PreparedStatement p = c.prepareStatement("update docshift.transition set state = 'migrating', error = null where id = ? and state = 'failed'")) {
                p.setLong(1, transitionId);
                p.executeUpdate();
            }
            notifications.publish(c, "schema", "transition");
            return null;
        });
    }

    private boolean transitionFailed(long transitionId) {
        return Jdbc.call(dataSource, c -> {
            try (java.sql.PreparedStatement p = c.prepareStatement("select state = 'failed' from docshift.transition where id = ?")) {
                p.setLong(1, transitionId);
                try (java.sql.ResultSet r = p.executeQuery()) {
                    return r.next() && r.getBoolean(1);
                }
            }
        });
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<RunEntity> log() {
        return RunEntity.finished();
    }

    private void announce(long runId) {
        Jdbc.call(dataSource, c -> {
            notifications.publish(c, "run", Long.toString(runId));
            return null;
        });
    }
}
