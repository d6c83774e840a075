package io.docshift.migration;

import io.docshift.coordination.WorkerIdentity;
import io.docshift.document.DocumentsConfig;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.TableRegistry;
import io.docshift.migration.store.RunRepository;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.WriteGate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

/**
 * One batch of a run, as one transaction on the run's connection. It enters the write gate like every writer
 * (so a schema push's re-check cannot miss it, and its bodies are checked against the schema in force), changes
 * the documents of the next keyset slice, and commits them together with the run's new position and counters
 * through a guarded update: only if the run is still running, still this worker's and still at the position
 * this worker last committed. Otherwise (cancelled, resumed, taken over) the batch is rolled back, so a crash,
 * a cancel or a second worker at any instant never loses committed work nor applies a batch twice.
 */
@ApplicationScoped
public class RunBatch {

    private static final Logger LOG = Logger.getLogger(RunBatch.class);
    private static final String QUERY_CANCELED = "57014";
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /** How a batch ended. */
    enum Outcome {
        /** Committed; more to do. */
        CONTINUE,
        /** The run ended: completed, or stopped at its limit. */
        DONE,
        /** The run is no longer this worker's (cancelled, resumed, taken over) or failed: stop working it. */
        STOP,
        /** A statement ran past the statement timeout; nothing committed: retry with a smaller batch. */
        TIMED_OUT,
        /** The table's write gate stayed closed past its timeout (a schema activation checks it); nothing committed: retry. */
        GATE_CLOSED,
        /** A transient failure (serialization, deadlock, resources); nothing committed: retry after a backoff. */
        TRANSIENT
    }

    @Inject
    WriteGate gate;
    @Inject
    ActiveSchema active;
    @Inject
    RunRepository runs;
    @Inject
    WorkerIdentity worker;
    @Inject
    MigrationMetrics metrics;
    @Inject
    DocumentsConfig documentsConfig;
    @Inject
    io.docshift.db.StorageConfig storage;

    /** Runs one batch of at most {@code size} documents; {@code pipeline} is the read-ahead of a Java migration, else null. */
    Outcome run(Connection c, RunProgress run, String table, BatchSql sql, JavaPipeline pipeline, int size) throws SQLException {
        c.setAutoCommit(false);
        try {
            WriteGate.Seen seen = gate.enter(c, table);
            ActiveSchema.Snapshot schema = active.at(seen.activeVersion(), seen.transitionId());
            BodyCheck check = BodyCheck.of(schema, table, run.kind);
            JavaBatch.Prepared prepared = null;
            BatchSql.Slice slice;
            if (pipeline != null) {
                prepared = pipeline.take(run.position, size, run.maxDocuments == null ? Integer.MAX_VALUE : size);
                slice = prepared.slice();
                if (slice.size() > 0) {
                    pipeline.prefetch(slice.last(), size);
                }
            } else {
                slice = sql.nextSlice(c, run.position, size);
            }
            if (slice.size() == 0) {
                return endOfTable(c, run, sql);
            }
            BatchSql.Written written = run.kind.rollback() ? sql.rollBack(c, slice, check)
                    : pipeline != null ? pipeline.write(c, prepared, check) : sql.applySteps(c, slice, check);
            long processed = run.processed + slice.size();
            boolean reachedLimit = run.maxDocuments != null && processed >= run.maxDocuments;
            if (!runs.commitBatch(c, run.runId, worker.id(), run.position, slice.last(), processed, run.changed + written.changed(),
                    run.stamped + written.stamped(), run.batchSize, reachedLimit)) {
                return lost(c, run);
            }
            c.commit();
            run.position = slice.last();
            run.processed = processed;
            run.changed += written.changed();
            run.stamped += written.stamped();
            metrics.batch(run.migration, slice.size(), written.changed(), written.stamped());
            if (reachedLimit) {
                LOG.infof("Migration %s run %d stopped at its limit of %d documents", run.migration, run.runId, run.maxDocuments);
                return Outcome.DONE;
            }
            return Outcome.CONTINUE;
        } catch (DocumentFailure f) {
            c.rollback();
            c.setAutoCommit(true);
            fail(c, run, f.id, f.getMessage());
            return Outcome.STOP;
        } catch (SQLException e) {
            c.rollback();
            c.setAutoCommit(true);
            if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                LOG.debugf("Migration %s run %d: the table's write gate stayed closed (a schema activation); trying the batch again", run.migration, run.runId);
                return Outcome.GATE_CLOSED;
            }
            if (QUERY_CANCELED.equals(e.getSQLState())) {
                LOG.warnf("Migration %s run %d: a batch of %d documents ran past the statement timeout; retrying smaller", run.migration, run.runId, size);
                return Outcome.TIMED_OUT;
            }
            switch (SqlFailure.of(e)) {
                case PERMANENT -> {
                    // the same statement would fail the same way on every retry: the run fails, naming why
                    UUID bad = e.getSQLState().startsWith("22") && pipeline == null ? CulpritSearch.find(c, sql, sql.nextSlice(c, run.position, size)) : null;
                    fail(c, run, bad == null ? null : DocumentId.fromUuid(bad).toString(), bad != null ? RunExecutor.firstLine(e.getMessage())
                            : "a statement of the batch failed (SQLSTATE " + e.getSQLState() + "): " + RunExecutor.firstLine(e.getMessage()));
                    return Outcome.STOP;
                }
                case TRANSIENT -> {
                    LOG.warnf("Migration %s run %d: a batch failed transiently (SQLSTATE %s: %s); retrying after a backoff", run.migration, run.runId,
                            e.getSQLState(), RunExecutor.firstLine(e.getMessage()));
                    metrics.retried(run.migration, e.getSQLState());
                    return Outcome.TRANSIENT;
                }
                default -> throw e; // the connection is gone, and with it this worker's lock: the next poll takes the run up
            }
        } finally {
            if (!c.getAutoCommit()) {
                c.rollback(); // only an unexpected failure gets here with the batch open: undo it, never commit it
                c.setAutoCommit(true);
            }
        }
    }

    /** No document after the position: another pass when a sweep left documents behind, else the run completes. */
    private Outcome endOfTable(Connection c, RunProgress run, BatchSql sql) throws SQLException {
        if (run.kind.sweep() && sql.documentsBelowTarget(c)) {
            // documents written behind the sweep (by a build that predates the transition): another pass, over the
            // whole table again, so the total grows by what this pass will walk
            long documents = TableRegistry.documents(c, sql.table(), documentsConfig.exactCountBelow(), storage.citus());
            if (!runs.newPass(c, run.runId, worker.id(), run.position, documents)) {
                return lost(c, run);
            }
            c.commit();
            run.position = null;
            LOG.infof("Migration %s run %d: documents below version %d remain; starting another pass", run.migration, run.runId, run.kind.targetVersion());
            return Outcome.CONTINUE;
        }
        if (!runs.complete(c, run.runId, worker.id(), run.position)) {
            return lost(c, run);
        }
        c.commit();
        LOG.infof("Migration %s run %d completed: %d processed, %d changed (worker %s)", run.migration, run.runId, run.processed, run.changed, worker.id());
        return Outcome.DONE;
    }

    /** The guarded commit found the run changed under this worker: undo the batch and let go. */
    private Outcome lost(Connection c, RunProgress run) throws SQLException {
        c.rollback();
        LOG.infof("Run %d is no longer this worker's to work (cancelled, resumed or taken over); its last batch was undone", run.runId);
        return Outcome.STOP;
    }

    private void fail(Connection c, RunProgress run, String documentId, String message) throws SQLException {
        if (runs.fail(c, run.runId, worker.id(), documentId, message)) {
            LOG.errorf("Migration run %d failed on document %s: %s", run.runId, documentId, message);
        }
    }
}
