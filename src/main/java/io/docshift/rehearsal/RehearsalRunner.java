package io.docshift.rehearsal;

import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.TableRegistry;
import io.docshift.migration.JavaMigration;
import io.docshift.migration.step.StepSql;
import io.docshift.rehearsal.RehearsalSql.Slice;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.Schema;
import io.docshift.schema.SchemaChecker;
import io.docshift.schema.TableReport;
import io.docshift.schema.TableSchema;
import io.docshift.schema.validate.Validator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Runs the phases of a rehearsal on the one connection that holds the rehearsal lock: copies the documents of
 * each migrated table, sweeps the copy with the transition's own steps (the SQL {@link StepSql} builds for a
 * declarative series, a Java migration or an expression only the JVM evaluates; see {@link RehearsalSweeps}), verifies the copy against the new
 * schema with {@link SchemaChecker}, and rolls it back from its backups, comparing every body with the original.
 * Every batch is followed by a rest ({@link RehearsalConfig#pause()}), so a rehearsal holds at most one of the
 * background pool's connections, and that one at most half the time by default.
 */
@ApplicationScoped
class RehearsalRunner {

    private static final int EXAMPLES = 10;

    @Inject
    TableRegistry tables;
    @Inject
    SchemaChecker checker;
    @Inject
    RehearsalConfig config;
    @Inject
    ActiveSchema active;
    @Inject
    RehearsalSweeps sweeps;

    /** The schema rehearsed and what it would sweep: the version its sweeps would stamp, and the documents to copy (null: all). */
    record Rehearsing(Schema next, int target, Long sample) {
    }

    /** The phases, one after the other; {@code save} is called whenever the report has moved on. */
    void run(Connection c, Rehearsing r, Progress p, Runnable save, BooleanSupplier stopping) throws SQLException {
        long mark = RehearsalSql.mark(c);
        List<String> before = fingerprints(c, p, mark, stopping);
        int versionBefore = active.refresh().version();
        for (Progress.Table t : p.tables) {
            Optional<DocTable> live = tables.find(t.def.table());
            if (live.isPresent()) {
                copy(c, live.get(), t, r.sample(), save, stopping);
            }
        }
        p.phase = "sweeping";
        save.run();
        for (Progress.Table t : p.tables) {
            Optional<DocTable> live = tables.find(t.def.table());
            if (live.isPresent()) {
                sweeps.sweep(c, live.get(), t, r.target(), save, stopping);
            }
            t.swept = true;
        }
        p.phase = "verifying";
        save.run();
        for (Progress.Table t : p.tables) {
            Optional<DocTable> live = tables.find(t.def.table());
            if (t.firstFailure == null) {
                t.verification = live.isEmpty() ? new RehearsalReport.Verification(0, List.of()) : verify(c, live.get(), r.next(), stopping);
            }
        }
        p.phase = "rollingBack";
        save.run();
        for (Progress.Table t : p.tables) {
            Optional<DocTable> live = tables.find(t.def.table());
            t.rollback = live.isEmpty() ? new RehearsalReport.Rollback(0, 0, true, null) : rollBack(c, live.get(), stopping);
        }
        List<String> after = fingerprints(c, p, mark, stopping);
        p.live = new RehearsalReport.Live(String.join(",", before.subList(0, before.size() - 1)), String.join(",", after.subList(0, after.size() - 1)),
                before.subList(0, before.size() - 1).equals(after.subList(0, after.size() - 1)), Long.parseLong(after.get(after.size() - 1)),
                versionBefore, active.refresh().version());
        p.phase = "done";
    }

    /** One fingerprint per migrated table ({@code documents:hashes}), then (last) the count of documents written after the mark. */
    private List<String> fingerprints(Connection c, Progress p, long mark, BooleanSupplier stopping) throws SQLException {
        List<String> out = new ArrayList<>();
        long written = 0;
        for (Progress.Table t : p.tables) {
            Optional<DocTable> live = tables.find(t.def.table());
            if (live.isEmpty()) {
                continue;
            }
            RehearsalSql.Fingerprint sum = new RehearsalSql.Fingerprint(0, java.math.BigInteger.ZERO, 0);
            UUID after = null;
            while (true) {
                long t0 = System.nanoTime();
                Slice slice = RehearsalSql.nextOfLive(c, live.get(), after, config.batchSize());
                if (slice.size() == 0) {
                    break;
                }
                sum = sum.plus(RehearsalSql.fingerprint(c, live.get(), mark, slice));
                after = slice.last();
                Pause.after(System.nanoTime() - t0, config.pause(), stopping);
            }
            out.add(sum.documents() + ":" + sum.hashes().toString(16));
            written += sum.writtenAfter();
        }
        out.add(Long.toString(written));
        return out;
    }

    private void copy(Connection c, DocTable live, Progress.Table t, Long sample, Runnable save, BooleanSupplier stopping) throws SQLException {
        t.liveDocuments = RehearsalSql.count(c, live);
        RehearsalSql.create(c, live, sample);
        UUID after = null;
        while (true) {
            long t0 = System.nanoTime();
            Slice slice = RehearsalSql.nextToCopy(c, live, sample != null, after, config.batchSize());
            if (slice.size() == 0) {
                return;
            }
            t.copied += RehearsalSql.copySlice(c, live, sample != null, slice);
            after = slice.last();
            Pause.after(System.nanoTime() - t0, config.pause(), stopping);
            save.run();
        }
    }

    /**
     * Checks every document of the copy against the new schema, as a transition's verification does (a schema
     * without validation: none), slice by slice with a rest after each.
     */
    private RehearsalReport.Verification verify(Connection c, DocTable live, Schema next, BooleanSupplier stopping) throws SQLException {
        TableSchema table = next.table(live.name());
        if (!next.validation() || table == null) {
            return new RehearsalReport.Verification(0, List.of());
        }
        Validator validator = table.document();
        long violating = 0;
        List<TableReport.Example> examples = new ArrayList<>();
        UUID after = null;
        while (true) {
            long t0 = System.nanoTime();
            Slice slice = RehearsalSql.nextOfCopy(c, live, after, config.batchSize());
            if (slice.size() == 0) {
                return new RehearsalReport.Verification(violating, examples);
            }
            TableReport report = checker.check(c, RehearsalSql.copy(live), live.name(), validator, "u.data", "u.id > ? and u.id <= ?",
                    List.of(slice.after() == null ? new UUID(0, 0) : slice.after(), slice.last()), EXAMPLES - examples.size());
            violating += report.violating();
            examples.addAll(report.examples());
            after = slice.last();
            Pause.after(System.nanoTime() - t0, config.pause(), stopping);
        }
    }

    /** Restores the copy from its backups, slice by slice, then compares every document with its original. */
    private RehearsalReport.Rollback rollBack(Connection c, DocTable live, BooleanSupplier stopping) throws SQLException {
        long restored = 0;
        UUID after = null;
        while (true) {
            long t0 = System.nanoTime();
            Slice slice = RehearsalSql.nextOfBackup(c, live, after, config.batchSize());
            if (slice.size() == 0) {
                break;
            }
            restored += RehearsalSql.restore(c, live, slice);
            after = slice.last();
            Pause.after(System.nanoTime() - t0, config.pause(), stopping);
        }
        long mismatched = 0;
        UUID first = null;
        after = null;
        while (true) {
            long t0 = System.nanoTime();
            Slice slice = RehearsalSql.nextOfCopy(c, live, after, config.batchSize());
            if (slice.size() == 0) {
                break;
            }
            RehearsalSql.Compared compared = RehearsalSql.compare(c, live, slice);
            mismatched += compared.mismatched();
            first = first == null ? compared.first() : first;
            after = slice.last();
            Pause.after(System.nanoTime() - t0, config.pause(), stopping);
        }
        return new RehearsalReport.Rollback(restored, mismatched, mismatched == 0, first == null ? null : DocumentId.fromUuid(first).toString());
    }

}
