package io.docshift.rehearsal;

import io.docshift.document.json.DocumentJson;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.TableRegistry;
import io.docshift.migration.JavaMigration;
import io.docshift.migration.MigrationDefinition;
import io.docshift.migration.MigrationRegistry;
import io.docshift.migration.step.Step;
import io.docshift.migration.step.StepSql;
import io.docshift.rehearsal.RehearsalSql.Slice;
import io.docshift.rehearsal.RehearsalSql.Swept;
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
 * declarative series, the {@link JavaMigration} for one evaluated in the JVM), verifies the copy against the new
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
    MigrationRegistry registry;
    @Inject
    SchemaChecker checker;
    @Inject
    RehearsalConfig config;
    @Inject
    ActiveSchema active;

    /** The schema rehearsed and what it would sweep: the version its sweeps would stamp, and the documents to copy (null: all). */
    record Rehearsing(Schema next, int target, Long sample) {
    }

    /** Thrown when the pod stops in the middle: the rehearsal ends failed, its copy dropped. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("the pod is stopping; the rehearsal was cut short and its copy dropped", null, false, false);
        }
    }

    /** The phases, one after the other; {@code save} is called whenever the report has moved on. */
    void run(Connection c, Rehearsing r, Progress p, Runnable save, BooleanSupplier stopping) throws SQLException {
        long mark = RehearsalSql.mark(c);
        List<String> before = fingerprints(c, p, mark);
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
                sweep(c, live.get(), t, r.target(), save, stopping);
            }
            t.swept = true;
        }
        p.phase = "verifying";
        save.run();
        for (Progress.Table t : p.tables) {
            Optional<DocTable> live = tables.find(t.def.table());
            if (t.firstFailure == null) {
                t.verification = live.isEmpty() ? new RehearsalReport.Verification(0, List.of()) : verify(c, live.get(), r.next());
            }
        }
        p.phase = "rollingBack";
        save.run();
        for (Progress.Table t : p.tables) {
            Optional<DocTable> live = tables.find(t.def.table());
            t.rollback = live.isEmpty() ? new RehearsalReport.Rollback(0, 0, true, null) : rollBack(c, live.get(), stopping);
        }
        List<String> after = fingerprints(c, p, mark);
        p.live = new RehearsalReport.Live(String.join(",", before.subList(0, before.size() - 1)), String.join(",", after.subList(0, after.size() - 1)),
                before.subList(0, before.size() - 1).equals(after.subList(0, after.size() - 1)), Long.parseLong(after.get(after.size() - 1)),
                versionBefore, active.refresh().version());
        p.phase = "done";
    }

    /** One fingerprint per migrated table, then (last) the count of documents written after the mark. */
    private List<String> fingerprints(Connection c, Progress p, long mark) throws SQLException {
        List<String> out = new ArrayList<>();
        long written = 0;
        for (Progress.Table t : p.tables) {
            Optional<DocTable> live = tables.find(t.def.table());
            if (live.isPresent()) {
                RehearsalSql.Fingerprint f = RehearsalSql.fingerprint(c, live.get(), mark);
                out.add(f.hash());
                written += f.writtenAfter();
            }
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
            rest(System.nanoTime() - t0, stopping);
            save.run();
        }
    }

    private void sweep(Connection c, DocTable live, Progress.Table t, int target, Runnable save, BooleanSupplier stopping) throws SQLException {
        MigrationDefinition def = t.def;
        JavaMigration jvm = def.inJvm() ? registry.inJvm(def) : null;
        StepSql.Fragment chain = def.inJvm() ? null : StepSql.chain(def.steps(), StepSql.related(def.steps(), tables::find));
        String newBody = chain == null ? null : newBody(def, chain);
        UUID after = null;
        while (true) {
            Slice slice = RehearsalSql.nextOfCopy(c, live, after, config.batchSize());
            if (slice.size() == 0) {
                return;
            }
            long t0 = System.nanoTime();
            Swept swept;
            if (jvm != null) {
                swept = sweepInJvm(c, live, t, jvm, target, slice);
            } else {
                try {
                    swept = RehearsalSql.sweep(c, live, newBody, chain.params(), target, slice);
                } catch (SQLException e) {
                    if (e.getSQLState() == null || !e.getSQLState().startsWith("22")) {
                        throw e;
                    }
                    swept = null;
                    t.firstFailure = culprit(c, live, def, newBody, chain.params(), slice, e);
                }
            }
            long took = System.nanoTime() - t0;
            if (swept == null) {
                return; // the real sweep stops on the document, and the transition fails
            }
            t.sweepNanos += took;
            t.processed += slice.size();
            t.changed += swept.changed();
            t.stamped += swept.stamped();
            after = slice.last();
            rest(took, stopping);
            save.run();
        }
    }

    /** The body a declarative series gives row {@code u}, as a transition's sweep computes it (its parameters are the chain's). */
    private static String newBody(MigrationDefinition def, StepSql.Fragment chain) {
        Optional<StepSql.Fragment> single = StepSql.single(def.steps(), "u.data");
        boolean idText = Step.flatten(def.steps()).stream().anyMatch(s -> s instanceof Step.CountRelated);
        return single.map(f -> "(" + f.sql() + ")").orElse("(select s" + chain.stages() + ".d from (select u.data as d) s0"
                + (idText ? " cross join lateral (select docshift.id_text(u.id) as idtext offset 0) b" : "") + chain.sql() + ")");
    }

    /** The first document of a failed slice on which the steps fail, as a run names it. */
    private static RehearsalReport.Failure culprit(Connection c, DocTable live, MigrationDefinition def, String newBody, List<Object> params, Slice slice,
                                                   SQLException batch) throws SQLException {
        for (UUID id : RehearsalSql.ids(c, live, slice)) {
            String error = RehearsalSql.tryOne(c, live, newBody, params, id);
            if (error != null) {
                return new RehearsalReport.Failure(DocumentId.fromUuid(id).toString(), def.name(), firstLine(error));
            }
        }
        return new RehearsalReport.Failure(null, def.name(), firstLine(batch.getMessage()));
    }

    /** A slice through a migration evaluated in the JVM; null when it fails on a document (named in {@code t}). */
    private static Swept sweepInJvm(Connection c, DocTable live, Progress.Table t, JavaMigration jvm, int target, Slice slice) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        RehearsalSql.due(c, live, target, slice, ids, bodies);
        List<String> out = new ArrayList<>(bodies.size());
        for (int i = 0; i < ids.size(); i++) {
            String id = DocumentId.fromUuid(ids.get(i)).toString();
            try {
                Optional<com.fasterxml.jackson.databind.node.ObjectNode> r = jvm.migrate(id, DocumentJson.fromStoredText(bodies.get(i)),
                        io.docshift.json.Json.MAPPER.createObjectNode());
                out.add(r != null && r.isPresent() ? DocumentJson.toStoredText(r.get()) : bodies.get(i));
            } catch (RuntimeException e) {
                String why = e instanceof io.docshift.migration.step.StepJvm.Failure ? e.getMessage()
                        : jvm.name() + " threw " + e.getClass().getSimpleName() + ": " + e.getMessage();
                t.firstFailure = new RehearsalReport.Failure(id, t.def.name(), why);
                return null;
            }
        }
        return RehearsalSql.write(c, live, target, ids, out);
    }

    /** Checks every document of the copy against the new schema, as a transition's verification does (a schema without validation: none). */
    private RehearsalReport.Verification verify(Connection c, DocTable live, Schema next) throws SQLException {
        TableSchema table = next.table(live.name());
        if (!next.validation() || table == null) {
            return new RehearsalReport.Verification(0, List.of());
        }
        Validator validator = table.document();
        c.setAutoCommit(false); // a cursor-based fetch needs a transaction
        try {
            TableReport report = checker.check(c, RehearsalSql.copy(live), live.name(), validator, "u.data", "true", List.of(), EXAMPLES);
            return new RehearsalReport.Verification(report.violating(), report.examples());
        } finally {
            c.rollback();
            c.setAutoCommit(true);
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
            rest(System.nanoTime() - t0, stopping);
        }
        RehearsalSql.Compared compared = RehearsalSql.compare(c, live);
        return new RehearsalReport.Rollback(restored, compared.mismatched(), compared.mismatched() == 0,
                compared.first() == null ? null : DocumentId.fromUuid(compared.first()).toString());
    }

    private void rest(long batchNanos, BooleanSupplier stopping) {
        long end = System.nanoTime() + (long) (batchNanos * config.pause());
        while (System.nanoTime() < end) {
            if (stopping.getAsBoolean()) {
                throw new Stopped();
            }
            try {
                Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
        }
        if (stopping.getAsBoolean()) {
            throw new Stopped();
        }
    }

    static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line != null && line.startsWith("ERROR: ") ? line.substring(7) : line;
    }
}
