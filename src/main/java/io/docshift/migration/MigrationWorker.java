package io.docshift.migration;

import io.docshift.coordination.AdvisoryLocks;
import io.docshift.coordination.AdvisoryLocks.Purpose;
import io.docshift.coordination.PgNotifications.Notification;
import io.docshift.coordination.WorkerIdentity;
import io.docshift.migration.store.RunRepository;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every pod's migration worker: every poll interval, and at once when a run is requested (NOTIFY), it
 * tries the advisory lock of each pending or running run and works the ones it gets. A run whose lock is
 * held by a pod that stopped beating its heart (paused, cut off) is taken from it by terminating that pod's
 * session ({@link AdvisoryLocks}). On shutdown the current batch ends (commit or rollback) and the run is released.
 */
@ApplicationScoped
public class MigrationWorker {

    private static final Logger LOG = Logger.getLogger(MigrationWorker.class);

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
    Event<Passed> passes;
    @Inject
    io.docshift.coordination.SessionPinning pinning;
    @Inject
    RunRepository runs;

    /**
     * Fired (synchronously, on the worker's thread) after each pass over the runs, for what moves along with
     * them: the schema transition's advancer.
     */
    public record Passed(String worker) {
    }

    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean requested = new AtomicBoolean();
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

    /**
     * Works every run it can lock, one after the other; a run requested meanwhile (NOTIFY) gets another pass at
     * once. Never throws: one failure must not stop the schedule.
     */
    void pass() {
        requested.set(true);
        if (!config.worker() || stopping || !pinning.pinned() || !busy.compareAndSet(false, true)) {
            return;
        }
        try {
            while (requested.getAndSet(false) && !stopping) {
                for (long runId : runs.activeIds()) {
                    if (stopping) {
                        break;
                    }
                    tryRun(runId);
                }
                if (!stopping) {
                    passes.fire(new Passed(worker.id()));
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "Migration pass failed on worker %s", worker.id());
        } finally {
            busy.set(false);
        }
    }

    /** Works the run if this pod gets its lock; a lock held by a stale pod is taken from it for the next pass. */
    private void tryRun(long runId) {
        locks.tryWithSessionLock(Purpose.MIGRATION_RUN, (int) runId, c -> {
            executor.execute(c, runId, () -> stopping);
            return true;
        });
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
