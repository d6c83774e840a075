package io.docshift.migration;

import io.docshift.db.Jdbc;
import io.docshift.error.Conflict;
import io.docshift.migration.store.Run;
import io.docshift.migration.store.RunRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.util.Map;

/**
 * How long backups live: a run's saved bodies are kept for {@code docshift.migrations.backup-retention} after it
 * finished (the window in which it, or the transition it swept for, can be rolled back), then dropped; an
 * operator who trusts a version can drop them sooner. A run whose backups are gone can no longer be rolled back.
 */
@ApplicationScoped
public class Backups {

    private static final Logger LOG = Logger.getLogger(Backups.class);

    @Inject
    RunRepository runs;
    @Inject
    MigrationsConfig config;
    @Inject
    DataSource dataSource;

    /** {@code DELETE /api/migrations/runs/{runId}/backups}: 409 while the run is active or being rolled back, or when they are gone already. */
    public long drop(long runId) {
        Run run = runs.get(runId);
        if (!run.backup()) {
            throw new Conflict("Run " + runId + " kept no backups.");
        }
        long dropped = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            if (!runs.dropBackups(c, runId)) {
                throw new Conflict("The backups of run " + runId + " cannot be dropped now: " + (run.backupsDroppedAt() != null
                        ? "they were dropped at " + run.backupsDroppedAt() : "the run, or a rollback of it, is pending or running") + ".",
                        Map.of("runId", runId, "state", run.state().sql()));
            }
            try (PreparedStatement p = c.prepareStatement("delete from docshift.migration_backup where run_id = ?")) {
                p.setLong(1, runId);
                return (long) p.executeUpdate();
            }
        }));
        LOG.infof("Dropped the %d backup(s) of run %d; it can no longer be rolled back", dropped, runId);
        return dropped;
    }

    @Scheduled(every = "1h", delayed = "2m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        try {
            for (long id : runs.backupsOlderThan(config.backupRetention())) {
                try {
                    drop(id);
                } catch (Conflict e) {
                    // another pod pruned it, or a rollback started meanwhile
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not prune old backups: %s", e.getMessage());
        }
    }
}
