package io.docshift.migration;

import io.docshift.coordination.PgNotifications;
import io.docshift.db.Jdbc;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Conflict;
import io.docshift.error.Violation;
import io.docshift.migration.step.Step;
import io.docshift.migration.store.Run;
import io.docshift.migration.store.RunRepository;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.SchemaChecker;
import io.docshift.schema.TableReport;
import io.docshift.schema.validate.Validator;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rollbacks of runs that kept backups (the seed's "Rollbacks", which Convex lacks). A rollback is a run of its
 * own, resumable and coordinated like any other: per slice, documents written since the rolled-back run go
 * through the inverse of its steps, and every document whose backup is still fresh gets its saved body back,
 * byte for byte. Before it starts, both kinds of result are checked against today's schema: documents that the
 * inverse cannot bring back to a valid shape, and saved bodies that no longer fit it, refuse the rollback (409)
 * with counts and examples, and nothing changes.
 */
@ApplicationScoped
public class Rollbacks {

    private static final int EXAMPLES = 10;

    @Inject
    MigrationRegistry registry;
    @Inject
    TableRegistry tables;
    @Inject
    SchemaChecker checker;
    @Inject
    ActiveSchema active;
    @Inject
    PgNotifications notifications;
    @Inject
    RunRepository runs;
    @Inject
    DataSource dataSource;

    /** {@code POST /api/migrations/runs/{runId}/rollback}: a run outside any transition. */
    public MigrationService.Started rollBack(long runId) {
        Run run = runs.get(runId);
        if (run.transitionId() != null) {
            throw new Conflict("Run " + runId + " belongs to schema transition " + run.transitionId()
                    + "; roll the transition back (POST /api/schema/transition/rollback).");
        }
        requireRollbackable(run);
        MigrationDefinition def = definition(run);
        Validator validator = active.refresh().enforcedValidator(def.table());
        return QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            refuseIfBlocked(blocking(c, run, def, validator, null), run);
            long id = createRun(c, run, null);
            notifications.publish(c, "run", Long.toString(id));
            return new MigrationService.Started(id, "pending");
        }));
    }

    /** Refuses a run that cannot be rolled back: still running, without backups, or already rolled back. */
    public void requireRollbackable(Run run) {
        if (run.rollbackOf() != null) {
            throw new Conflict("Run " + run.id() + " is itself a rollback; it cannot be rolled back.");
        }
        if (!run.backup()) {
            throw new Conflict("Run " + run.id() + " of '" + run.migration() + "' kept no backups, so its documents cannot be restored. "
                    + "Register migrations with \"backup\": true to be able to roll them back.");
        }
        if (run.backupsDroppedAt() != null) {
            throw new Conflict("The backups of run " + run.id() + " were dropped at " + run.backupsDroppedAt()
                    + " (docshift.migrations.backup-retention, or by hand), so its documents cannot be restored.");
        }
        if (run.state().active()) {
            throw new Conflict("Run " + run.id() + " is " + run.state().sql() + "; cancel it before rolling it back.",
                    Map.of("runId", run.id(), "state", run.state().sql()));
        }
        runs.rollbackOf(run.id()).ifPresent(r -> {
            throw new Conflict("Run " + run.id() + " was already rolled back (or is being rolled back) by run " + r.id() + ".",
                    Map.of("runId", r.id(), "state", r.state().sql()));
        });
    }

    /** The definition a run used; 409 if this build cannot read it. */
    public MigrationDefinition definition(Run run) {
        return registry.definition(run).orElseThrow(() -> new Conflict("Migration '" + run.migration() + "' is a Java migration this build does not carry."));
    }

    /**
     * What would keep a rollback of {@code run} from leaving its table valid under {@code validator} (null: the
     * table is not enforced): documents written since the run that the inverse steps would not bring back to a
     * valid shape, and saved bodies that would be restored but no longer fit. {@code rolledTarget} is the version
     * a transition's run stamped, or {@code null} for a plain run.
     */
    public List<TableReport> blocking(Connection c, Run run, MigrationDefinition def, Validator validator, Integer rolledTarget) throws SQLException {
        Optional<DocTable> table = tables.find(def.table());
        if (table.isEmpty() || validator == null) {
            return List.of();
        }
        RunKind kind = new RunKind(0, null, false, run.id(), rolledTarget, Step.inverse(def.steps()));
        BatchSql sql = new BatchSql(table.get(), def.steps(), null, false, kind);
        List<TableReport> found = new ArrayList<>();
        TableReport inverse = checker.check(c, table.get(), validator, sql.inverseBodySql("u.data"), sql.staleCondition(),
                new ArrayList<>(sql.inverseParams()), EXAMPLES);
        if (inverse.violating() > 0) {
            found.add(inverse);
        }
        TableReport restored = checker.check(c, table.get(), validator, "(select b.data from docshift.migration_backup b where b.run_id = "
                + run.id() + " and b.doc_id = u.id)", sql.freshBackupCondition(), List.of(), EXAMPLES);
        if (restored.violating() > 0) {
            found.add(restored);
        }
        return found;
    }

    /** 409 when documents block a rollback, saying how many and why. */
    public static void refuseIfBlocked(List<TableReport> reports, Run run) {
        if (reports.isEmpty()) {
            return;
        }
        long total = reports.stream().mapToLong(TableReport::violating).sum();
        List<Violation> examples = new ArrayList<>();
        for (TableReport report : reports) {
            report.examples().forEach(e -> examples.add(new Violation("/" + report.table() + "/" + e.id() + e.path(), e.message())));
        }
        throw new Conflict(total + " document(s) of '" + reports.get(0).table() + "' would not fit the active schema after rolling back run "
                + run.id() + ": written since the run changed them and not brought back to a valid shape by the inverse of its steps,"
                + " or saved before a schema change that their saved bodies no longer fit. Fix or delete them, then retry the rollback.", examples);
    }

    /** Inserts the rollback run of {@code run}; documents it brings back get {@code targetVersion} (null: unchanged). */
    public long createRun(Connection c, Run run, Integer targetVersion) throws SQLException {
        long backups;
        try (PreparedStatement p = c.prepareStatement("select count(*) from docshift.migration_backup where run_id = ?")) {
            p.setLong(1, run.id());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                backups = r.getLong(1);
            }
        }
        return runs.insert(c, new RunRepository.NewRun(run.migration(), run.checksum(), "{}", null, 100, false, backups,
                run.transitionId(), targetVersion, run.id()));
    }
}
