package io.docshift.rehearsal;

import io.docshift.migration.MigrationDefinition;
import io.docshift.rehearsal.RehearsalReport.Failure;
import io.docshift.rehearsal.RehearsalReport.Live;
import io.docshift.rehearsal.RehearsalReport.Rollback;
import io.docshift.rehearsal.RehearsalReport.Sweep;
import io.docshift.rehearsal.RehearsalReport.Verification;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** A rehearsal as it goes: what each phase has found so far, turned into a {@link RehearsalReport} whenever it is saved. */
final class Progress {

    /** One migrated table's figures so far. */
    static final class Table {
        final MigrationDefinition def;
        final List<String> migrations;
        long liveDocuments;
        long copied;
        long processed;
        long changed;
        long stamped;
        long sweepNanos;
        boolean swept;
        Failure firstFailure;
        Verification verification;
        Rollback rollback;

        Table(MigrationDefinition def, List<String> migrations) {
            this.def = def;
            this.migrations = migrations;
        }

        RehearsalReport.Table report() {
            Sweep sweep = null;
            if (swept || processed > 0) {
                double seconds = sweepNanos / 1e9;
                double rate = seconds > 0 ? processed / seconds : 0;
                Double projected = rate > 0 ? liveDocuments / rate : null;
                if (projected != null && def.maxDocumentsPerSecond() != null) {
                    projected = Math.max(projected, liveDocuments / def.maxDocumentsPerSecond());
                }
                sweep = new Sweep(processed, changed, stamped, round(seconds), round(rate), projected == null ? null : round(projected));
            }
            return new RehearsalReport.Table(def.table(), migrations, def.evaluation().json(), def.backup(), liveDocuments, copied, sweep, firstFailure,
                    verification, rollback);
        }
    }

    final long id;
    final String schemaHash;
    final int fromVersion;
    final Long sample;
    final OffsetDateTime startedAt;
    final List<Table> tables = new ArrayList<>();
    volatile String phase = "copying";
    Live live;

    Progress(long id, String schemaHash, int fromVersion, Long sample, OffsetDateTime startedAt) {
        this.id = id;
        this.schemaHash = schemaHash;
        this.fromVersion = fromVersion;
        this.sample = sample;
        this.startedAt = startedAt;
    }

    /** The report now: running, or ended ({@code error} set when something stopped it). */
    RehearsalReport report(String state, String error, OffsetDateTime finishedAt) {
        List<RehearsalReport.Table> out = tables.stream().map(Table::report).toList();
        long copied = out.stream().mapToLong(RehearsalReport.Table::copied).sum();
        long left = out.stream().mapToLong(t -> t.verification() == null ? 0 : t.verification().violating()).sum();
        boolean rolledBack = out.stream().allMatch(t -> t.rollback() != null);
        Boolean byteForByte = rolledBack ? out.stream().allMatch(t -> t.rollback().byteForByte()) : null;
        Boolean succeed = !RehearsalReport.COMPLETED.equals(state) ? null
                : out.stream().allMatch(t -> t.firstFailure() == null && t.verification() != null && t.verification().violating() == 0);
        return new RehearsalReport(id, state, phase, schemaHash, fromVersion, sample, out, copied, left, byteForByte, succeed, live, error,
                startedAt.toString(), finishedAt == null ? null : finishedAt.toString());
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
