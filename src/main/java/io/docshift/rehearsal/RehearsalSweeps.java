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
 * A rehearsal's sweep of one copied table, with the transition's own steps: the SQL {@link StepSql} builds for a
 * declarative series (one statement per slice, as a sweep with backups runs it), or the {@link JavaMigration}
 * that runs a Java migration or a CEL expression only the JVM evaluates. It stops on the first document the steps
 * fail on, as the real sweep does, and names it.
 */
@ApplicationScoped
class RehearsalSweeps {

    @Inject
    TableRegistry tables;
    @Inject
    MigrationRegistry registry;
    @Inject
    RehearsalConfig config;

    void sweep(Connection c, DocTable live, Progress.Table t, int target, Runnable save, BooleanSupplier stopping) throws SQLException {
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
            Pause.after(took, config.pause(), stopping);
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

    static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line != null && line.startsWith("ERROR: ") ? line.substring(7) : line;
    }
}
