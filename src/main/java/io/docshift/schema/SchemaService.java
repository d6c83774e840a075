package io.docshift.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.coordination.AdvisoryLocks;
import io.docshift.coordination.AdvisoryLocks.Purpose;
import io.docshift.coordination.CoordinationConfig;
import io.docshift.coordination.SessionPinning;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Conflict;
import io.docshift.error.Unprocessable;
import io.docshift.schema.store.IndexEntity;
import io.docshift.schema.store.SchemaVersionEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Plans and applies schema pushes. A push is serialized across pods by a session advisory lock; its
 * existing-data check runs without blocking writes, and {@link SchemaActivation} then closes the write gate just
 * long enough to re-check the documents written meanwhile. A push that existing documents violate is refused
 * (422), unless the schema names migrations that fix them: then it opens a transition ({@link TransitionPort}).
 */
@ApplicationScoped
public class SchemaService {

    private static final Logger LOG = Logger.getLogger(SchemaService.class);
    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    @Inject
    ActiveSchema active;
    @Inject
    SchemaActivation activation;
    @Inject
    TableRegistry tables;
    @Inject
    AdvisoryLocks locks;
    @Inject
    CoordinationConfig coordination;
    @Inject
    TransitionPort transitions;
    @Inject
    SessionPinning pinning;

    /**
     * The outcome of a push: the version now active (or, with a transition, the version it leads to), whether
     * it is new, what changed, and the transition it started or joined, if any.
     */
    public record PushResult(int version, boolean created, List<SchemaChange> changes, TransitionPort.View transition) {
    }

    /** What a push of {@code doc} would do; writes nothing. */
    public Plan plan(JsonNode doc) {
        Schema next = active.parse(doc.toString());
        ActiveSchema.Snapshot current = active.refresh();
        List<SchemaChange> changes = SchemaDiff.between(current.schema(), next, tables::hasDocuments);
        List<TableReport> reports = activation.fullCheck(SchemaActivation.tablesToCheck(current.schema(), next));
        List<TransitionPort.Sweep> sweeps = next.migrations().isEmpty() ? List.of() : transitions.sweeps(next);
        if (!reports.isEmpty() && !next.migrations().isEmpty()) {
            reports = transitions.predict(next, reports);
        }
        return new Plan(current.version() == 0 ? null : current.version(), next.hash(), changes, reports, sweeps,
                next.migrations().isEmpty() ? List.of() : transitions.alreadyApplied(next), reports.isEmpty() || !next.migrations().isEmpty() && curable(reports));
    }

    /**
     * Whether the listed migrations would leave no document violating and fail on none. A table without a forecast
     * (its sweep counts related documents, which only PostgreSQL can) is not held against the push: its transition
     * verifies it.
     */
    private static boolean curable(List<TableReport> reports) {
        return reports.stream().allMatch(r -> r.afterMigrations() == null || r.afterMigrations().clean());
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
        return underPushLock(() -> Optional.ofNullable(pushLocked(next, skipIfSeen)));
    }

    /** {@code POST /api/schema/transition/rollback}, serialized with pushes. */
    public TransitionPort.View rollBackTransition() {
        return underPushLock(transitions::rollBack);
    }

    private <T> T underPushLock(Supplier<T> work) {
        if (!pinning.pinned()) {
            throw new Conflict("This pod reaches PostgreSQL through a transaction-pooling proxy, where session advisory locks cannot work;"
                    + " schema pushes are refused. Connect Docshift directly to PostgreSQL, or through session pooling.");
        }
        return locks.withSessionLock(Purpose.SCHEMA_PUSH, 0, coordination.pushLockTimeout(), "Another schema push", c -> work.get());
    }

    private PushResult pushLocked(Schema next, boolean skipIfSeen) {
        ActiveSchema.Snapshot current = active.refresh();
        Optional<? extends TransitionPort.View> open = transitions.openFor(next);
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
        List<SchemaChange> changes = SchemaDiff.between(current.schema(), next, tables::hasDocuments);
        Set<String> migrated = next.migrations().isEmpty() ? Set.of()
                : transitions.sweeps(next).stream().map(TransitionPort.Sweep::table).collect(java.util.stream.Collectors.toSet());
        next.tables().keySet().forEach(tables::getOrCreate);
        List<TableSchema> toCheck = SchemaActivation.tablesToCheck(current.schema(), next);

        // Every write from now on gets a revision above this mark: the activation re-checks those only.
        long mark = activation.mark(toCheck);
        List<TableReport> reports = activation.fullCheck(toCheck);
        if (!reports.isEmpty() && !next.migrations().isEmpty()) {
            List<TableReport> predicted = transitions.predict(next, reports);
            if (!curable(predicted)) {
                throw refusedForecast(predicted);
            }
            return startTransition(current, next, changes, migrated, reports);
        }
        SchemaActivation.refuseIfViolated(reports);
        int version;
        try {
            version = activation.activate(new NewVersion(next, changes, toCheck, mark)).orElseThrow();
        } catch (Unprocessable late) {
            if (migrated.isEmpty()) {
                throw late;
            }
            return startTransition(current, next, changes, migrated, late.tables().stream().map(TableReport.class::cast).toList());
        }
        LOG.infof("Schema version %d is active (%d changes)", version, changes.size());
        return new PushResult(version, true, changes, null);
    }

    /** A pushed schema stored as the next version when it activates. */
    private record NewVersion(Schema schema, List<SchemaChange> changes, List<TableSchema> toCheck, long mark) implements SchemaActivation.Target {

        @Override
        public int version(Connection c) {
            SchemaVersionEntity v = new SchemaVersionEntity();
            v.version = SchemaVersionEntity.nextVersion();
            v.hash = schema.hash();
            v.source = schema.source().toString();
            try {
                v.changes = MAPPER.writeValueAsString(changes);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            v.persistAndFlush();
            return v.version;
        }
    }

    /**
     * 422 with the forecast: the listed migrations would leave documents violating the schema, or fail on some.
     * Nothing is opened: a transition that could only fail verification would block every later push.
     */
    private static Unprocessable refusedForecast(List<TableReport> predicted) {
        long left = predicted.stream().mapToLong(r -> r.afterMigrations() == null ? 0 : r.afterMigrations().violating()).sum();
        long failing = predicted.stream().mapToLong(r -> r.afterMigrations() == null ? 0 : r.afterMigrations().failing()).sum();
        List<io.docshift.error.Violation> examples = new ArrayList<>();
        for (TableReport r : predicted) {
            if (r.afterMigrations() == null) {
                continue;
            }
            r.afterMigrations().failures().forEach(f -> examples.add(new io.docshift.error.Violation("/" + r.table() + "/" + f.id(),
                    "migration " + f.migration() + " would fail: " + f.message())));
            r.afterMigrations().examples().forEach(e -> examples.add(new io.docshift.error.Violation("/" + r.table() + "/" + e.id() + e.path(), e.message())));
        }
        return new Unprocessable("The listed migrations would not bring the existing documents to this schema: " + left
                + " document(s) would still violate it" + (failing > 0 ? " and a migration would fail on " + failing + " document(s)" : "")
                + " (see afterMigrations in tables). Nothing was changed: list a migration that fixes them, or fix the documents, then push again.",
                examples, predicted);
    }

    /** Existing documents violate {@code next}, and its migrations can fix them: a transition instead of a 422. */
    private PushResult startTransition(ActiveSchema.Snapshot current, Schema next, List<SchemaChange> changes,
                                       Set<String> migrated, List<TableReport> reports) {
        SchemaActivation.refuseIfViolated(reports.stream().filter(r -> !migrated.contains(r.table())).toList());
        TransitionPort.View started = transitions.start(current, next, changes);
        return new PushResult(started.toVersion(), true, changes, started);
    }

    /** An index as reported by {@code GET /api/schema}. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "IndexState")
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
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "ActiveSchema", description = "The active schema, its version and hash, and its indexes")
    public record Status(int version, JsonNode schema, String hash, OffsetDateTime activatedAt, List<IndexState> indexes) {
    }

    /** The active schema and its version; 404 before the first push. */
    public ActiveSchema.Snapshot requireActive() {
        ActiveSchema.Snapshot current = active.refresh();
        if (current.version() == 0) {
            throw new io.docshift.error.NotFound("No schema has been pushed yet: every table is schemaless.");
        }
        return current;
    }

    /** Stored versions, oldest first. */
    public List<SchemaVersionEntity> versions() {
        return QuarkusTransaction.joiningExisting().call(SchemaVersionEntity::allVersions);
    }

    /** What changed from version {@code from} (0: no schema) to version {@code to}; 404 for a version that does not exist. */
    public List<SchemaChange> diff(int from, int to) {
        Schema before = from == 0 ? null : active.parse(version(from).orElseThrow(() -> new io.docshift.error.NotFound("No schema version " + from + ".")).source);
        Schema after = active.parse(version(to).orElseThrow(() -> new io.docshift.error.NotFound("No schema version " + to + ".")).source);
        return SchemaDiff.between(before, after);
    }

    public Optional<SchemaVersionEntity> version(int n) {
        return QuarkusTransaction.joiningExisting().call(() -> SchemaVersionEntity.findVersion(n));
    }
}
