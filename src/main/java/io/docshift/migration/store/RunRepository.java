package io.docshift.migration.store;

import io.docshift.db.Jdbc;
import io.docshift.error.Conflict;
import io.docshift.error.NotFound;
import io.docshift.schema.TransitionState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * All SQL on {@code docshift.migration_run}, as Flyway keeps all SQL on its history table in one class. Every
 * state change is a guarded update ({@code ... where id = ? and state in (expected)}) whose row count is
 * checked: an operator's cancel, resume or rollback and a worker's batch commit can race freely, and each
 * either happens on the state it expected or not at all. A change touches only the columns it is about, so
 * a cancel never writes a position or a counter: the worker's last committed batch stays as it committed.
 * At most one run per migration is active ({@code migration_run_one_active}).
 * <p>
 * Methods taking a {@link Connection} run in the transaction open on it; the others on a pooled connection
 * (the current JTA transaction's, if any).
 */
@ApplicationScoped
public class RunRepository {

    private static final String COLUMNS = "id, migration, checksum, args::text, state, position, processed, changed, total, max_documents,"
            + " batch_size, owner, heartbeat_at, error_id, error_message, requested_at, started_at, finished_at, transition_id,"
            + " target_version, backup, rollback_of, series, stamped, backups_dropped_at, worked_ms";
    private static final String ACTIVE = RunState.sqlList(RunState.ACTIVE);
    private static final int MIN_BATCH = 10;
    /**
     * A worker's write to its run adds the time since its previous one (or since it took the run): only time a
     * worker held the run counts as work, not the time it spent pending, failed, cancelled or waiting for a window.
     * The clock, not the transaction's start: a batch's own time counts in the batch that commits it.
     */
    private static final String WORKED = "worked_ms = worked_ms + greatest(0, (extract(epoch from clock_timestamp() - coalesce(heartbeat_at, clock_timestamp())) * 1000)::bigint),"
            + " heartbeat_at = clock_timestamp()";

    /** A run to insert. {@code total} is the planner's idea of the documents it will walk. */
    public record NewRun(String migration, String checksum, String args, Long maxDocuments, int batchSize, boolean backup,
                         long total, Long transitionId, Integer targetVersion, Long rollbackOf, List<String> series) {

        public NewRun(String migration, String checksum, String args, Long maxDocuments, int batchSize, boolean backup,
                      long total, Long transitionId, Integer targetVersion, Long rollbackOf) {
            this(migration, checksum, args, maxDocuments, batchSize, backup, total, transitionId, targetVersion, rollbackOf, null);
        }
    }

    @Inject
    DataSource dataSource;
    /** The workers' poll reads on the background pool, never taking a connection from requests. */
    @Inject
    @io.quarkus.agroal.DataSource("background")
    DataSource background;

    // ---- reads -------------------------------------------------------------------------------------------

    public Optional<Run> find(long id) {
        return one("select " + COLUMNS + " from docshift.migration_run where id = ?", id);
    }

    /** The run, or a 404 problem. */
    public Run get(long id) {
        return find(id).orElseThrow(() -> new NotFound("No migration run " + id + "."));
    }

    /** The runs of a migration, newest first. */
    public List<Run> ofMigration(String migration) {
        return list("select " + COLUMNS + " from docshift.migration_run where migration = ? order by id desc", migration);
    }

    public Optional<Run> latest(String migration) {
        return one("select " + COLUMNS + " from docshift.migration_run where migration = ? order by id desc limit 1", migration);
    }

    /**
     * The last run over the whole table that completed and was not rolled back since (the seed's
     * {@code _migrationLog} check): a rolled-back migration may run again, or change its definition.
     */
    public Optional<Run> lastComplete(String migration) {
        return one("select " + COLUMNS + " from docshift.migration_run r where migration = ? and state = 'completed'"
                + " and max_documents is null and rollback_of is null and not exists (select 1 from docshift.migration_run b"
                + " where b.rollback_of = r.id and b.state = 'completed') order by id desc limit 1", migration);
    }

    /**
     * The last run over the whole table, not rolled back since, that applied {@code migration}: its own, or a
     * transition's sweep through a series that lists it.
     */
    public Optional<Run> lastCompleteIncluding(String migration) {
        return one("select " + COLUMNS + " from docshift.migration_run r where (migration = ? or ? = any(series)) and state = 'completed'"
                + " and max_documents is null and rollback_of is null and not exists (select 1 from docshift.migration_run b"
                + " where b.rollback_of = r.id and b.state = 'completed') order by id desc limit 1", migration, migration);
    }

    /** The pending or running run of a migration, if any (there is at most one). */
    public Optional<Run> active(String migration) {
        return one("select " + COLUMNS + " from docshift.migration_run where migration = ? and state in " + ACTIVE, migration);
    }

    /** The rollback of run {@code id} that is done or under way (a failed or cancelled one does not count). */
    public Optional<Run> rollbackOf(long id) {
        return one("select " + COLUMNS + " from docshift.migration_run where rollback_of = ? and state in ('pending', 'running', 'completed')"
                + " order by id desc limit 1", id);
    }

    /**
     * Of the runs {@code ids}, those a completed rollback took back, each with the id of that rollback: what views
     * show as {@code rolledBack}, a state derived here and never stored (a run's own state stays {@code completed}).
     */
    public Map<Long, Long> rolledBack(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        return Jdbc.call(dataSource, c -> {
            Map<Long, Long> out = new HashMap<>();
            try (PreparedStatement p = c.prepareStatement("select rollback_of, max(id) from docshift.migration_run"
                    + " where rollback_of = any(?) and state = 'completed' group by rollback_of")) {
                p.setArray(1, c.createArrayOf("bigint", ids.toArray()));
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.put(r.getLong(1), r.getLong(2));
                    }
                }
            }
            return out;
        });
    }

    /** The runs of a transition (sweeps first, then rollbacks), in id order. */
    public List<Run> ofTransition(long transitionId) {
        return list("select " + COLUMNS + " from docshift.migration_run where transition_id = ? order by id", transitionId);
    }

    /** Finished runs, newest first: the migration log. */
    public List<Run> finished() {
        return list("select " + COLUMNS + " from docshift.migration_run where state in " + RunState.sqlList(RunState.ENDED)
                + " order by finished_at desc nulls last, id desc");
    }

    /** Runs that are running now or waiting for a worker, oldest first. */
    public List<Run> active() {
        return list("select " + COLUMNS + " from docshift.migration_run where state in " + ACTIVE + " order by id");
    }

    /** The ids of the runs a worker may take, oldest first. */
    public List<Long> activeIds() {
        return Jdbc.call(background, c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("select id from docshift.migration_run where state in " + ACTIVE + " order by id");
                 ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
            return ids;
        });
    }

    /** Whether a run of {@code migration} belongs to a transition that is still open. */
    public boolean inOpenTransition(String migration) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select exists (select 1 from docshift.migration_run r join docshift.transition t"
                    + " on t.id = r.transition_id where (r.migration = ? or ? = any(r.series)) and t.state in " + TransitionState.OPEN_SQL + ")")) {
                p.setString(1, migration);
                p.setString(2, migration);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getBoolean(1);
                }
            }
        });
    }

    // ---- operator actions --------------------------------------------------------------------------------

    /**
     * Inserts a pending run; a 409 problem naming the run that already holds its migration if there is one.
     * Safe under any concurrency: the unique index decides, not a read before the insert.
     */
    public long insert(Connection c, NewRun r) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("insert into docshift.migration_run (migration, checksum, args, state, max_documents,"
                + " batch_size, backup, total, transition_id, target_version, rollback_of, series) values (?, ?, ?::jsonb, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)"
                + " on conflict (migration) where state in " + ACTIVE + " do nothing returning id")) {
            p.setString(1, r.migration());
            p.setString(2, r.checksum());
            p.setString(3, r.args());
            p.setObject(4, r.maxDocuments());
            p.setInt(5, r.batchSize());
            p.setBoolean(6, r.backup());
            p.setLong(7, r.total());
            p.setObject(8, r.transitionId());
            p.setObject(9, r.targetVersion());
            p.setObject(10, r.rollbackOf());
            p.setArray(11, r.series() == null ? null : c.createArrayOf("text", r.series().toArray()));
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            }
        }
        Run holder = one(c, "select " + COLUMNS + " from docshift.migration_run where migration = ? and state in " + ACTIVE, r.migration())
                .orElseThrow(() -> new Conflict("Migration '" + r.migration() + "' had an active run a moment ago; retry."));
        throw alreadyActive(holder);
    }

    /** Inserts a pending run on a connection of its own. */
    public long insert(NewRun r) {
        return Jdbc.call(dataSource, c -> insert(c, r));
    }

    /** Pending or running to cancelled; the worker notices at its next batch boundary. 409 naming the state otherwise. */
    public Run cancel(long id) {
        return guarded(id, Set.of(RunState.PENDING, RunState.RUNNING), "cancelled",
                "update docshift.migration_run set state = 'cancelled', finished_at = now() where id = ? and state in " + ACTIVE);
    }

    /**
     * Cancelled or failed to pending, keeping the position and counters of the last committed batch; the
     * error is cleared. 409 naming the state otherwise, or naming the run that holds the migration now.
     */
    public Run resume(long id) {
        return guardedOrHeld(id, Set.of(RunState.CANCELLED, RunState.FAILED), "resumed",
                "update docshift.migration_run set state = 'pending', error_id = null, error_message = null, finished_at = null"
                        + " where id = ? and state in ('cancelled', 'failed')");
    }

    /**
     * A completed sweep of a transition that failed verification, back to pending for another pass from the
     * start (the documents fixed since are swept and verified again). 409 otherwise.
     */
    public Run restartSweep(long id) {
        return guardedOrHeld(id, Set.of(RunState.COMPLETED), "swept again",
                "update docshift.migration_run r set state = 'pending', position = null, finished_at = null where id = ? and state = 'completed'"
                        + " and transition_id is not null and exists (select 1 from docshift.transition t where t.id = r.transition_id"
                        + " and t.state = '" + TransitionState.FAILED.sql() + "')");
    }

    /** Cancels every active run of a transition (it is rolling back); returns how many. */
    public int cancelAll(Connection c, long transitionId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set state = 'cancelled', finished_at = now()"
                + " where transition_id = ? and state in " + ACTIVE)) {
            p.setLong(1, transitionId);
            return p.executeUpdate();
        }
    }

    /**
     * A completed sweep of an open transition, back to pending for another pass: documents were written behind
     * it (by an older build) between its last pass and the activation. False if it is not completed.
     */
    public boolean reopenSweep(Connection c, long id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set state = 'pending', position = null, finished_at = null"
                + " where id = ? and state = 'completed' and transition_id is not null")) {
            p.setLong(1, id);
            return p.executeUpdate() == 1;
        }
    }

    /**
     * Marks the backups of run {@code id} dropped (its backup rows are deleted by the caller in the same
     * transaction); false if they were already, or the run is active or being rolled back.
     */
    public boolean dropBackups(Connection c, long id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run r set backups_dropped_at = now() where id = ? and backup"
                + " and backups_dropped_at is null and state not in " + ACTIVE + " and not exists (select 1 from docshift.migration_run b"
                + " where b.rollback_of = r.id and b.state in " + ACTIVE + ")")) {
            p.setLong(1, id);
            return p.executeUpdate() == 1;
        }
    }

    /** Runs whose backups are older than {@code retention} (finished before it) and still kept. */
    public List<Long> backupsOlderThan(java.time.Duration retention) {
        return Jdbc.call(dataSource, c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("select id from docshift.migration_run where backup and backups_dropped_at is null"
                    + " and state not in " + ACTIVE + " and finished_at < now() - ? * interval '1 second' order by id")) {
                p.setLong(1, retention.toSeconds());
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getLong(1));
                    }
                }
            }
            return ids;
        });
    }

    // ---- the worker's side -------------------------------------------------------------------------------

    /**
     * Claims a pending or running run for {@code worker} (the caller holds its advisory lock) and returns it as
     * committed. A run taken over from another worker restarts with a quarter of its batch size: its last batch
     * may be why that worker stopped committing.
     */
    public Optional<Run> claim(Connection c, long id, String worker) throws SQLException {
        return one(c, "update docshift.migration_run set state = 'running', owner = ?,"
                + " batch_size = case when state = 'running' and owner is distinct from ? then greatest(" + MIN_BATCH + ", batch_size / 4) else batch_size end,"
                + " started_at = coalesce(started_at, now()), heartbeat_at = clock_timestamp() where id = ? and state in " + ACTIVE
                + " returning " + COLUMNS, worker, worker, id);
    }

    /**
     * Commits a batch's progress, only if the run is still running, still {@code worker}'s and still at
     * {@code from}, the position this worker last committed: the fence of every batch. False when it is not;
     * the caller then rolls the batch back. With {@code complete} the run ends completed. The total follows the
     * count when documents inserted since it was counted push the count past it: a run never reads 120/100.
     */
    public boolean commitBatch(Connection c, long id, String worker, UUID from, UUID to, long processed, long changed, long stamped,
                               int batchSize, boolean complete) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set position = ?, processed = ?, changed = ?, stamped = ?,"
                + " total = greatest(total, ?), batch_size = ?, " + WORKED
                + (complete ? ", state = 'completed', finished_at = now()" : "")
                + " where id = ? and state = 'running' and owner = ? and position is not distinct from ?")) {
            p.setObject(1, to);
            p.setLong(2, processed);
            p.setLong(3, changed);
            p.setLong(4, stamped);
            p.setLong(5, processed);
            p.setInt(6, batchSize);
            p.setLong(7, id);
            p.setString(8, worker);
            p.setObject(9, from);
            return p.executeUpdate() == 1;
        }
    }

    /** Ends the run completed, fenced like a batch. */
    public boolean complete(Connection c, long id, String worker, UUID at) throws SQLException {
        return fenced(c, "update docshift.migration_run set state = 'completed', finished_at = now(), " + WORKED
                + " where id = ? and state = 'running' and owner = ? and position is not distinct from ?", id, worker, at);
    }

    /**
     * Starts another pass of a sweep from the start of the table, fenced like a batch. {@code documents} is what the
     * pass will walk (the table as it is now): the total becomes what {@code processed} will read at its end, since
     * processed counts every document each pass goes through.
     */
    public boolean newPass(Connection c, long id, String worker, UUID at, long documents) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set position = null, total = processed + ?, " + WORKED
                + " where id = ? and state = 'running' and owner = ? and position is not distinct from ?")) {
            p.setLong(1, documents);
            p.setLong(2, id);
            p.setString(3, worker);
            p.setObject(4, at);
            return p.executeUpdate() == 1;
        }
    }

    /** Ends the run failed, naming the document (may be null) and why, if it is still {@code worker}'s. */
    public boolean fail(Connection c, long id, String worker, String documentId, String message) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.migration_run set state = 'failed', error_id = ?, error_message = ?,"
                + " finished_at = now(), " + WORKED + " where id = ? and state = 'running' and owner = ?")) {
            p.setString(1, documentId);
            p.setString(2, message);
            p.setLong(3, id);
            p.setString(4, worker);
            return p.executeUpdate() == 1;
        }
    }

    // ---- plumbing ----------------------------------------------------------------------------------------

    private static boolean fenced(Connection c, String sql, long id, String worker, UUID at) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, id);
            p.setString(2, worker);
            p.setObject(3, at);
            return p.executeUpdate() == 1;
        }
    }

    /** Runs a guarded update of run {@code id}, returning the run after it; 404 or 409 naming the state when the guard fails. */
    private Run guarded(long id, Set<RunState> from, String verb, String sql) {
        return Jdbc.call(dataSource, c -> one(c, sql + " returning " + COLUMNS, id))
                .orElseThrow(() -> refusal(get(id), from, verb));
    }

    /** As {@link #guarded}, for a change to an active state: the run that holds the migration is named when there is one. */
    private Run guardedOrHeld(long id, Set<RunState> from, String verb, String sql) {
        try {
            return guarded(id, from, verb, sql);
        } catch (io.docshift.db.DatabaseFailure e) {
            if (e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState())) {
                Run run = get(id);
                throw active(run.migration()).map(RunRepository::alreadyActive)
                        .orElseGet(() -> new Conflict("Migration '" + run.migration() + "' had an active run a moment ago; retry."));
            }
            throw e;
        }
    }

    private static Conflict refusal(Run run, Set<RunState> from, String verb) {
        String expected = from.stream().sorted().map(RunState::sql).collect(Collectors.joining(" or "));
        return new Conflict("Run " + run.id() + " is " + run.state().sql() + "; only " + expected + " runs can be " + verb + ".",
                Map.of("runId", run.id(), "state", run.state().sql()));
    }

    /** 409 naming the run that holds a migration, in the detail and as {@code runId}. */
    private static Conflict alreadyActive(Run holder) {
        return new Conflict("Migration '" + holder.migration() + "' already has run " + holder.id() + " " + holder.state().sql()
                + "; cancel it or let it finish first.", Map.of("runId", holder.id(), "state", holder.state().sql()));
    }

    private Optional<Run> one(String sql, Object... params) {
        return Jdbc.call(dataSource, c -> one(c, sql, params));
    }

    private static Optional<Run> one(Connection c, String sql, Object... params) throws SQLException {
        List<Run> runs = list(c, sql, params);
        return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(0));
    }

    private List<Run> list(String sql, Object... params) {
        return Jdbc.call(dataSource, c -> list(c, sql, params));
    }

    private static List<Run> list(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                p.setObject(i + 1, params[i]);
            }
            List<Run> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(read(r));
                }
            }
            return out;
        }
    }

    private static Run read(ResultSet r) throws SQLException {
        long max = r.getLong(10);
        Long maxDocuments = r.wasNull() ? null : max;
        return new Run(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), RunState.of(r.getString(5)), r.getObject(6, UUID.class),
                r.getLong(7), r.getLong(8), r.getLong(9), maxDocuments, r.getInt(11), r.getString(12),
                r.getObject(13, OffsetDateTime.class), r.getString(14), r.getString(15), r.getObject(16, OffsetDateTime.class),
                r.getObject(17, OffsetDateTime.class), r.getObject(18, OffsetDateTime.class), (Long) r.getObject(19),
                (Integer) r.getObject(20), r.getBoolean(21), (Long) r.getObject(22),
                r.getArray(23) == null ? null : List.of((String[]) r.getArray(23).getArray()), r.getLong(24), r.getObject(25, OffsetDateTime.class),
                r.getLong(26));
    }
}
