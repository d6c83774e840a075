package io.docshift.transition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.coordination.AdvisoryLocks;
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
import io.docshift.migration.store.RunEntity;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.IndexActivation;
import io.docshift.schema.Schema;
import io.docshift.schema.SchemaChange;
import io.docshift.schema.TableReport;
import io.docshift.schema.index.IndexBuilder;
import io.docshift.schema.store.SchemaVersionEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
public class TransitionService {

    private static final Logger LOG = Logger.getLogger(TransitionService.class);
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** While a transition is in one of these, it is open: writes and reads follow its rules. */
    static final Set<String> OPEN_STATES = Set.of("migrating", "verifying", "failed");

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
    AdvisoryLocks locks;
    @Inject
    Rollbacks rollbacks;
    @Inject
    MigrationsConfig migrations;
    @Inject
    DocumentsConfig documents;
    @Inject
    DataSource dataSource;

    /** One migration of a transition and its sweep. */
    public record MigrationView(String name, Long runId, String state, long processed, long total, Long rollbackRunId) {
    }

    /** What {@code GET /api/schema/transition} shows. */
    public record View(long id, Integer fromVersion, int toVersion, String state, List<MigrationView> migrations,
                       java.time.OffsetDateTime startedAt, java.time.OffsetDateTime finishedAt, com.fasterxml.jackson.databind.JsonNode error) {

        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isOpen() {
            return OPEN_STATES.contains(state);
        }
    }

    /**
     * Refuses (400) a schema whose migrations cannot take the data to it: unknown names, a table with two
     * migrations, or a migration of a table the schema does not declare; returns their definitions by table.
     */
    public List<MigrationDefinition> requireMigrations(Schema next) {
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
     * Opens a transition from {@code current} to {@code next}; the caller holds the push lock. Returns the
     * target version.
     */
    public int start(ActiveSchema.Snapshot current, Schema next, List<SchemaChange> changes, List<MigrationDefinition> defs) {
        for (MigrationDefinition d : defs) {
            RunEntity.active(d.name()).ifPresent(r -> {
                throw new Conflict("Migration '" + d.name() + "' already has run " + r.id + " " + r.state + "; cancel it or let it finish first.");
            });
        }
        int version = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            SchemaVersionEntity v = new SchemaVersionEntity();
            v.version = SchemaVersionEntity.nextVersion();
            v.hash = next.hash();
            v.source = next.source().toString();
            v.changes = json(changes);
            v.persistAndFlush();
            long id;
            try (PreparedStatement p = c.prepareStatement("insert into docshift.transition (from_version, to_version, state) values (?, ?, 'migrating') returning id")) {
                p.setObject(1, current.version() == 0 ? null : current.version());
                p.setInt(2, v.version);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    id = r.getLong(1);
                }
            }
            for (MigrationDefinition d : defs) {
                RunEntity run = new RunEntity();
                run.migration = d.name();
                run.checksum = d.checksum();
                run.args = "{}";
                run.state = RunEntity.PENDING;
                run.batchSize = migrations.initialBatchSize();
                run.backup = d.backup();
                run.transitionId = id;
                run.targetVersion = v.version;
                run.total = tables.find(d.table()).map(t -> tables.documents(t, documents.exactCountBelow())).orElse(0L);
                run.persistAndFlush();
            }
            indexes.add(next);
            notifications.publish(c, "schema", Integer.toString(v.version));
            notifications.publish(c, "run", "transition");
            LOG.infof("Schema transition %d started: version %s to %d through %s", id, current.version(), v.version, next.migrations());
            return v.version;
        }));
        active.refresh();
        builder.kick();
        return version;
    }

    /** The latest transition, in whatever state. */
    public Optional<View> latest() {
        return QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select id, from_version, to_version, state, started_at, finished_at, error::text"
                    + " from docshift.transition order by id desc limit 1"); ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                long id = r.getLong(1);
                List<MigrationView> ms = new ArrayList<>();
                List<RunEntity> runs = RunEntity.ofTransition(id);
                for (RunEntity run : runs) {
                    if (run.rollbackOf == null) {
                        Long rollback = runs.stream().filter(o -> run.id.equals(o.rollbackOf)).map(o -> o.id).reduce((a, b) -> b).orElse(null);
                        ms.add(new MigrationView(run.migration, run.id, run.state, run.processed, run.total, rollback));
                    }
                }
                String error = r.getString(7);
                return Optional.of(new View(id, (Integer) r.getObject(2), r.getInt(3), r.getString(4), ms,
                        r.getObject(5, java.time.OffsetDateTime.class), r.getObject(6, java.time.OffsetDateTime.class),
                        error == null ? null : MAPPER.readTree(error)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }));
    }

    /** The open transition's view, if its target has {@code hash} (a repeated push of the same schema). */
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
     * through the inverse steps, and if any of them would not fit the active schema the rollback is refused
     * (409) with their count. The active version never changed, so it stays active; the transition ends
     * {@code rolledBack} when its rollback runs complete.
     */
    public View rollBackLocked() {
        View open = latest().filter(View::isOpen)
                .orElseThrow(() -> new Conflict("No schema transition is open; an active version is changed by pushing another schema."));
        List<RunEntity> runs = QuarkusTransaction.requiringNew().call(() -> RunEntity.ofTransition(open.id()));
        for (RunEntity run : runs) {
            if (!run.backup) {
                throw new Conflict("Migration '" + run.migration + "' of transition " + open.id() + " kept no backups, so the documents it"
                        + " changed cannot be restored. Register transition migrations with \"backup\": true to be able to roll them back.");
            }
        }
        ActiveSchema.Snapshot current = active.refresh();
        QuarkusTransaction.requiringNew().run(() -> Jdbc.call(dataSource, c -> {
            locks.closeWriteGate(c);
            for (RunEntity run : runs) {
                MigrationDefinition def = rollbacks.definition(run);
                TableReport blocked = rollbacks.blocking(c, run, def, current.enforcedValidator(def.table()), run.targetVersion);
                Rollbacks.refuseIfBlocked(blocked, run);
            }
            try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set state = 'cancelled', finished_at = now()"
                    + " where transition_id = ? and state in ('pending', 'running')")) {
                p.setLong(1, open.id());
                p.executeUpdate();
            }
            for (RunEntity run : runs) {
                rollbacks.createRun(c, run, open.fromVersion() == null ? 0 : open.fromVersion());
            }
            try (PreparedStatement p = c.prepareStatement("update docshift.transition set state = 'rollingBack', error = null where id = ?")) {
                p.setLong(1, open.id());
                p.executeUpdate();
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
