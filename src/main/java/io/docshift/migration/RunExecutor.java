package io.docshift.migration;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.coordination.WorkerIdentity;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.TableRegistry;
import io.docshift.migration.step.Step;
import io.docshift.migration.step.StepSql;
import io.docshift.migration.store.MigrationEntity;
import io.docshift.migration.store.RunEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Works one run on a connection that holds the run's advisory lock. Each batch is one transaction on that
 * connection: it re-reads the run row under a row lock and goes on only if the run is still this worker's,
 * in the state and at the position it last committed (a fence against any second worker), changes the
 * documents of the next keyset slice, and commits them together with the new position and counters.
 * A crash at any instant therefore loses no committed work and never applies a batch twice.
 */
@ApplicationScoped
public class RunExecutor {

    private static final Logger LOG = Logger.getLogger(RunExecutor.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
    private static final int MIN_BATCH = 10;

    @Inject
    MigrationRegistry registry;
    @Inject
    TableRegistry tables;
    @Inject
    WorkerIdentity worker;
    @Inject
    MigrationsConfig config;
    @Inject
    MigrationMetrics metrics;
    @Inject
    io.docshift.ops.TrafficMeter traffic;
    @Inject
    DataSource dataSource;

    /** The committed state of a run, as this worker last saw it. */
    private static final class Progress {
        String migration;
        String checksum;
        JsonNode args;
        UUID position;
        long processed;
        long changed;
        long total;
        Long maxDocuments;
        int batchSize;
        RunKind kind;
    }

    /** Processes run {@code runId} until it completes, fails, is cancelled, is lost, or {@code stopping} says so. */
    public void execute(Connection c, long runId, BooleanSupplier stopping) throws SQLException {
        Progress run = claim(c, runId);
        if (run == null) {
            return;
        }
        MigrationEntity entity = QuarkusTransaction.joiningExisting().call(() -> MigrationEntity.findById(run.migration));
        Optional<MigrationDefinition> found = registry.definition(entity);
        if (found.isEmpty()) {
            LOG.warnf("Run %d of %s needs a Java migration this build lacks; leaving it to a pod that has it", runId, run.migration);
            return;
        }
        MigrationDefinition def = found.get();
        if (!def.checksum().equals(run.checksum)) {
            fail(c, runId, null, "the definition changed after this run was requested; start a new run");
            return;
        }
        Optional<DocTable> table = tables.find(def.table());
        if (table.isEmpty()) {
            finish(c, runId, run);
            return;
        }
        if (run.kind.rollback()) {
            run.kind = new RunKind(runId, run.kind.targetVersion(), false, run.kind.rollbackOf(), run.kind.rolledTarget(), Step.inverse(def.steps()));
        }
        BatchSql sql = new BatchSql(table.get(), def.steps(), def.isJava() ? null : StepSql.chain(def.steps(), StepSql.related(def.steps(), tables::find)), needsIdText(def), run.kind);
        JavaMigration java = def.isJava() && !run.kind.rollback() ? registry.javaMigrations().get(def.name()) : null;
        metrics.running(run.migration, true);
        // Batch bounds are parameters: a cached generic plan cannot see that a slice is small and may
        // scan the whole table for every batch. Plan each batch for its own bounds.
        setPlanCacheMode(c, "force_custom_plan");
        try (Connection reader = java == null ? null : dataSource.getConnection();
             JavaPipeline pipeline = java == null ? null : new JavaPipeline(reader, runId, table.get(), java, run.args, run.kind)) {
            loop(c, runId, run, def, sql, pipeline, stopping);
        } finally {
            metrics.running(run.migration, false);
            setPlanCacheMode(c, "auto");
        }
    }

    private void loop(Connection c, long runId, Progress run, MigrationDefinition def, BatchSql sql, JavaPipeline pipeline,
                      BooleanSupplier stopping) throws SQLException {
        long startedNanos = System.nanoTime();
        long startedProcessed = run.processed;
        long lastLog = startedNanos;
        while (!stopping.getAsBoolean() && windowOpen(def)) {
            int size = batchSize(run, def);
            long t0 = System.nanoTime();
            BatchOutcome outcome = batch(c, runId, run, sql, pipeline, size);
            long elapsed = System.nanoTime() - t0;
            if (outcome != BatchOutcome.CONTINUE) {
                if (outcome == BatchOutcome.DONE) {
                    LOG.infof("Migration %s run %d completed: %d processed, %d changed (worker %s)", run.migration, runId, run.processed, run.changed, worker.id());
                }
                return;
            }
            run.batchSize = adapt(size, elapsed);
            throttle(c, runId, def, run.processed - startedProcessed, System.nanoTime() - startedNanos, stopping);
            yieldToTraffic(elapsed, stopping);
            if (System.nanoTime() - lastLog > config.progressLogInterval().toNanos()) {
                lastLog = System.nanoTime();
                double rate = (run.processed - startedProcessed) / ((lastLog - startedNanos) / 1e9);
                LOG.infof("Migration %s run %d: %d/%d processed, %d changed, %.0f docs/s, batch %d", run.migration, runId,
                        run.processed, run.total, run.changed, rate, run.batchSize);
            }
        }
    }

    private enum BatchOutcome { CONTINUE, DONE, STOP }

    /**
     * One batch. A Java migration's slice comes read and migrated from its pipeline, which then starts on the
     * next slice while this one is written.
     */
    private BatchOutcome batch(Connection c, long runId, Progress run, BatchSql sql, JavaPipeline pipeline, int size) throws SQLException {
        c.setAutoCommit(false);
        try {
            if (!fence(c, runId, run)) {
                c.rollback();
                return BatchOutcome.STOP;
            }
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
                if (run.kind.sweep() && sql.documentsBelowTarget(c)) {
                    // documents written behind the sweep (by a build that predates the transition): another pass
                    run.position = null;
                    saveProgress(c, runId, run, false);
                    c.commit();
                    LOG.infof("Migration %s run %d: documents below version %d remain; starting another pass", run.migration, runId, run.kind.targetVersion());
                    return BatchOutcome.CONTINUE;
                }
                complete(c, runId);
                c.commit();
                return BatchOutcome.DONE;
            }
            int changed = run.kind.rollback() ? sql.rollBack(c, slice)
                    : pipeline != null ? pipeline.write(c, prepared) : sql.applySteps(c, slice);
            run.position = slice.last();
            run.processed += slice.size();
            run.changed += changed;
            boolean reachedLimit = run.maxDocuments != null && run.processed >= run.maxDocuments;
            saveProgress(c, runId, run, reachedLimit);
            c.commit();
            metrics.batch(run.migration, slice.size(), changed);
            if (reachedLimit) {
                LOG.infof("Migration %s run %d stopped at its limit of %d documents", run.migration, runId, run.maxDocuments);
                return BatchOutcome.DONE;
            }
            return BatchOutcome.CONTINUE;
        } catch (DocumentFailure f) {
            c.rollback();
            c.setAutoCommit(true);
            fail(c, runId, f.id, f.getMessage());
            return BatchOutcome.STOP;
        } catch (SQLException e) {
            c.rollback();
            c.setAutoCommit(true);
            if (e.getSQLState() != null && e.getSQLState().startsWith("22") && pipeline == null) {
                UUID bad = culprit(c, sql, sql.nextSlice(c, run.position, size));
                fail(c, runId, bad == null ? null : DocumentId.fromUuid(bad).toString(), firstLine(e.getMessage()));
                return BatchOutcome.STOP;
            }
            throw e;
        } finally {
            if (!c.getAutoCommit()) {
                c.rollback(); // only an unexpected failure gets here with the batch open: undo it, never commit it
                c.setAutoCommit(true);
            }
        }
    }

    /** The run row, locked for this batch: still running, still ours, still where we left it. */
    private boolean fence(Connection c, long runId, Progress run) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select state, owner, position from docshift.migration_run where id = ? for update")) {
            p.setLong(1, runId);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return false;
                }
                UUID position = r.getObject(3, UUID.class);
                boolean ours = RunEntity.RUNNING.equals(r.getString(1)) && worker.id().equals(r.getString(2))
                        && (position == null ? run.position == null : position.equals(run.position));
                if (!ours && !RunEntity.CANCELLED.equals(r.getString(1))) {
                    LOG.warnf("Run %d is no longer this worker's (state %s, owner %s); stopping", runId, r.getString(1), r.getString(2));
                }
                return ours;
            }
        }
    }

    /** After a batch failed on bad data: tries its documents one by one to name the one that breaks (F15). */
    private UUID culprit(Connection c, BatchSql sql, BatchSql.Slice slice) throws SQLException {
        for (UUID id : sql.ids(c, slice)) {
            try {
                sql.tryOne(c, id);
            } catch (SQLException e) {
                return id;
            }
        }
        return null;
    }

    private Progress claim(Connection c, long runId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run r set state = 'running', owner = ?,"
                + " started_at = coalesce(started_at, now()), heartbeat_at = now() where id = ? and state in ('pending', 'running')"
                + " returning migration, checksum, args::text, position, processed, changed, total, max_documents, batch_size,"
                + " target_version, backup, rollback_of, (select o.target_version from docshift.migration_run o where o.id = r.rollback_of)")) {
            p.setString(1, worker.id());
            p.setLong(2, runId);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                Progress run = new Progress();
                run.migration = r.getString(1);
                run.checksum = r.getString(2);
                run.args = MAPPER.readTree(r.getString(3));
                run.position = r.getObject(4, UUID.class);
                run.processed = r.getLong(5);
                run.changed = r.getLong(6);
                run.total = r.getLong(7);
                long max = r.getLong(8);
                run.maxDocuments = r.wasNull() ? null : max;
                run.batchSize = r.getInt(9);
                run.kind = new RunKind(runId, (Integer) r.getObject(10), r.getBoolean(11), (Long) r.getObject(12), (Integer) r.getObject(13), List.of());
                LOG.infof("Worker %s took run %d of %s at %d processed", worker.id(), runId, run.migration, run.processed);
                return run;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void saveProgress(Connection c, long runId, Progress run, boolean completed) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set position = ?, processed = ?, changed = ?,"
                + " batch_size = ?, heartbeat_at = now()" + (completed ? ", state = 'completed', finished_at = now()" : "") + " where id = ?")) {
            p.setObject(1, run.position);
            p.setLong(2, run.processed);
            p.setLong(3, run.changed);
            p.setInt(4, run.batchSize);
            p.setLong(5, runId);
            p.executeUpdate();
        }
    }

    private static void complete(Connection c, long runId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set state = 'completed', finished_at = now(), heartbeat_at = now() where id = ?")) {
            p.setLong(1, runId);
            p.executeUpdate();
        }
    }

    private void finish(Connection c, long runId, Progress run) throws SQLException {
        complete(c, runId);
        LOG.infof("Migration %s run %d completed: its table has no documents", run.migration, runId);
    }

    private void fail(Connection c, long runId, String documentId, String message) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set state = 'failed', error_id = ?, error_message = ?,"
                + " finished_at = now() where id = ? and state = 'running'")) {
            p.setString(1, documentId);
            p.setString(2, message);
            p.setLong(3, runId);
            p.executeUpdate();
        }
        LOG.errorf("Migration run %d failed on document %s: %s", runId, documentId, message);
    }

    /** Batch size towards the time budget: proportional, at most doubling, within [10, max]. */
    private int adapt(int size, long elapsedNanos) {
        double target = config.batchBudget().toNanos();
        double factor = Math.min(2.0, Math.max(0.25, target / Math.max(elapsedNanos, 1)));
        return (int) Math.max(MIN_BATCH, Math.min(config.maxBatchSize(), Math.round(size * factor)));
    }

    private int batchSize(Progress run, MigrationDefinition def) {
        int size = Math.max(MIN_BATCH, run.batchSize);
        if (def.maxDocumentsPerSecond() != null) {
            size = (int) Math.max(1, Math.min(size, def.maxDocumentsPerSecond() / 4));
        }
        if (run.maxDocuments != null) {
            size = (int) Math.max(1, Math.min(size, run.maxDocuments - run.processed));
        }
        return size;
    }

    /** Sleeps to keep under maxDocumentsPerSecond, heart-beating so the run is not taken for stale. */
    private void throttle(Connection c, long runId, MigrationDefinition def, long processed, long elapsedNanos, BooleanSupplier stopping) throws SQLException {
        if (def.maxDocumentsPerSecond() == null) {
            return;
        }
        long dueNanos = (long) (processed / def.maxDocumentsPerSecond() * 1e9);
        rest(System.nanoTime() + (dueNanos - elapsedNanos), 500, stopping, () -> {
            try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set heartbeat_at = now() where id = ?")) {
                p.setLong(1, runId);
                p.executeUpdate();
            }
        });
    }

    /** While this pod serves requests, rests in proportion to the last batch, so live traffic keeps its share of the database. */
    private void yieldToTraffic(long batchNanos, BooleanSupplier stopping) throws SQLException {
        if (config.yieldToTraffic() <= 0 || !traffic.busy()) {
            return;
        }
        rest(System.nanoTime() + (long) (batchNanos * config.yieldToTraffic()), 100, stopping, () -> { });
    }

    private interface Between {
        void run() throws SQLException;
    }

    /**
     * Sleeps until {@code endNanos} ({@link System#nanoTime()}) in naps of at most {@code napMillis}, doing
     * {@code between} after each nap; stops early when the worker is stopping or interrupted.
     */
    private static void rest(long endNanos, long napMillis, BooleanSupplier stopping, Between between) throws SQLException {
        while (System.nanoTime() < endNanos && !stopping.getAsBoolean()) {
            try {
                Thread.sleep(Math.max(1, Math.min(napMillis, (endNanos - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            between.run();
        }
    }

    static boolean windowOpen(MigrationDefinition def) {
        if (def.window() == null) {
            return true;
        }
        ZonedDateTime now = ZonedDateTime.now();
        Optional<ZonedDateTime> last = ExecutionTime.forCron(CRON.parse(def.window().cron())).lastExecution(now);
        return last.isPresent() && now.isBefore(last.get().plus(def.window().duration()));
    }

    private static void setPlanCacheMode(Connection c, String mode) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select set_config('plan_cache_mode', ?, false)")) {
            p.setString(1, mode);
            p.execute();
        }
    }

    static boolean needsIdText(MigrationDefinition def) {
        return def.steps().stream().anyMatch(s -> s instanceof Step.CountRelated);
    }

    /** PostgreSQL's message without its "ERROR: " prefix and context lines. */
    static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line != null && line.startsWith("ERROR: ") ? line.substring(7) : line;
    }
}
