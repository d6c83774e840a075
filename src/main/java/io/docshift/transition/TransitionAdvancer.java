package io.docshift.transition;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.coordination.AdvisoryLocks;
import io.docshift.coordination.AdvisoryLocks.Purpose;
import io.docshift.coordination.PgNotifications;
import io.docshift.db.Jdbc;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentStore;
import io.docshift.document.store.TableRegistry;
import io.docshift.migration.store.RunEntity;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.IndexActivation;
import io.docshift.schema.Schema;
import io.docshift.schema.SchemaChecker;
import io.docshift.schema.SchemaService;
import io.docshift.schema.TableReport;
import io.docshift.schema.TableSchema;
import io.docshift.schema.index.IndexBuilder;
import io.docshift.schema.store.IndexEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Moves the open transition along, on whichever pod gets its advisory lock first (every worker tries after
 * each pass). It is a reconciler: it reads the state of the transition's runs and indexes and decides the
 * next state from scratch each time, so a pod dying at any point leaves nothing to repair.
 * <ul>
 * <li>a run failed or was cancelled: {@code failed}, naming the document; serving goes on as during migrating;</li>
 * <li>runs pending or running: {@code migrating};</li>
 * <li>all runs completed and the new indexes ready: {@code verifying}: every document of the affected tables is
 * checked against the target; then, with the write gate closed, the documents written meanwhile are checked
 * and the target activated in one transaction (every pod hears of it by NOTIFY within a second).</li>
 * </ul>
 */
@ApplicationScoped
public class TransitionAdvancer {

    private static final Logger LOG = Logger.getLogger(TransitionAdvancer.class);
    private static final int EXAMPLES = 10;

    @Inject
    DataSource dataSource;
    @Inject
    AdvisoryLocks locks;
    @Inject
    ActiveSchema active;
    @Inject
    SchemaChecker checker;
    @Inject
    TableRegistry tables;
    @Inject
    IndexActivation indexes;
    @Inject
    IndexBuilder builder;
    @Inject
    PgNotifications notifications;
    @Inject
    TransitionService transitions;

    /** One step of the open transition, if this pod gets the lock; never throws. */
    public void advance() {
        try (Connection lock = dataSource.getConnection()) {
            if (!locks.trySession(lock, Purpose.TRANSITION, 0)) {
                return;
            }
            try {
                advanceLocked();
            } finally {
                locks.releaseSession(lock, Purpose.TRANSITION, 0);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf(e, "Could not advance the schema transition");
        }
    }

    private void advanceLocked() {
        Optional<TransitionService.View> found = transitions.latest();
        if (found.isEmpty()) {
            return;
        }
        TransitionService.View t = found.get();
        List<RunEntity> runs = QuarkusTransaction.requiringNew().call(() -> RunEntity.ofTransition(t.id()));
        if (t.state().equals("rollingBack")) {
            List<RunEntity> rollbacks = runs.stream().filter(r -> r.rollbackOf != null).toList();
            if (rollbacks.stream().allMatch(r -> RunEntity.COMPLETED.equals(r.state))) {
                setState(t.id(), "rolledBack", null, true);
                LOG.infof("Schema transition %d rolled back; version %s stays active", t.id(), t.fromVersion());
            }
            return;
        }
        if (!t.isOpen()) {
            return;
        }
        List<RunEntity> sweeps = runs.stream().filter(r -> r.rollbackOf == null).toList();
        Optional<RunEntity> broken = sweeps.stream().filter(r -> RunEntity.FAILED.equals(r.state) || RunEntity.CANCELLED.equals(r.state)).findFirst();
        if (broken.isPresent()) {
            RunEntity r = broken.get();
            if (!t.state().equals("failed") || t.error() == null || !t.error().path("runId").isNumber()) {
                ObjectNode error = TransitionService.MAPPER.createObjectNode().put("message", "Run " + r.id + " of migration " + r.migration + " is " + r.state
                        + (r.errorMessage == null ? "" : ": " + r.errorMessage) + ". Fix the document and resume the run, or roll the transition back.")
                        .put("migration", r.migration).put("runId", r.id);
                error.put("_id", r.errorId);
                setState(t.id(), "failed", error, false);
                LOG.errorf("Schema transition %d failed: %s", t.id(), error.get("message").asText());
            }
            return;
        }
        if (sweeps.stream().anyMatch(r -> !RunEntity.COMPLETED.equals(r.state))) {
            if (!t.state().equals("migrating")) {
                setState(t.id(), "migrating", null, false);
            }
            return;
        }
        if (t.state().equals("failed")) {
            return; // verification failed; resuming a sweep (after fixing the documents) starts it again
        }
        if (!t.state().equals("verifying")) {
            setState(t.id(), "verifying", null, false);
        }
        verify(t, sweeps);
    }

    private void verify(TransitionService.View t, List<RunEntity> sweeps) {
        ActiveSchema.Snapshot current = active.refresh();
        Schema target = current.transition() == null ? null : current.transition().target();
        if (target == null || current.transition().id() != t.id()) {
            return;
        }
        if (QuarkusTransaction.requiringNew().call(() -> IndexEntity.live().stream()
                .anyMatch(e -> IndexEntity.BUILDING.equals(e.state) && target.table(e.tableName) != null
                        && target.table(e.tableName).indexes().stream().anyMatch(s -> s.name().equals(e.name))))) {
            builder.kick();
            return; // the target's indexes are still being built
        }
        List<TableSchema> toCheck = SchemaService.tablesToCheck(current.schema(), target);
        long mark = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            locks.closeWriteGate(c);
            return DocumentStore.revisionMark(c);
        }));
        List<TableReport> reports = new ArrayList<>();
        for (TableSchema ts : toCheck) {
            tables.find(ts.name()).ifPresent(table -> {
                TableReport report = checker.check(table, ts.document(), EXAMPLES);
                if (report.violating() > 0) {
                    reports.add(report);
                }
            });
        }
        if (!reports.isEmpty()) {
            failVerification(t, reports);
            return;
        }
        boolean activated;
        try {
            activated = activate(t, sweeps, target, toCheck, mark);
        } catch (LateViolations e) {
            failVerification(t, e.reports);
            return;
        }
        if (activated) {
            active.refresh();
            builder.kick();
            LOG.infof("Schema transition %d complete: version %d is active", t.id(), t.toVersion());
        } else {
            setState(t.id(), "migrating", null, false);
        }
    }

    /** Under the closed write gate: re-checks what was written since {@code mark} and activates the target. */
    private boolean activate(TransitionService.View t, List<RunEntity> sweeps, Schema target, List<TableSchema> toCheck, long mark) {
        return QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            locks.closeWriteGate(c);
            for (RunEntity run : sweeps) {
                Optional<DocTable> table = tables.find(tableOf(c, run));
                if (table.isPresent() && DocumentStore.anyBelowVersion(c, table.get(), t.toVersion())) {
                    reopen(c, run); // written behind the sweep between its last pass and now
                    return false;
                }
            }
            List<TableReport> late = new ArrayList<>();
            for (TableSchema ts : toCheck) {
                Optional<DocTable> table = tables.find(ts.name());
                if (table.isPresent()) {
                    TableReport report = checker.check(c, table.get(), ts.document(), mark, EXAMPLES);
                    if (report.violating() > 0) {
                        late.add(report);
                    }
                }
            }
            if (!late.isEmpty()) {
                throw new LateViolations(late);
            }
            try (PreparedStatement p = c.prepareStatement("update docshift.schema_version set activated_at = now() where version = ?;"
                    + " update docshift.schema_state set active_version = ?;"
                    + " update docshift.transition set state = 'active', finished_at = now(), error = null where id = ?")) {
                p.setInt(1, t.toVersion());
                p.setInt(2, t.toVersion());
                p.setLong(3, t.id());
                p.execute();
            }
            indexes.reconcile(target);
            notifications.publish(c, "schema", Integer.toString(t.toVersion()));
            return true;
        }));
    }

    /** Documents written while the gate was open violate the target: reported like any verification failure. */
    private static final class LateViolations extends RuntimeException {
        final List<TableReport> reports;

        LateViolations(List<TableReport> reports) {
            super(null, null, false, false);
            this.reports = reports;
        }
    }

    private void failVerification(TransitionService.View t, List<TableReport> reports) {
        long total = reports.stream().mapToLong(TableReport::violating).sum();
        ObjectNode error = TransitionService.MAPPER.createObjectNode()
                .put("message", total + " document(s) still violate version " + t.toVersion() + " after the migrations ran."
                        + " Fix them, then resume a migration run of the transition to sweep and verify again; or roll the transition back.")
                .put("violating", total);
        error.set("tables", TransitionService.MAPPER.valueToTree(reports));
        setState(t.id(), "failed", error, false);
        LOG.errorf("Schema transition %d failed verification: %d document(s) violate version %d", t.id(), total, t.toVersion());
    }

    private void setState(long id, String state, ObjectNode error, boolean finished) {
        QuarkusTransaction.requiringNew().run(() -> Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("update docshift.transition set state = ?, error = ?::jsonb"
                    + (finished ? ", finished_at = now()" : "") + " where id = ?")) {
                p.setString(1, state);
                p.setString(2, error == null ? null : error.toString());
                p.setLong(3, id);
                p.executeUpdate();
            }
            notifications.publish(c, "schema", "transition");
            return null;
        }));
        if (!state.equals("verifying")) {
            active.refresh();
        }
    }

    /** The table a run's migration walks, as its stored definition says (Java definitions carry it too). */
    private static String tableOf(Connection c, RunEntity run) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select definition->>'table' from docshift.migration where name = ?")) {
            p.setString(1, run.migration);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : "";
            }
        }
    }

    private static void reopen(Connection c, RunEntity run) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set state = 'pending', position = null, finished_at = null where id = ?")) {
            p.setLong(1, run.id);
            p.executeUpdate();
        }
    }
}
