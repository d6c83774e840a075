package io.docshift.transition;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.coordination.AdvisoryLocks;
import io.docshift.coordination.AdvisoryLocks.Purpose;
import io.docshift.coordination.PgNotifications;
import io.docshift.db.Jdbc;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentStore;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Conflict;
import io.docshift.error.Unprocessable;
import io.docshift.migration.MigrationWorker;
import io.docshift.migration.store.Run;
import io.docshift.migration.store.RunRepository;
import io.docshift.migration.store.RunState;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.Schema;
import io.docshift.schema.SchemaActivation;
import io.docshift.schema.TableReport;
import io.docshift.schema.TableSchema;
import io.docshift.schema.TransitionState;
import io.docshift.schema.index.IndexBuilder;
import io.docshift.schema.store.IndexEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Moves the open transition along, on whichever pod gets its advisory lock first (every worker tries after
 * each pass). It is a reconciler: it reads the state of the transition's runs and indexes and decides the
 * next state from scratch each time, so a pod dying at any point leaves nothing to repair, and every move is
 * guarded on the state it was decided from, so it never overwrites a rollback or a resume that came first.
 * <ul>
 * <li>a run failed or was cancelled: {@code failed}, naming the document; serving goes on as during migrating;</li>
 * <li>runs pending or running: {@code migrating};</li>
 * <li>all runs completed and the new indexes ready: {@code verifying}: every document of the affected tables is
 * checked against the target, then {@link SchemaActivation} re-checks what was written meanwhile with the write
 * gate closed and activates the target, moving the transition from verifying to active in the same
 * transaction.</li>
 * </ul>
 */
@ApplicationScoped
public class TransitionAdvancer {

    private static final Logger LOG = Logger.getLogger(TransitionAdvancer.class);

    @Inject
    DataSource dataSource;
    @Inject
    AdvisoryLocks locks;
    @Inject
    ActiveSchema active;
    @Inject
    SchemaActivation activation;
    @Inject
    TableRegistry tables;
    @Inject
    IndexBuilder builder;
    @Inject
    PgNotifications notifications;
    @Inject
    TransitionService transitions;
    @Inject
    TransitionRepository repository;
    @Inject
    RunRepository runs;

    /** After each pass of this pod's migration worker. */
    void afterWorkerPass(@Observes MigrationWorker.Passed ignored) {
        advance();
    }

    /** One step of the open transition, if this pod gets the lock; never throws. */
    public void advance() {
        try {
            locks.tryWithSessionLock(Purpose.TRANSITION, 0, c -> {
                advanceLocked();
                return true;
            });
        } catch (Conflict e) {
            LOG.infof("The schema transition moved while this pod advanced it: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf(e, "Could not advance the schema transition");
        }
    }

    private void advanceLocked() {
        Optional<TransitionRepository.Transition> found = repository.latest();
        if (found.isEmpty()) {
            return;
        }
        TransitionRepository.Transition t = found.get();
        List<Run> of = runs.ofTransition(t.id());
        if (t.state() == TransitionState.ROLLING_BACK) {
            if (of.stream().filter(r -> r.rollbackOf() != null).allMatch(r -> r.state() == RunState.COMPLETED)) {
                move(t, EnumSet.of(TransitionState.ROLLING_BACK), TransitionState.ROLLED_BACK, null);
                LOG.infof("Schema transition %d rolled back; version %s stays active", t.id(), t.fromVersion());
            }
            return;
        }
        if (!t.state().open()) {
            return;
        }
        List<Run> sweeps = of.stream().filter(r -> r.rollbackOf() == null).toList();
        Optional<Run> broken = sweeps.stream().filter(r -> r.state() == RunState.FAILED || r.state() == RunState.CANCELLED).findFirst();
        if (broken.isPresent()) {
            if (t.state() != TransitionState.FAILED || !namesARun(t.error())) {
                Run r = broken.get();
                ObjectNode error = TransitionService.MAPPER.createObjectNode().put("message", "Run " + r.id() + " of migration " + r.migration()
                                + " is " + r.state().sql() + (r.errorMessage() == null ? "" : ": " + r.errorMessage())
                                + ". Fix the document and resume the run, or roll the transition back.")
                        .put("migration", r.migration()).put("runId", r.id());
                error.put("_id", r.errorId());
                if (move(t, TransitionState.OPEN, TransitionState.FAILED, error)) {
                    LOG.errorf("Schema transition %d failed: %s", t.id(), error.get("message").asText());
                }
            }
            return;
        }
        if (sweeps.stream().anyMatch(r -> r.state() != RunState.COMPLETED)) {
            if (t.state() != TransitionState.MIGRATING) {
                move(t, EnumSet.of(TransitionState.VERIFYING, TransitionState.FAILED), TransitionState.MIGRATING, null);
            }
            return;
        }
        if (t.state() == TransitionState.FAILED && !namesARun(t.error()) && !sweptSinceFailure(t.error(), sweeps)) {
            return; // verification failed; resuming a sweep (after fixing the documents) sweeps and verifies again
        }
        // every sweep completed: after migrating, or after the run that failed it was resumed and completed
        if (t.state() != TransitionState.VERIFYING
                && !move(t, EnumSet.of(TransitionState.MIGRATING, TransitionState.FAILED), TransitionState.VERIFYING, null)) {
            return;
        }
        verify(t, sweeps);
    }

    private void verify(TransitionRepository.Transition t, List<Run> sweeps) {
        ActiveSchema.Snapshot current = active.refresh();
        if (current.transition() == null || current.transition().id() != t.id()) {
            return;
        }
        Schema target = current.transition().target();
        if (QuarkusTransaction.requiringNew().call(() -> IndexEntity.live().stream()
                .anyMatch(e -> IndexEntity.BUILDING.equals(e.state) && target.table(e.tableName) != null
                        && target.table(e.tableName).indexes().stream().anyMatch(s -> s.name().equals(e.name))))) {
            builder.kick();
            return; // the target's indexes are still being built
        }
        List<TableSchema> toCheck = SchemaActivation.tablesToCheck(current.schema(), target);
        long mark = activation.mark(toCheck);
        List<TableReport> reports = activation.fullCheck(toCheck);
        if (!reports.isEmpty()) {
            failVerification(t, sweeps, reports);
            return;
        }
        OptionalInt activated;
        try {
            activated = activation.activate(new Target(t, sweeps, target, toCheck, mark));
        } catch (Unprocessable late) {
            failVerification(t, sweeps, late.tables().stream().map(TableReport.class::cast).toList());
            return;
        }
        if (activated.isPresent()) {
            LOG.infof("Schema transition %d complete: version %d is active", t.id(), t.toVersion());
        } else {
            move(t, EnumSet.of(TransitionState.VERIFYING), TransitionState.MIGRATING, null);
        }
    }

    /** The transition's target, activated with the write gate closed; the transition moves from verifying to active with it. */
    private final class Target implements SchemaActivation.Target {

        private final TransitionRepository.Transition transition;
        private final List<Run> sweeps;
        private final Schema schema;
        private final List<TableSchema> toCheck;
        private final long mark;

        Target(TransitionRepository.Transition transition, List<Run> sweeps, Schema schema, List<TableSchema> toCheck, long mark) {
            this.transition = transition;
            this.sweeps = sweeps;
            this.schema = schema;
            this.toCheck = toCheck;
            this.mark = mark;
        }

        @Override
        public Schema schema() {
            return schema;
        }

        @Override
        public List<TableSchema> toCheck() {
            return toCheck;
        }

        @Override
        public long mark() {
            return mark;
        }

        /** Not while documents were written behind a sweep (by an older build) since its last pass. */
        @Override
        public boolean ready(Connection c) throws SQLException {
            for (Run run : sweeps) {
                if (behind(c, run)) {
                    return false;
                }
            }
            return true;
        }

        /** The sweeps that documents were written behind go again. */
        @Override
        public void notReady(Connection c) throws SQLException {
            for (Run run : sweeps) {
                if (behind(c, run)) {
                    runs.reopenSweep(c, run.id());
                }
            }
        }

        private boolean behind(Connection c, Run run) throws SQLException {
            Optional<DocTable> table = tables.find(tableOf(c, run));
            return table.isPresent() && DocumentStore.anyBelowVersion(c, table.get(), transition.toVersion());
        }

        @Override
        public int version(Connection c) {
            return transition.toVersion();
        }

        /** A rollback that came first has moved the state: then nothing of this activation happens. */
        @Override
        public void activated(Connection c, int version) throws SQLException {
            if (!repository.move(c, transition.id(), EnumSet.of(TransitionState.VERIFYING), TransitionState.ACTIVE, null)) {
                throw repository.moved(transition.id(), "activated");
            }
        }
    }

    private void failVerification(TransitionRepository.Transition t, List<Run> sweeps, List<TableReport> reports) {
        long total = reports.stream().mapToLong(TableReport::violating).sum();
        ObjectNode error = TransitionService.MAPPER.createObjectNode()
                .put("message", total + " document(s) still violate version " + t.toVersion() + " after the migrations ran."
                        + " Fix them, then resume a migration run of the transition to sweep and verify again; or roll the transition back.")
                .put("violating", total);
        error.set("tables", TransitionService.MAPPER.valueToTree(reports));
        // a sweep that completes after this (resumed once the documents are fixed) verifies again, even when this
        // pod never sees it running: on one pod a whole pass can begin and end between two of its advances
        sweeps.stream().map(Run::finishedAt).filter(java.util.Objects::nonNull).max(java.util.Comparator.naturalOrder())
                .ifPresent(last -> error.put("sweptAt", last.toString()));
        if (move(t, EnumSet.of(TransitionState.VERIFYING), TransitionState.FAILED, error)) {
            LOG.errorf("Schema transition %d failed verification: %d document(s) violate version %d", t.id(), total, t.toVersion());
        }
    }

    /** A guarded move of the transition, announced to every pod; false when another move came first. */
    private boolean move(TransitionRepository.Transition t, Set<TransitionState> from, TransitionState to, ObjectNode error) {
        boolean moved = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            boolean done = repository.move(c, t.id(), from, to, error == null ? null : error.toString());
            if (done) {
                notifications.publish(c, "schema", "transition");
            }
            return done;
        }));
        if (moved && to != TransitionState.VERIFYING) {
            active.refresh();
        }
        return moved;
    }

    /** Whether a transition's error names the run that failed (rather than documents that failed verification). */
    private static boolean namesARun(String errorJson) {
        try {
            return errorJson != null && TransitionService.MAPPER.readTree(errorJson).path("runId").isNumber();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return false;
        }
    }

    /** Whether a sweep completed again after verification failed (its error's {@code sweptAt}). */
    private static boolean sweptSinceFailure(String errorJson, List<Run> sweeps) {
        try {
            String at = errorJson == null ? "" : TransitionService.MAPPER.readTree(errorJson).path("sweptAt").asText("");
            OffsetDateTime failed = at.isEmpty() ? OffsetDateTime.MIN : OffsetDateTime.parse(at);
            return sweeps.stream().anyMatch(r -> r.finishedAt() != null && r.finishedAt().isAfter(failed));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /** The table a run's migration walks, as its stored definition says (Java definitions carry it too). */
    private static String tableOf(Connection c, Run run) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select definition->>'table' from docshift.migration where name = ?")) {
            p.setString(1, run.migration());
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : "";
            }
        }
    }
}
