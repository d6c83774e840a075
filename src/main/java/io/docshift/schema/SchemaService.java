package io.docshift.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.coordination.AdvisoryLocks;
import io.docshift.coordination.AdvisoryLocks.Purpose;
import io.docshift.coordination.CoordinationConfig;
import io.docshift.coordination.PgNotifications;
import io.docshift.db.Jdbc;
import io.docshift.document.store.DocumentStore;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Conflict;
import io.docshift.error.Unprocessable;
import io.docshift.error.Violation;
import io.docshift.schema.index.IndexBuilder;
import io.docshift.schema.store.IndexEntity;
import io.docshift.schema.store.SchemaVersionEntity;
import io.docshift.migration.MigrationDefinition;
import io.docshift.transition.TransitionService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plans and applies schema pushes. A push is serialized across pods by a session advisory lock; its
 * existing-data check runs without blocking writes, and the activation then closes the write gate just long
 * enough to re-check the documents written meanwhile, so no write validated against the old schema can
 * slip past the new one.
 */
@ApplicationScoped
public class SchemaService {

    private static final Logger LOG = Logger.getLogger(SchemaService.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final int EXAMPLES = 10;

    @Inject
    ActiveSchema active;
    @Inject
    SchemaChecker checker;
    @Inject
    TableRegistry tables;
    @Inject
    AdvisoryLocks locks;
    @Inject
    CoordinationConfig coordination;
    @Inject
    PgNotifications notifications;
    @Inject
    IndexActivation indexes;
    @Inject
    IndexBuilder builder;
    @Inject
    DataSource dataSource;
    @Inject
    TransitionService transitions;
    @Inject
    io.docshift.coordination.SessionPinning pinning;

    /**
     * The outcome of a push: the version now active (or, with a transition, the version it leads to), whether
     * it is new, what changed, and the transition it started or joined, if any.
     */
    public record PushResult(int version, boolean created, List<SchemaChange> changes, TransitionService.View transition) {
    }

    /** What a push of {@code doc} would do; writes nothing. */
    public Plan plan(JsonNode doc) {
        Schema next = active.parse(doc.toString());
        ActiveSchema.Snapshot current = active.refresh();
        List<SchemaChange> changes = SchemaDiff.between(current.schema(), next);
        List<TableReport> reports = new ArrayList<>();
        for (TableSchema t : tablesToCheck(current.schema(), next)) {
            tables.find(t.name()).ifPresent(table -> {
                TableReport report = checker.check(table, t.document(), EXAMPLES);
                if (report.violating() > 0) {
                    reports.add(report);
                }
            });
        }
        return new Plan(current.version() == 0 ? null : current.version(), next.hash(), changes, reports, reports.isEmpty());
    }

    /** Applies {@code doc}; the same content as the active version is a no-op returning that version. */
    public PushResult push(JsonNode doc) {
        return push(active.parse(doc.toString()), false).orElseThrow();
    }

    /**
     * Applies a bundled schema at startup: like {@link #push}, but a schema whose content some earlier version
     * already had is older than the active one and is left alone (empty result).
     */
    public Optional<PushResult> pushBundled(JsonNode doc) {
        return push(active.parse(doc.toString()), true);
    }

    private Optional<PushResult> push(Schema next, boolean skipIfSeen) {
        try (Connection lock = dataSource.getConnection()) {
            acquirePushLock(lock);
            try {
                return Optional.ofNullable(pushLocked(next, skipIfSeen));
            } finally {
                locks.releaseSession(lock, Purpose.SCHEMA_PUSH, 0);
            }
        } catch (SQLException e) {
            throw new io.docshift.db.DatabaseFailure(e);
        }
    }

    /** {@code POST /api/schema/transition/rollback}, serialized with pushes. */
    public TransitionService.View rollBackTransition() {
        try (Connection lock = dataSource.getConnection()) {
            acquirePushLock(lock);
            try {
                return transitions.rollBackLocked();
            } finally {
                locks.releaseSession(lock, Purpose.SCHEMA_PUSH, 0);
            }
        } catch (SQLException e) {
            throw new io.docshift.db.DatabaseFailure(e);
        }
    }

    private PushResult pushLocked(Schema next, boolean skipIfSeen) {
        ActiveSchema.Snapshot current = active.refresh();
        Optional<TransitionService.View> open = transitions.openWithHash(next.hash());
        if (open.isPresent()) {
            return new PushResult(open.get().toVersion(), false, List.of(), open.get());
        }
        if (next.hash().equals(current.hash())) {
            return new PushResult(current.version(), false, List.of(), null);
        }
        if (skipIfSeen && QuarkusTransaction.requiringNew().call(() -> SchemaVersionEntity.hashSeen(next.hash()))) {
            LOG.infof("The bundled schema (%s) is an older version than the active one (%d); serving version %d",
                    next.hash().substring(0, 12), current.version(), current.version());
            return null;
        }
        List<SchemaChange> changes = SchemaDiff.between(current.schema(), next);
        List<MigrationDefinition> migrations = next.migrations().isEmpty() ? List.of() : transitions.requireMigrations(next);
        next.tables().keySet().forEach(tables::getOrCreate);
        List<TableSchema> toCheck = tablesToCheck(current.schema(), next);

        // Every write from now on gets a revision above this mark: the activation re-checks those only.
        long mark = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            locks.closeWriteGate(c);
            return DocumentStore.revisionMark(c);
        }));
        List<TableReport> reports = new ArrayList<>();
        for (TableSchema t : toCheck) {
            TableReport report = checker.check(tables.getOrCreate(t.name()), t.document(), EXAMPLES);
            if (report.violating() > 0) {
                reports.add(report);
            }
        }
        if (!reports.isEmpty() && !migrations.isEmpty()) {
            return startTransition(current, next, changes, migrations, reports);
        }
        refuseIfViolated(reports);

        int version;
        try {
            version = activateChecked(next, changes, toCheck, mark);
        } catch (Unprocessable late) {
            if (migrations.isEmpty()) {
                throw late;
            }
            return startTransition(current, next, changes, migrations, late.tables().stream().map(TableReport.class::cast).toList());
        }
        active.refresh();
        builder.kick();
        LOG.infof("Schema version %d is active (%d changes)", version, changes.size());
        return new PushResult(version, true, changes, null);
    }

    /** Existing documents violate {@code next}, and its migrations can fix them: a transition instead of a 422. */
    private PushResult startTransition(ActiveSchema.Snapshot current, Schema next, List<SchemaChange> changes,
                                       List<MigrationDefinition> migrations, List<TableReport> reports) {
        java.util.Set<String> migrated = new java.util.HashSet<>();
        migrations.forEach(m -> migrated.add(m.table()));
        refuseIfViolated(reports.stream().filter(r -> !migrated.contains(r.table())).toList());
        int version = transitions.start(current, next, changes, migrations);
        return new PushResult(version, true, changes, transitions.latest().orElseThrow());
    }

    /** Re-checks, with the write gate closed, what was written since {@code mark}, and activates {@code next}. */
    private int activateChecked(Schema next, List<SchemaChange> changes, List<TableSchema> toCheck, long mark) {
        return QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            locks.closeWriteGate(c);
            List<TableReport> late = new ArrayList<>();
            for (TableSchema t : toCheck) {
                TableReport report = checker.check(c, tables.getOrCreate(t.name()), t.document(), mark, EXAMPLES);
                if (report.violating() > 0) {
                    late.add(report);
                }
            }
            refuseIfViolated(late);
            int v = activate(c, next, changes);
            indexes.reconcile(next);
            notifications.publish(c, "schema", Integer.toString(v));
            return v;
        }));
    }

    private int activate(Connection c, Schema next, List<SchemaChange> changes) throws SQLException {
        SchemaVersionEntity v = new SchemaVersionEntity();
        v.version = SchemaVersionEntity.nextVersion();
        v.hash = next.hash();
        v.source = next.source().toString();
        try {
            v.changes = MAPPER.writeValueAsString(changes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        v.activatedAt = OffsetDateTime.now();
        v.persistAndFlush();
        try (PreparedStatement p = c.prepareStatement("update docshift.schema_state set active_version = ?")) {
            p.setInt(1, v.version);
            p.executeUpdate();
        }
        return v.version;
    }

    private static void refuseIfViolated(List<TableReport> reports) {
        if (reports.isEmpty()) {
            return;
        }
        List<Violation> examples = new ArrayList<>();
        long total = 0;
        for (TableReport r : reports) {
            total += r.violating();
            r.examples().forEach(e -> examples.add(new Violation("/" + r.table() + "/" + e.id() + e.path(), e.message())));
        }
        throw new Unprocessable(total + " existing document(s) violate the new schema; nothing was changed. "
                + "Migrate them first, or make the change optional.", examples, reports);
    }

    /** Tables whose documents the new schema might reject: those whose validator is new or different, when enforced. */
    public static List<TableSchema> tablesToCheck(Schema before, Schema after) {
        if (!after.validation()) {
            return List.of();
        }
        boolean wasEnforced = before != null && before.validation();
        return after.tables().values().stream()
                .filter(t -> !wasEnforced || before.table(t.name()) == null || !before.table(t.name()).document().equals(t.document()))
                .toList();
    }

    private void acquirePushLock(Connection c) throws SQLException {
        if (!pinning.pinned()) {
            throw new Conflict("This pod reaches PostgreSQL through a transaction-pooling proxy, where session advisory locks cannot work;"
                    + " schema pushes are refused. Connect Docshift directly to PostgreSQL, or through session pooling.");
        }
        long deadline = System.nanoTime() + coordination.pushLockTimeout().toNanos();
        while (!locks.trySession(c, Purpose.SCHEMA_PUSH, 0)) {
            if (System.nanoTime() > deadline) {
                throw new Conflict("Another schema push is in progress; retry when it has finished.");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Conflict("Interrupted while waiting for another schema push.");
            }
        }
    }

    /** An index as reported by {@code GET /api/schema}. */
    public record IndexState(String table, String name, List<String> fields, String state, String error) {
    }

    /** The active version with its indexes, or empty when no schema was ever pushed. */
    public Optional<Status> status() {
        ActiveSchema.Snapshot current = active.refresh();
        if (current.version() == 0) {
            return Optional.empty();
        }
        List<IndexState> states = new ArrayList<>();
        current.schema().tables().keySet().forEach(t -> states.add(new IndexState(t, "by_creation_time", List.of("_creationTime"), "ready", null)));
        QuarkusTransaction.joiningExisting().call(IndexEntity::live)
                .forEach(e -> states.add(new IndexState(e.tableName, e.name, e.fields, e.state, e.error)));
        return Optional.of(new Status(current.version(), current.schema().source(), current.hash(), current.activatedAt(), states));
    }

    /** What {@code GET /api/schema} shows. */
    public record Status(int version, JsonNode schema, String hash, OffsetDateTime activatedAt, List<IndexState> indexes) {
    }

    /** Stored versions, oldest first. */
    public List<SchemaVersionEntity> versions() {
        return QuarkusTransaction.joiningExisting().call(SchemaVersionEntity::allVersions);
    }

    public Optional<SchemaVersionEntity> version(int n) {
        return QuarkusTransaction.joiningExisting().call(() -> SchemaVersionEntity.findVersion(n));
    }
}
