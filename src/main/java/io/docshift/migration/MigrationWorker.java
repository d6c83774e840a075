package io.docshift.migration;

import io.docshift.coordination.AdvisoryLocks;
import io.docshift.coordination.AdvisoryLocks.Purpose;
import io.docshift.coordination.PgNotifications.Notification;
import io.docshift.coordination.WorkerIdentity;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every pod's migration worker: every poll interval, and at once when a run is requested (NOTIFY), it
 * tries the advisory lock of each pending or running run and works the ones it gets. A run whose lock is
 * held by a worker that stopped committing (paused, cut off) is taken from it by terminating that worker's
 * database session. On shutdown the current batch ends (commit or rollback) and the run is released.
 */
@ApplicationScoped
public class MigrationWorker {

    private static final Logger LOG = Logger.getLogger(MigrationWorker.class);

    @Inject
    DataSource dataSource;
    @Inject
    AdvisoryLocks locks;
    @Inject
    RunExecutor executor;
    @Inject
    MigrationsConfig config;
    @Inject
    WorkerIdentity worker;
    @Inject
    ManagedExecutor async;
    @Inject
    io.docshift.transition.TransitionAdvancer transitions;
    @Inject
    io.docshift.coordination.SessionPinning pinning;

    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean stopping;

    @Scheduled(every = "${docshift.migrations.poll:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        pass();
    }

    void onNotification(@Observes Notification n) {
        if (n.topic().equals("run")) {
            async.runAsync(this::pass);
        }
    }

    /** Works every run it can lock, one after the other. Never throws: one failure must not stop the schedule. */
    void pass() {
        if (!config.worker() || stopping || !pinning.pinned() || !busy.compareAndSet(false, true)) {
            return;
        }
        try {
            for (long runId : candidates()) {
                if (stopping) {
                    break;
                }
                tryRun(runId);
            }
            if (!stopping) {
                transitions.advance();
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf(e, "Migration pass failed on worker %s", worker.id());
        } finally {
            busy.set(false);
        }
    }

    private void tryRun(long runId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!locks.trySession(c, Purpose.MIGRATION_RUN, (int) runId)) {
                takeIfStale(c, runId);
                return;
            }
            try {
                executor.execute(c, runId, () -> stopping);
            } finally {
                locks.releaseSession(c, Purpose.MIGRATION_RUN, (int) runId);
            }
        }
    }

    /** Terminates the session of a lock holder that has not committed a batch for {@code staleAfter} (F5). */
    private void takeIfStale(Connection c, long runId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select l.pid, r.owner from docshift.migration_run r"
                + " join pg_locks l on l.locktype = 'advisory' and l.classid::bigint = ? and l.objid::bigint = ? and l.objsubid = 2 and l.granted"
                + " where r.id = ? and r.state = 'running' and r.heartbeat_at < now() - ? * interval '1 millisecond'")) {
            p.setLong(1, locks.key(Purpose.MIGRATION_RUN));
            p.setLong(2, runId);
            p.setLong(3, runId);
            p.setLong(4, config.staleAfter().toMillis());
            try (ResultSet r = p.executeQuery()) {
                if (r.next()) {
                    int pid = r.getInt(1);
                    LOG.warnf("Run %d: worker %s has not committed for %s; terminating its session (pid %d) to take the run over",
                            runId, r.getString(2), config.staleAfter(), pid);
                    try (PreparedStatement kill = c.prepareStatement("select pg_terminate_backend(?)")) {
                        kill.setInt(1, pid);
                        kill.execute();
                    }
                }
            }
        }
    }

    private List<Long> candidates() throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement("select id from docshift.migration_run where state in ('pending', 'running') order by id")) {
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
        }
        return ids;
    }

    /** At SIGTERM, while readiness is already DOWN: take no new batch, so the run is released early. */
    void onShutdownRequested(@Observes ShutdownDelayInitiatedEvent ignored) {
        stopping = true;
        LOG.infof("Migration worker %s stops taking batches: shutdown requested", worker.id());
    }

    /** Ends the current batch and releases the run before the datasource closes. */
    void onShutdown(@Observes @Priority(1) ShutdownEvent ignored) {
        stopping = true;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (busy.get() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.infof("Migration worker %s stopped", worker.id());
    }
}
