package io.docshift.migration;

import io.docshift.coordination.CoordinationConfig;
import io.docshift.coordination.WorkerIdentity;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.TableRegistry;
import io.docshift.migration.step.Step;
import io.docshift.migration.step.StepSql;
import io.docshift.migration.store.Run;
import io.docshift.migration.store.RunRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Works one run on the connection that holds its advisory lock: claims it, then runs {@link RunBatch}es, paced
 * by {@link Pacing}, until the run completes, fails, is cancelled, is taken over, or the worker is stopping.
 * Every statement runs under a statement timeout below {@code stale-after}; a batch that hits it is retried a
 * quarter the size, so a slow table never turns into a batch that is killed and redone forever.
 */
@ApplicationScoped
public class RunExecutor {

    private static final Logger LOG = Logger.getLogger(RunExecutor.class);
    /** Consecutive timed-out batches of the smallest size after which the run fails instead of retrying. */
    private static final int TIMEOUTS_AT_MIN = 3;

    @Inject
    io.docshift.db.StorageConfig storage;
    @Inject
    MigrationRegistry registry;
    @Inject
    TableRegistry tables;
    @Inject
    WorkerIdentity worker;
    @Inject
    MigrationsConfig config;
    @Inject
    CoordinationConfig coordination;
    @Inject
    MigrationMetrics metrics;
    @Inject
    RunRepository runs;
    @Inject
    RunBatch batches;
    @Inject
    Pacing pacing;
    @Inject
    @io.quarkus.agroal.DataSource("background")
    DataSource background;

    /** Processes run {@code runId} until it completes, fails, is cancelled, is lost, or {@code stopping} says so. */
    public void execute(Connection c, long runId, BooleanSupplier stopping) throws SQLException {
        Optional<Run> claimed = runs.claim(c, runId, worker.id());
        if (claimed.isEmpty()) {
            return;
        }
        Run claim = claimed.get();
        RunProgress run = new RunProgress(claim);
        LOG.infof("Worker %s took run %d of %s at %d processed", worker.id(), runId, run.migration, run.processed);
        Optional<MigrationDefinition> found = registry.definition(claim);
        if (found.isEmpty()) {
            LOG.warnf("Run %d of %s needs a Java migration this build lacks; leaving it to a pod that has it", runId, run.migration);
            return;
        }
        MigrationDefinition def = found.get();
        if (!def.checksum().equals(run.checksum)) {
            runs.fail(c, runId, worker.id(), null, "the definition changed after this run was requested; start a new run");
            return;
        }
        Optional<DocTable> table = tables.find(def.table());
        if (table.isEmpty()) {
            runs.complete(c, runId, worker.id(), run.position);
            LOG.infof("Migration %s run %d completed: its table has no documents", run.migration, runId);
            return;
        }
        Integer rolledTarget = claim.rollbackOf() == null ? null : runs.find(claim.rollbackOf()).map(Run::targetVersion).orElse(null);
        run.kind = new RunKind(runId, claim.targetVersion(), claim.backup(), claim.rollbackOf(), rolledTarget,
                claim.rollbackOf() == null ? List.of() : Step.inverse(def.steps()));
        BatchSql sql = new BatchSql(table.get(), def.steps(), def.inJvm() ? null : StepSql.chain(def.steps(), StepSql.related(def.steps(), tables::find),
                storage.citus()), needsIdText(def), run.kind, def.where(), storage.citus());
        JavaMigration java = def.inJvm() && !run.kind.rollback() ? registry.inJvm(def) : null;
        metrics.running(run.migration, true);
        // Batch bounds are parameters: a cached generic plan cannot see that a slice is small and may
        // scan the whole table for every batch. Plan each batch for its own bounds.
        workUnder(c, coordination.staleAfter().toMillis() / 2);
        try (Connection reader = java == null ? null : background.getConnection();
             JavaPipeline pipeline = java == null ? null : new JavaPipeline(reader, runId, table.get(), java, run.args, run.kind, storage.citus())) {
            loop(c, run, def, sql, pipeline, stopping);
        } finally {
            metrics.running(run.migration, false);
            reset(c);
        }
    }

    private void loop(Connection c, RunProgress run, MigrationDefinition def, BatchSql sql, JavaPipeline pipeline,
                      BooleanSupplier stopping) throws SQLException {
        long startedNanos = System.nanoTime();
        long startedProcessed = run.processed;
        long lastLog = startedNanos;
        int timeoutsAtMin = 0;
        int transientInARow = 0;
        while (!stopping.getAsBoolean() && pacing.windowOpen(def)) {
            int size = pacing.nextSize(run, def);
            long t0 = System.nanoTime();
            RunBatch.Outcome outcome = batches.run(c, run, def.table(), sql, pipeline, size);
            long elapsed = System.nanoTime() - t0;
            switch (outcome) {
                case DONE, STOP -> {
                    return;
                }
                case GATE_CLOSED -> {
                    // the activation holding it ends within moments; the same batch again
                }
                case TRANSIENT -> pacing.backOff(++transientInARow, stopping);
                case TIMED_OUT -> {
                    timeoutsAtMin = size <= Pacing.MIN_BATCH ? timeoutsAtMin + 1 : 0;
                    if (timeoutsAtMin >= TIMEOUTS_AT_MIN) {
                        runs.fail(c, run.runId, worker.id(), null, "batches of " + size + " documents keep running past the statement timeout ("
                                + coordination.staleAfter().toMillis() / 2 + " ms, half of stale-after); raise docshift.coordination.stale-after");
                        return;
                    }
                    run.batchSize = pacing.shrink(size);
                }
                case CONTINUE -> {
                    timeoutsAtMin = 0;
                    transientInARow = 0;
                    run.batchSize = pacing.adapt(size, elapsed);
                    pacing.rest(def, run.processed - startedProcessed, System.nanoTime() - startedNanos, elapsed, stopping);
                }
            }
            if (System.nanoTime() - lastLog > config.progressLogInterval().toNanos()) {
                lastLog = System.nanoTime();
                double rate = (run.processed - startedProcessed) / ((lastLog - startedNanos) / 1e9);
                LOG.infof("Migration %s run %d: %d/%d processed, %d changed, %.0f docs/s, batch %d", run.migration, run.runId,
                        run.processed, run.total, run.changed, rate, run.batchSize);
            }
        }
    }

    /** The session settings a run works under: custom plans for each batch's bounds, and a statement timeout. */
    private static void workUnder(Connection c, long statementTimeoutMillis) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select set_config('plan_cache_mode', 'force_custom_plan', false),"
                + " set_config('statement_timeout', ?, false)")) {
            p.setString(1, statementTimeoutMillis + "ms");
            p.execute();
        }
    }

    /** Back to the pool's settings. */
    private static void reset(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("reset plan_cache_mode; reset statement_timeout");
        }
    }

    static boolean needsIdText(MigrationDefinition def) {
        return Step.flatten(def.steps()).stream().anyMatch(s -> s instanceof Step.CountRelated);
    }

    /** PostgreSQL's message without its "ERROR: " prefix and context lines. */
    static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line != null && line.startsWith("ERROR: ") ? line.substring(7) : line;
    }
}
