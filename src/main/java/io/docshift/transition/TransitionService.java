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
import io.docshift.schema.SchemaActivation;
import io.docshift.schema.SchemaChange;
import io.docshift.schema.TransitionPort;
import io.docshift.schema.TransitionState;
import io.docshift.schema.WriteGate;
import io.docshift.schema.index.IndexBuilder;
import io.docshift.schema.store.SchemaVersionEntity;
import io.docshift.schema.validate.Validator;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

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
    SchemaActivation activation;
    @Inject
    RunRepository runs;
    @Inject
    DataSource dataSource;
    @Inject
    Forecasts forecasts;

    /** One migration of a transition and its sweep. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "TransitionMigration", description = "One migration of a transition and its sweep run")
    public record MigrationView(String name, List<String> series, Long runId, String state, long processed, long changed, long stamped, long total,
                                Long rollbackRunId) {
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
    public List<Sweep> sweeps(Schema next) {
        return requireMigrations(next).stream()
                .map(d -> new Sweep(d.table(), d.source().isArray() ? seriesNames(next, d.table()) : List.of(d.name()), d.evaluation().json()))
                .toList();
    }

    /**
     * Refuses (400) a schema whose migrations cannot take the data to it: unknown names, a migration of a table the
     * schema does not declare, or a series (several migrations of one table, applied in the order listed) that is
     * not all declarative; returns one definition per table, a series composed into one.
     */
    public List<MigrationDefinition> requireMigrations(Schema next) {
        return pendingSeries(next).stream().map(MigrationRegistry::series).toList();
    }

    /** {@link #requireMigrations}, each table's series as its members, in the order listed. */
    private List<List<MigrationDefinition>> pendingSeries(Schema next) {
        Map<String, List<MigrationDefinition>> byTable = new LinkedHashMap<>();
        Map<String, Integer> firstAt = new HashMap<>();
        List<Violation> problems = new ArrayList<>();
        Set<String> applied = Set.copyOf(alreadyApplied(next));
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
                continue;
            }
            List<MigrationDefinition> series = byTable.computeIfAbsent(table, t -> new ArrayList<>());
            firstAt.putIfAbsent(table, i);
            series.add(def.get());
            if (series.size() > 1 && series.stream().anyMatch(MigrationDefinition::isJava)) {
                problems.add(new Violation(at, "table '" + table + "' already has migration /migrations/" + firstAt.get(table)
                        + "; a series of migrations on one table must be declarative (a Java migration runs alone)"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequest("The schema's migrations cannot run: " + problems.get(0).path() + ": " + problems.get(0).message(), problems);
        }
        // every listed migration is checked, but one already applied is not run again
        return byTable.values().stream().map(series -> series.stream().filter(d -> !applied.contains(d.name())).toList())
                .filter(series -> !series.isEmpty()).toList();
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
                List<String> series = d.source().isArray() ? seriesNames(next, d.table()) : null;
                runs.insert(c, new RunRepository.NewRun(d.name(), d.checksum(), "{}", null, migrations.initialBatchSize(), d.backup(),
                        total, id, v.version, null, series));
            }
            indexes.add(next);
            notifications.publish(c, "schema", Integer.toString(v.version));
            notifications.publish(c, "run", "transition");
            List<String> applied = alreadyApplied(next);
            LOG.infof("Schema transition %d started: version %s to %d through %s%s", id, current.version(), v.version,
                    defs.stream().map(MigrationDefinition::name).toList(), applied.isEmpty() ? ""
                            : "; already applied with the same definition, not run again: " + applied);
            return v.version;
        }));
        active.refresh();
        builder.kick();
        return latest().filter(t -> t.toVersion() == version).orElseThrow();
    }

    /**
     * A listed migration whose last complete run (not rolled back since) had the definition it has now: its
     * changes are in the data, so a push that lists it again (a stale entry, a natural slip) does not sweep for it.
     */
    @Override
    public List<String> alreadyApplied(Schema next) {
        List<String> applied = new ArrayList<>();
        for (String name : next.migrations()) {
            MigrationEntity e = QuarkusTransaction.requiringNew().call(() -> MigrationEntity.<MigrationEntity>findById(name));
            // the run's definitions (its series' members) unchanged since it ran: its checksum is still theirs
            if (e != null && runs.lastCompleteIncluding(name)
                    .filter(r -> registry.definition(r).map(d -> d.checksum().equals(r.checksum())).orElse(false)).isPresent()) {
                applied.add(name);
            }
        }
        return applied;
    }

    @Override
    public List<io.docshift.schema.TableReport> predict(Schema next, List<io.docshift.schema.TableReport> reports) {
        return forecasts.predict(next, pendingSeries(next), reports);
    }

    /** The names of the series that migrates {@code table} in {@code next}, in the order the schema lists them. */
    private List<String> seriesNames(Schema next, String table) {
        List<String> names = new ArrayList<>();
        Set<String> applied = Set.copyOf(alreadyApplied(next));
        for (String name : next.migrations()) {
            if (applied.contains(name)) {
                continue;
            }
            MigrationEntity e = QuarkusTransaction.requiringNew().call(() -> MigrationEntity.<MigrationEntity>findById(name));
            registry.definition(e).filter(d -> d.table().equals(table)).ifPresent(d -> names.add(name));
        }
        return names;
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
                ms.add(new MigrationView(run.migration(), run.migrations(), run.id(), run.state().sql(), run.processed(), run.changed(), run.stamped(),
                        run.total(), rollback));
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
    public Optional<View> openFor(Schema next) {
        Optional<View> open = latest().filter(View::isOpen);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        View t = open.get();
        if (TransitionState.of(t.state()) == TransitionState.FAILED) {
            throw failed(t);
        }
        String target = QuarkusTransaction.requiringNew().call(() -> SchemaVersionEntity.findVersion(t.toVersion()).map(e -> e.hash).orElse(""));
        if (!target.equals(next.hash())) {
            throw new Conflict("Schema transition " + t.id() + " to version " + t.toVersion() + " is " + t.state()
                    + "; wait until it is active, or roll it back (POST /api/schema/transition/rollback), before pushing another schema.",
                    Map.of("transitionId", t.id(), "state", t.state()));
        }
        Set<String> running = new java.util.TreeSet<>();
        t.migrations().forEach(m -> running.addAll(m.series() == null ? List.of(m.name()) : m.series()));
        Set<String> listed = new java.util.TreeSet<>(next.migrations());
        listed.removeAll(running);
        listed.removeAll(alreadyApplied(next));
        if (!next.migrations().containsAll(running) || !listed.isEmpty()) {
            throw new Conflict("Schema transition " + t.id() + " to this schema is " + t.state() + " through " + running + "; a push through "
                    + next.migrations() + " cannot change a transition that is running. Wait until it is active or failed, or roll it back.",
                    Map.of("transitionId", t.id(), "state", t.state()));
        }
        return open;
    }

    /**
     * 409 for any push while the latest transition is failed, naming its error and both ways out: fix the documents
     * and resume (which sweeps and verifies again), or roll it back and push the corrected schema.
     */
    private static Conflict failed(View t) {
        long resume = t.error() != null && t.error().path("runId").isNumber() ? t.error().path("runId").asLong()
                : t.migrations().stream().map(MigrationView::runId).filter(java.util.Objects::nonNull).findFirst().orElse(0L);
        String why = t.error() == null ? "" : ": " + t.error().path("message").asText("");
        return new Conflict("Schema transition " + t.id() + " to version " + t.toVersion() + " failed" + why + " Push nothing else until it ends:"
                + " fix the documents and resume run " + resume + " (docshift resume " + resume + ", or POST /api/migrations/runs/" + resume
                + "/resume) to sweep and verify again; or roll it back (docshift transition --rollback, or POST /api/schema/transition/rollback)"
                + " and push the corrected schema.",
                Map.of("transitionId", t.id(), "state", t.state(), "resumeRun", resume,
                        "rollback", "/api/schema/transition/rollback"));
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
        View latest = latest().orElseThrow(() -> new Conflict("No schema transition has ever run."));
        if (TransitionState.of(latest.state()) == TransitionState.ACTIVE) {
            return rollBackActive(latest);
        }
        if (!latest.isOpen()) {
            throw new Conflict("Schema transition " + latest.id() + " is " + latest.state() + "; there is nothing to roll back.");
        }
        List<Run> of = runs.ofTransition(latest.id());
        requireBackups(latest, of);
        ActiveSchema.Snapshot current = active.refresh();
        List<String> migrated = of.stream().map(r -> rollbacks.definition(r).table()).distinct().toList();
        QuarkusTransaction.requiringNew().run(() -> Jdbc.call(dataSource, c -> {
            gate.close(c, migrated);
            if (!repository.move(c, latest.id(), TransitionState.OPEN, TransitionState.ROLLING_BACK, null)) {
                throw repository.moved(latest.id(), "rolled back");
            }
            for (Run run : of) {
                MigrationDefinition def = rollbacks.definition(run);
                Rollbacks.refuseIfBlocked(rollbacks.blocking(c, run, def, current.enforcedValidator(def.table()), run.targetVersion()), run);
            }
            runs.cancelAll(c, latest.id());
            for (Run run : of) {
                rollbacks.createRun(c, run, latest.fromVersion() == null ? 0 : latest.fromVersion());
            }
            notifications.publish(c, "schema", "rollback");
            notifications.publish(c, "run", "rollback");
            return null;
        }));
        LOG.infof("Schema transition %d is rolling back to version %s", latest.id(), latest.fromVersion());
        active.refresh();
        return latest().orElseThrow(() -> new NotFound("No schema transition"));
    }

    /**
     * Rolls back a transition that already activated its target, while its backups are kept and no schema was
     * pushed since: with the write gate closed, the previous version becomes active again and rollback runs give
     * the documents their saved bodies (those written since in the new shape go through the inverse steps). What
     * would not fit the previous version refuses it (409, counts and examples), changing nothing. Until the
     * rollback runs complete, documents they have not reached yet are served as stored, in the new shape.
     */
    private View rollBackActive(View t) {
        ActiveSchema.Snapshot current = active.refresh();
        if (current.version() != t.toVersion()) {
            throw new Conflict("Version " + current.version() + " was pushed after transition " + t.id() + " activated version " + t.toVersion()
                    + "; only the latest transition can be rolled back.");
        }
        List<Run> of = runs.ofTransition(t.id()).stream().filter(r -> r.rollbackOf() == null).toList();
        requireBackups(t, of);
        Schema previous = t.fromVersion() == null ? null
                : active.parse(QuarkusTransaction.requiringNew().call(() -> SchemaVersionEntity.findVersion(t.fromVersion()).orElseThrow().source));
        Set<String> changed = SchemaActivation.changedTables(current.schema(), previous);
        QuarkusTransaction.requiringNew().run(() -> Jdbc.call(dataSource, c -> {
            gate.close(c, changed);
            if (!repository.move(c, t.id(), EnumSet.of(TransitionState.ACTIVE), TransitionState.ROLLING_BACK, null)) {
                throw repository.moved(t.id(), "rolled back");
            }
            for (Run run : of) {
                MigrationDefinition def = rollbacks.definition(run);
                Rollbacks.refuseIfBlocked(rollbacks.blocking(c, run, def, enforced(previous, def.table()), run.targetVersion()), run);
            }
            for (Run run : of) {
                rollbacks.createRun(c, run, t.fromVersion() == null ? 0 : t.fromVersion());
            }
            activation.revert(c, t.fromVersion() == null ? 0 : t.fromVersion(), previous);
            notifications.publish(c, "run", "rollback");
            return null;
        }));
        activation.reverted();
        LOG.infof("Schema transition %d, active since %s, is rolling back: version %s is active again", t.id(), t.finishedAt(), t.fromVersion());
        return latest().orElseThrow(() -> new NotFound("No schema transition"));
    }

    private static Validator enforced(Schema schema, String table) {
        if (schema == null || !schema.validation() || schema.table(table) == null) {
            return null;
        }
        return schema.table(table).document();
    }

    /** 409 unless every migration of the transition kept backups, still there. */
    private static void requireBackups(View t, List<Run> of) {
        for (Run run : of) {
            if (run.rollbackOf() != null) {
                continue;
            }
            if (!run.backup()) {
                throw new Conflict("Migration '" + run.migration() + "' of transition " + t.id() + " kept no backups, so the documents it"
                        + " changed cannot be restored. Register transition migrations with \"backup\": true to be able to roll them back.");
            }
            if (run.backupsDroppedAt() != null) {
                throw new Conflict("The backups of run " + run.id() + " (" + run.migration() + ") were dropped at " + run.backupsDroppedAt()
                        + " (docshift.migrations.backup-retention, or by hand): transition " + t.id() + " can no longer be rolled back.");
            }
        }
    }
}
