package io.docshift.migration;

import io.docshift.coordination.PgNotifications;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Conflict;
import io.docshift.error.Violation;
import io.docshift.migration.step.Step;
import io.docshift.migration.store.MigrationEntity;
import io.docshift.migration.store.RunEntity;
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
import java.util.Optional;

/**
 * Rollbacks of runs that kept backups (the seed's "Rollbacks", which Convex lacks). A rollback is a run of its
 * own, resumable and coordinated like any other: per slice, documents written since the rolled-back run go
 * through the inverse of its steps, and every document whose backup is still fresh gets its saved body back,
 * byte for byte. Before it starts, the documents that the inverse cannot bring back to a valid old shape are
 * counted; if there are any, the rollback is refused (409) with examples.
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
    DataSource dataSource;

    /** {@code POST /api/migrations/runs/{runId}/rollback}: a run outside any transition. */
    public MigrationService.Started rollBack(long runId) {
        RunEntity run = QuarkusTransaction.requiringNew().call(() -> RunEntity.<RunEntity>findByIdOptional(runId))
                .orElseThrow(() -> new io.docshift.error.NotFound("No migration run " + runId + "."));
        if (run.transitionId != null) {
            throw new Conflict("Run " + runId + " belongs to schema transition " + run.transitionId
                    + "; roll the transition back (POST /api/schema/transition/rollback).");
        }
        requireRollbackable(run);
        MigrationDefinition def = definition(run);
        Validator validator = active.refresh().enforcedValidator(def.table());
        return QuarkusTransaction.requiringNew().call(() -> io.docshift.db.Jdbc.call(dataSource, c -> {
            lockRun(c, runId);
            if (RunEntity.active(run.migration).isPresent()) {
                throw new Conflict("Migration '" + run.migration + "' has a run in progress; cancel it or let it finish first.");
            }
            refuseIfBlocked(blocking(c, run, def, validator, null), run);
            long id = createRun(c, run, null);
            notifications.publish(c, "run", Long.toString(id));
            return new MigrationService.Started(id, RunEntity.PENDING);
        }));
    }

    /** Refuses a run that cannot be rolled back: still running, without backups, or already rolled back. */
    public void requireRollbackable(RunEntity run) {
        if (run.rollbackOf != null) {
            throw new Conflict("Run " + run.id + " is itself a rollback; it cannot be rolled back.");
        }
        if (!run.backup) {
            throw new Conflict("Run " + run.id + " of '" + run.migration + "' kept no backups, so its documents cannot be restored. "
                    + "Register migrations with \"backup\": true to be able to roll them back.");
        }
        if (RunEntity.PENDING.equals(run.state) || RunEntity.RUNNING.equals(run.state)) {
            throw new Conflict("Run " + run.id + " is " + run.state + "; cancel it before rolling it back.");
        }
        if (QuarkusTransaction.requiringNew().call(() -> RunEntity.rollbackOf(run.id)).isPresent()) {
            throw new Conflict("Run " + run.id + " was already rolled back (or is being rolled back).");
        }
    }

    /** The definition a run used; 409 if this build cannot read it. */
    public MigrationDefinition definition(RunEntity run) {
        MigrationEntity m = QuarkusTransaction.requiringNew().call(() -> MigrationEntity.<MigrationEntity>findById(run.migration));
        return registry.definition(m).orElseThrow(() -> new Conflict("Migration '" + run.migration + "' is a Java migration this build does not carry."));
    }

    /**
     * The documents of {@code run}'s table that a rollback would have to bring back through the inverse steps
     * (written since the run, so without a fresh backup) and that would then violate {@code oldValidator}.
     * {@code rolledTarget} is the version a transition's run stamped, or {@code null} for a plain run.
     */
    public TableReport blocking(Connection c, RunEntity run, MigrationDefinition def, Validator oldValidator, Integer rolledTarget) throws SQLException {
        Optional<DocTable> table = tables.find(def.table());
        if (table.isEmpty() || oldValidator == null) {
            return new TableReport(def.table(), 0, List.of());
        }
        RunKind kind = new RunKind(0, null, false, run.id, rolledTarget, Step.inverse(def.steps()));
        BatchSql sql = new BatchSql(table.get(), def.steps(), null, false, kind);
        return checker.check(c, table.get(), oldValidator, sql.inverseBodySql("u.data"), sql.staleCondition(), new ArrayList<>(sql.inverseParams()), EXAMPLES);
    }

    /** 409 when documents block a rollback, saying how many and why. */
    public static void refuseIfBlocked(TableReport report, RunEntity run) {
        if (report.violating() == 0) {
            return;
        }
        List<Violation> examples = report.examples().stream()
                .map(e -> new Violation("/" + report.table() + "/" + e.id() + e.path(), e.message())).toList();
        throw new Conflict(report.violating() + " document(s) of '" + report.table() + "' were written after run " + run.id
                + " changed them, so they have no backup, and the inverse of its steps does not bring them back to a shape the"
                + " older schema accepts. Fix or delete them, then retry the rollback.", examples);
    }

    /** Inserts the rollback run of {@code run}; documents it brings back get {@code targetVersion} (null: unchanged). */
    public long createRun(Connection c, RunEntity run, Integer targetVersion) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("insert into docshift.migration_run (migration, checksum, args, state, batch_size, total,"
                + " transition_id, target_version, rollback_of) values (?, ?, '{}', 'pending', 100,"
                + " (select count(*) from docshift.migration_backup where run_id = ?), ?, ?, ?) returning id")) {
            p.setString(1, run.migration);
            p.setString(2, run.checksum);
            p.setLong(3, run.id);
            p.setObject(4, run.transitionId);
            p.setObject(5, targetVersion);
            p.setLong(6, run.id);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static void lockRun(Connection c, long runId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select 1 from docshift.migration_run where id = ? for update")) {
            p.setLong(1, runId);
            p.executeQuery().close();
        }
    }
}
