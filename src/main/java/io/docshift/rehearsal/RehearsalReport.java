package io.docshift.rehearsal;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.docshift.schema.TableReport;

import java.util.List;

/**
 * What a rehearsal found, as {@code GET /api/schema/rehearsals/{id}} shows it: per migrated table the documents
 * copied, the sweep's speed and counts, the first document it failed on, the violations verification left, and
 * whether the rollback from backups restored every body byte for byte; and the live data's fingerprint before and
 * after. Times are ISO-8601 text. While it runs, {@code phase} says where it is and the tables fill in.
 */
@org.eclipse.microprofile.openapi.annotations.media.Schema(name = "Rehearsal", description = "A rehearsal of a schema transition on a copy of the documents, and its report")
public record RehearsalReport(long id, String state, String phase, String schemaHash, int fromVersion, Long sample, List<Table> tables,
                              long copied, long violationsLeft, Boolean rollbackByteForByte, Boolean transitionWouldSucceed, Live live,
                              String error, String startedAt, String finishedAt) {

    /** The state of a rehearsal running, done, or stopped by an error (its {@code error}). */
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    /** One migrated table: its sweep's migrations and where they evaluate, and what each phase found. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RehearsedTable")
    public record Table(String table, List<String> migrations, String evaluation, boolean backup, long liveDocuments, long copied,
                        Sweep sweep, Failure firstFailure, Verification verification, Rollback rollback) {
    }

    /**
     * The sweep over the copy: documents processed, changed, and only stamped with the new version; the seconds its
     * batches took (rests excluded), its docs/s, and the projected seconds of the real sweep over the live table at
     * that speed (or at the migration's maxDocumentsPerSecond, if that is slower).
     */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RehearsedSweep")
    public record Sweep(long processed, long changed, long stamped, double seconds, double docsPerSecond, Double projectedSeconds) {
    }

    /** The first document the sweep failed on: the real transition would stop there, failed. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RehearsedFailure")
    public record Failure(@JsonProperty("_id") String id, String migration, String message) {
    }

    /** Copied documents that still violate the new schema after the sweep: the real transition would fail verification. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RehearsedVerification")
    public record Verification(long violating, List<TableReport.Example> examples) {
    }

    /** The rollback from backups: documents restored, and those whose body or version differs from the copy's original. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RehearsedRollback")
    public record Rollback(long restored, long mismatched, boolean byteForByte, String firstMismatch) {
    }

    /**
     * The live documents of the migrated tables as they were when the rehearsal started (those with a revision at
     * most the write sequence's value then), fingerprinted before and after; {@code writtenMeanwhile} counts live
     * documents clients wrote during the rehearsal, which the fingerprint leaves out. The active schema version
     * before and after.
     */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RehearsalLiveData")
    public record Live(String fingerprintBefore, String fingerprintAfter, boolean unchanged, long writtenMeanwhile,
                       int schemaVersionBefore, int schemaVersionAfter) {
    }
}
