package io.docshift.migration.store;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A row of {@code docshift.migration_run} as read: a run of a migration and its committed progress. Only
 * {@link RunRepository} changes runs, each change a guarded update.
 *
 * @param transitionId  the schema transition this run sweeps for (or rolls back), if any
 * @param targetVersion for a transition's sweep, the version it brings documents to; for its rollback, the
 *                      version they return to
 * @param backup        whether the run saves each body before changing it
 * @param rollbackOf    the run this run rolls back, if it is a rollback
 * @param series        for a transition's sweep through several migrations of one table: their names, in order
 * @param stamped       of a sweep's documents, those only stamped with the target version (their body unchanged)
 * @param backupsDroppedAt when its backups were dropped (pruned or by hand): it can no longer be rolled back
 * @param workedMs      the time workers held it, summed over every time one took it, up to its last committed write
 */
public record Run(long id, String migration, String checksum, String args, RunState state, UUID position,
                  long processed, long changed, long total, Long maxDocuments, int batchSize, String owner,
                  OffsetDateTime heartbeatAt, String errorId, String errorMessage, OffsetDateTime requestedAt,
                  OffsetDateTime startedAt, OffsetDateTime finishedAt, Long transitionId, Integer targetVersion,
                  boolean backup, Long rollbackOf, List<String> series, long stamped, OffsetDateTime backupsDroppedAt,
                  long workedMs) {

    /** A run that went over the whole table (not a partial run with a limit, not a rollback). */
    public boolean complete() {
        return state == RunState.COMPLETED && maxDocuments == null && rollbackOf == null;
    }

    /** The migrations this run applies, in order: its series, or its one migration. */
    public List<String> migrations() {
        return series == null || series.isEmpty() ? List.of(migration) : series;
    }
}
