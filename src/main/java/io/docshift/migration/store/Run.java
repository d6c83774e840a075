package io.docshift.migration.store;

import java.time.OffsetDateTime;
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
 */
public record Run(long id, String migration, String checksum, String args, RunState state, UUID position,
                  long processed, long changed, long total, Long maxDocuments, int batchSize, String owner,
                  OffsetDateTime heartbeatAt, String errorId, String errorMessage, OffsetDateTime requestedAt,
                  OffsetDateTime startedAt, OffsetDateTime finishedAt, Long transitionId, Integer targetVersion,
                  boolean backup, Long rollbackOf) {

    /** A run that went over the whole table (not a partial run with a limit, not a rollback). */
    public boolean complete() {
        return state == RunState.COMPLETED && maxDocuments == null && rollbackOf == null;
    }
}
