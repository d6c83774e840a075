package io.docshift.transition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.coordination.PgNotifications;
import io.docshift.db.Jdbc;
import io.docshift.document.DocumentsConfig;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Conflict;
import io.docshift.error.InvalidRequest;
import io.docshift.error.NotFound;
import io.docshift.error.Violation;
import io.docshift.migration.MigrationDefinition;
import io.docshift.migration.MigrationRegistry;
import io.docshift.migration.MigrationsConfig;
import io.docshift.migration.Rollbacks;
import io.docshift.migration.store.MigrationEntity;
import io.docshift.migration.store.Run;
import io.docshift.migration.store.RunRepository;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.IndexActivation;
import io.docshift.schema.Schema;
import io.docshift.schema.SchemaChange;
import io.docshift.schema.TableReport;
import io.docshift.schema.TransitionPort;
import io.docshift.schema.TransitionState;
import io.docshift.schema.WriteGate;
import io.docshift.schema.index.IndexBuilder;
import io.docshift.schema.store.SchemaVersionEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Starts schema transitions, shows them, and rolls them back. A transition is started by a schema push that
 * existing documents violate when the schema names the migrations that fix them: instead of refusing (422),
 * Docshift stores the target version without activating it, builds its new indexes, and starts one sweep run
 * per migration. {@link TransitionAdvancer} takes it from there.
 */
@ApplicationScoped
public class TransitionService implements TransitionPort {

    private static final Logger LOG = Logger.getLogger(TransitionService.class);
    static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    MigrationRegistry registry;
    @Inject
    TableRegistry tables;
    @Inject
    ActiveSchema active;
    @Inject
    IndexActivation indexes;
    @Inject
    IndexBuilder builder;
    @Inject
    PgNotifications notifications;
    @Inject
    WriteGate gate;
    @Inject
    Rollbacks rollbacks;
    @Inject
    MigrationsConfig migrations;
    @Inject
    DocumentsConfig documents;
    @Inject
    TransitionRepository repository;
    @Inject
    RunRepository runs;
    @Inject
    DataSource dataSource;

    /** One migration of a transition and its sweep. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "TransitionMigration", description = "One migration of a transition and its sweep run")
    public record MigrationView(String name, Long runId, String state, long processed, long total, Long rollbackRunId) {
    }

    /** What {@code GET /api/schema/transition} shows. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "Transition", description = "A schema transition: its state and the progress of its migrations")
    public record View(long id, Integer fromVersion, int toVersion, String state, List<MigrationView> migrations,
                       OffsetDateTime startedAt, OffsetDateTime finishedAt, JsonNode error) implements TransitionPort.View {

        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isOpen() {
            return TransitionState.of(state).open();
        }
    }

    @Override
    public Set<String> migratedTables(Schema next) {
        Set<String> migrated = new HashSet<>();
        requireMigrations(next).forEach(d -> migrated.add(d.table()));
        return migrated;
    }

    /**
     * Refuses (400) a schema whose migrations cannot take the data to it: unknown names, a table with two
     * migrations, or a migration of a table the schema does not declare; returns their definitions.
     */
    List<MigrationDefinition> requireMigrations(Schema next) {
        List<MigrationDefinition> defs = new ArrayList<>();
        List<Violation> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < next.migrations().size(); i++) {
            String name = next.migrations().get(i);
            String at = "/migrations/" + i;
            MigrationEntity e = QuarkusTransaction.requiringNew().call(() -> MigrationEntity.<MigrationEntity>findById(name));
            if (e == null) {
                problems.add(new Violation(at, "no migration named '" + name + "' is registered (PUT /api/migrations/" + name + " first)"));
                continue;
            }
            Optional<MigrationDefinition> def = registry.definition(e);
            if (def.isEmpty()) {
                problems.add(new Violation(at, "'" + name + "' is a Java migration this build does not carry"));
                continue;
            }
            String table = def.get().table();
            if (next.table(table) == null) {
                problems.add(new Violation(at, "'" + name + "' migrates table '" + table + "', which this schema does not declare"));
            } else if (!seen.add(table)) {
                problems.add(new Violation(at, "table '" + table + "' already has a migration in this transition; put all its steps in one migration"));
            } else {
                defs.add(def.get());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequest("The schema's migrations cannot run: " + problems.get(0).path() + ": " + problems.get(0).message(), problems);
        }
        return defs;
    }

    /**
     * Opens a transition from {@code current} to {@code next}: stores the target version (not active), its sweeps
     * and its new indexes in one transaction. A migration that already has an active run refuses it (409 naming
     * the run). The caller holds the push lock.
     */
    @Override
    public View start(ActiveSchema.Snapshot current, Schema next, List<SchemaChange> changes) {
        List<MigrationDefinition> defs = requireMigrations(next);
        int version = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            SchemaVersionEntity v = new SchemaVersionEntity();
            v.version = SchemaVersionEntity.nextVersion();
            v.hash = next.hash();
            v.source = next.source().toString();
            v.changes = json(changes);
            v.persistAndFlush();
            long id = repository.open(c, current.version() == 0 ? null : current.version(), v.version);
            for (MigrationDefinition d : defs) {
                long total = tables.find(d.table()).map(t -> tables.documents(t, documents.exactCountBelow())).orElse(0L);
                runs.insert(c, new RunRepository.NewRun(d.name(), d.checksum(), "{}", null, migrations.initialBatchSize(), d.backup(),
                        total, id, v.version, null));
            }
            indexes.add(next);
            notifications.publish(c, "schema", Integer.toString(v.version));
            notifications.publish(c, "run", "transition");
            LOG.infof("Schema transition %d started: version %s to %d through %s", id, current.version(), v.version, next.migrations());
            return v.version;
        }));
        active.refresh();
        builder.kick();
        return latest().filter(t -> t.toVersion() == version).orElseThrow();
    }

    /** The latest transition, in whatever state, with the progress of its migrations. */
    public Optional<View> latest() {
        return repository.latest().map(this::view);
    }

    private View view(TransitionRepository.Transition t) {
        List<Run> of = runs.ofTransition(t.id());
        List<MigrationView> ms = new ArrayList<>();
        for (Run run : of) {
            if (run.rollbackOf() == null) {
                Long rollback = of.stream().filter(o -> Long.valueOf(run.id()).equals(o.rollbackOf())).map(Run::id).reduce((a, b) -> b).orElse(null);
                ms.add(new MigrationView(run.migration(), run.id(), run.state().sql(), run.processed(), run.total(), rollback));
            }
        }
        try {
            return new View(t.id(), t.fromVersion(), t.toVersion(), t.state().sql(), ms, t.startedAt(), t.finishedAt(),
                    t.error() == null ? null : MAPPER.readTree(t.error()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<View> openWithHash(String hash) {
        Optional<View> open = latest().filter(View::isOpen);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        String target = QuarkusTransaction.requiringNew().call(() -> SchemaVersionEntity.findVersion(open.get().toVersion()).map(e -> e.hash).orElse(""));
        if (!target.equals(hash)) {
            throw new Conflict("Schema transition " + open.get().id() + " to version " + open.get().toVersion() + " is " + open.get().state()
                    + "; wait until it is active, or roll it back (POST /api/schema/transition/rollback), before pushing another schema.");
        }
        return open;
    }

    static String json(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Rolls the open transition back; the caller holds the push lock. Every one of its migrations must have kept
     * backups. Documents the sweep changed get their saved bodies back; documents written in the new shape go
     * through the inverse steps, and if any of them (or any saved body) would not fit the active schema the
     * rollback is refused (409) with their count. It happens with the write gate closed, and begins by moving the
     * transition from an open state to rollingBack: if verification activated the target first, the rollback is
     * refused and changes nothing; if the rollback comes first, the activation finds the state moved and does not
     * happen. The active version never changed, so it stays active; the transition ends {@code rolledBack} when
     * its rollback runs complete.
     */
    @Override
    public View rollBack() {
        View open = latest().filter(View::isOpen)
                .orElseThrow(() -> new Conflict("No schema transition is open; an active version is changed by pushing another schema."));
        List<Run> of = runs.ofTransition(open.id());
        for (Run run : of) {
            if (!run.backup()) {
                throw new Conflict("Migration '" + run.migration() + "' of transition " + open.id() + " kept no backups, so the documents it"
                        + " changed cannot be restored. Register transition migrations with \"backup\": true to be able to roll them back.");
            }
        }
        ActiveSchema.Snapshot current = active.refresh();
        QuarkusTransaction.requiringNew().run(() -> Jdbc.call(dataSource, c -> {
            gate.close(c);
            if (!repository.move(c, open.id(), TransitionState.OPEN, TransitionState.ROLLING_BACK, null)) {
                throw repository.moved(open.id(), "rolled back");
            }
            for (Run run : of) {
                MigrationDefinition def = rollbacks.definition(run);
                List<TableReport> blocked = rollbacks.blocking(c, run, def, current.enforcedValidator(def.table()), run.targetVersion());
                Rollbacks.refuseIfBlocked(blocked, run);
            }
            runs.cancelAll(c, open.id());
            for (Run run : of) {
                rollbacks.createRun(c, run, open.fromVersion() == null ? 0 : open.fromVersion());
            }
            notifications.publish(c, "schema", "rollback");
            notifications.publish(c, "run", "rollback");
            return null;
        }));
        LOG.infof("Schema transition %d is rolling back to version %s", open.id(), open.fromVersion());
        active.refresh();
        return latest().orElseThrow(() -> new NotFound("No schema transition"));
    }
}
