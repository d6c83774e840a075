package io.docshift.coordination;

import io.docshift.db.DatabaseFailure;
import io.docshift.db.Jdbc;
import io.docshift.error.Conflict;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * The one owner of PostgreSQL advisory locks. Keys use the two-key form: the first is Docshift's namespace
 * (one value per database, in {@code docshift.setting}) plus a purpose, the second names the object, so they
 * never collide with another application's single-key locks (F16).
 * <p>
 * Session locks are taken only through {@link #tryWithSessionLock} and {@link #withSessionLock}, modelled on
 * Flyway's {@code PostgreSQLAdvisoryLockTemplate}: the work runs on the connection that took the lock, the
 * lock is released in {@code finally} on that same connection (F2, F8), the unlock's result is checked, and a
 * failing unlock never masks the work's own exception. Session locks are only ever tried, never waited on
 * inside the database (F4). Taking a lock also records the holding pod in {@code docshift.lock_holder} in the
 * same statement; a pod that finds a lock held by a pod whose heartbeat is older than
 * {@code docshift.coordination.stale-after} terminates the holding session, so a paused or cut-off pod never
 * blocks the others for longer than that (F5).
 */
@ApplicationScoped
public class AdvisoryLocks {

    private static final Logger LOG = Logger.getLogger(AdvisoryLocks.class);
    private static final long RETRY_MILLIS = 100;

    /** What a lock protects; the ordinal offsets the namespace. */
    public enum Purpose {
        /** Writers hold it shared, a schema activation exclusive. */
        SCHEMA_GATE,
        /** One schema push at a time, across pods. */
        SCHEMA_PUSH,
        /** One builder per index. */
        INDEX_BUILD,
        /** One worker per migration run. */
        MIGRATION_RUN,
        /** One pod at a time advances the open schema transition. */
        TRANSITION,
        /** One rehearsal of a transition at a time, across pods (it owns schema docshift_rehearsal while it runs). */
        REHEARSAL
    }

    /** Work done while holding a session lock, on the connection that holds it. */
    @FunctionalInterface
    public interface Locked<T> {
        T run(Connection lockConnection) throws SQLException;
    }

    @Inject
    DataSource dataSource;
    /** Background work (runs, index builds, the transition's advance) holds its locks on this pool, never on the requests'. */
    @Inject
    @io.quarkus.agroal.DataSource("background")
    DataSource background;
    @Inject
    WorkerIdentity worker;
    @Inject
    CoordinationConfig config;
    @Inject
    io.docshift.db.Pools pools;

    private volatile int namespace;

    /** The first key of {@code purpose}'s locks. */
    public int key(Purpose purpose) {
        return namespace() + purpose.ordinal() + 1;
    }

    /**
     * Runs {@code work} while holding the session lock {@code (purpose, object)} on a connection of the
     * background pool, or returns empty without running it when another session holds the lock (after fencing that session off if its pod is stale, so
     * that a later try succeeds).
     */
    public <T> Optional<T> tryWithSessionLock(Purpose purpose, int object, Locked<T> work) {
        try (Connection c = background.getConnection()) {
            return tryOn(c, purpose, object, work);
        } catch (SQLException e) {
            pools.evictAfter(e);
            throw new DatabaseFailure(e);
        }
    }

    /**
     * Runs {@code work} while holding the session lock {@code (purpose, object)}, trying for up to {@code wait};
     * a 409 problem saying that {@code what} is in progress when it cannot be had.
     */
    public <T> T withSessionLock(Purpose purpose, int object, Duration wait, String what, Locked<T> work) {
        long deadline = System.nanoTime() + wait.toNanos();
        try (Connection c = dataSource.getConnection()) {
            while (true) {
                Optional<T> done = tryOn(c, purpose, object, work);
                if (done.isPresent()) {
                    return done.get();
                }
                if (System.nanoTime() > deadline) {
                    throw new Conflict(what + " is in progress on another pod; retry when it has finished.");
                }
                Thread.sleep(RETRY_MILLIS);
            }
        } catch (SQLException e) {
            throw new DatabaseFailure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Conflict("Interrupted while waiting: " + what + " is in progress on another pod.");
        }
    }

    private <T> Optional<T> tryOn(Connection c, Purpose purpose, int object, Locked<T> work) throws SQLException {
        if (!acquire(c, purpose, object) && !(fenceStaleHolder(c, purpose, object) && acquireOnceReleased(c, purpose, object))) {
            return Optional.empty();
        }
        T result;
        try {
            result = work.run(c);
        } catch (SQLException | RuntimeException | Error e) {
            try {
                release(c, purpose, object);
            } catch (SQLException | RuntimeException unlock) {
                e.addSuppressed(unlock);
            }
            throw e;
        }
        release(c, purpose, object);
        return Optional.of(result);
    }

    /** Tries the lock and, in the same statement, records this pod and backend as its holder. */
    private boolean acquire(Connection c, Purpose purpose, int object) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("insert into docshift.lock_holder (purpose, object, worker, pid)"
                + " select ?, ?, ?, pg_backend_pid() where pg_try_advisory_lock(?, ?)"
                + " on conflict (purpose, object) do update set worker = excluded.worker, pid = excluded.pid, since = now()")) {
            p.setInt(1, purpose.ordinal());
            p.setInt(2, object);
            p.setString(3, worker.id());
            p.setInt(4, key(purpose));
            p.setInt(5, object);
            return p.executeUpdate() == 1;
        } catch (SQLException e) {
            // a session lock outlives the failed statement that took it: never leave it behind
            try (PreparedStatement p = c.prepareStatement("select pg_advisory_unlock(?, ?)")) {
                p.setInt(1, key(purpose));
                p.setInt(2, object);
                p.execute();
            } catch (SQLException unlock) {
                e.addSuppressed(unlock);
            }
            throw e;
        }
    }

    /** Releases the lock on the connection that took it, after ending whatever transaction the work left open. */
    private void release(Connection c, Purpose purpose, int object) throws SQLException {
        if (!c.getAutoCommit()) {
            c.rollback();
            c.setAutoCommit(true);
        }
        boolean released;
        try (PreparedStatement p = c.prepareStatement("with gone as (delete from docshift.lock_holder where purpose = ? and object = ?"
                + " and pid = pg_backend_pid()) select pg_advisory_unlock(?, ?)")) {
            p.setInt(1, purpose.ordinal());
            p.setInt(2, object);
            p.setInt(3, key(purpose));
            p.setInt(4, object);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                released = r.getBoolean(1);
            }
        }
        if (!released) {
            // the session lost the lock (its backend was terminated and this is a new one?): never pool it again
            LOG.errorf("Advisory lock %s/%d was not held by this session when released; discarding the connection", purpose, object);
            c.abort(Runnable::run);
        }
    }

    /**
     * When the lock is held by a pod whose heartbeat is older than {@code stale-after} (paused, or cut off from
     * the database while its session lives on), terminates the holding session: its locks go with it, and the
     * paused pod finds its connection gone when it wakes (F5).
     */
    private boolean fenceStaleHolder(Connection c, Purpose purpose, int object) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select h.pid, h.worker, pg_terminate_backend(h.pid) from docshift.lock_holder h"
                + " join pg_locks l on l.locktype = 'advisory' and l.granted and l.pid = h.pid and l.objsubid = 2"
                + " and l.classid::bigint = ? and l.objid::bigint = ?"
                + " left join docshift.worker w on w.id = h.worker"
                + " where h.purpose = ? and h.object = ? and h.worker <> ?"
                + " and (w.heartbeat_at is null or w.heartbeat_at < now() - ? * interval '1 millisecond')")) {
            p.setLong(1, key(purpose));
            p.setLong(2, Integer.toUnsignedLong(object));
            p.setInt(3, purpose.ordinal());
            p.setInt(4, object);
            p.setString(5, worker.id());
            p.setLong(6, config.staleAfter().toMillis());
            try (ResultSet r = p.executeQuery()) {
                if (r.next()) {
                    LOG.warnf("Lock %s/%d: pod %s has not beaten its heart for %s; terminated its session (pid %d) to take over",
                            purpose, object, r.getString(2), config.staleAfter(), r.getInt(1));
                    return true;
                }
                return false;
            }
        }
    }

    /** Right after terminating a stale holder: its backend exits within moments, and the lock with it. */
    private boolean acquireOnceReleased(Connection c, Purpose purpose, int object) throws SQLException {
        for (int i = 0; i < 20; i++) {
            if (acquire(c, purpose, object)) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** The namespace stored in the database, read once: every pod on the database uses the same one. */
    private int namespace() {
        int n = namespace;
        if (n == 0) {
            n = Jdbc.call(dataSource, c -> {
                try (PreparedStatement p = c.prepareStatement("select value::int from docshift.setting where key = 'lock_namespace'");
                     ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        throw new IllegalStateException("docshift.setting has no lock_namespace; the Flyway migrations did not run");
                    }
                    return r.getInt(1);
                }
            });
            namespace = n;
        }
        return n;
    }
}
