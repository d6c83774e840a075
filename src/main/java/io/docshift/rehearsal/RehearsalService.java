package io.docshift.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.coordination.AdvisoryLocks;
import io.docshift.coordination.AdvisoryLocks.Purpose;
import io.docshift.coordination.SessionPinning;
import io.docshift.coordination.WorkerIdentity;
import io.docshift.error.Conflict;
import io.docshift.error.DocshiftException;
import io.docshift.error.InvalidRequest;
import io.docshift.error.NotFound;
import io.docshift.migration.MigrationDefinition;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.Schema;
import io.docshift.schema.TransitionPort;
import io.docshift.schema.store.SchemaVersionEntity;
import io.docshift.transition.TransitionService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Rehearsals of a schema transition on a copy of the documents. A request checks the schema and its migrations
 * as a push would (400 naming the field), then the rehearsal runs on this pod's rehearsal thread while holding
 * the rehearsal advisory lock on one background connection: one at a time across pods (409 otherwise). It
 * answers as soon as the rehearsal has started; the report fills in as it goes, and the latest ones are kept.
 * Nothing here writes a live document, the schema, a run or a transition, nor takes the write gate.
 */
@ApplicationScoped
public class RehearsalService {

    private static final Logger LOG = Logger.getLogger(RehearsalService.class);
    /** The report is saved at most this often while a phase runs (and at every phase's start and at the end). */
    private static final long SAVE_EVERY_NANOS = 500_000_000L;

    @Inject
    ActiveSchema active;
    @Inject
    TransitionService transitions;
    @Inject
    AdvisoryLocks locks;
    @Inject
    SessionPinning pinning;
    @Inject
    WorkerIdentity worker;
    @Inject
    RehearsalRunner runner;
    @Inject
    RehearsalRepository repository;
    @Inject
    RehearsalConfig config;

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "docshift-rehearsal");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean stopping;

    /** Starts a rehearsal of {@code doc} over all documents of its migrated tables, or {@code sample} of each; its report so far. */
    public RehearsalReport start(JsonNode doc, Long sample) {
        if (sample != null && sample < 1) {
            throw InvalidRequest.at("sample", "must be a positive number of documents, got " + sample);
        }
        Schema next = active.parse(doc.toString());
        if (next.migrations().isEmpty()) {
            throw InvalidRequest.at("/migrations", "the schema lists no migrations, so a push of it would sweep nothing to rehearse"
                    + " (POST /api/schema/plan shows what it would do)");
        }
        List<MigrationDefinition> defs = transitions.requireMigrations(next);
        if (defs.isEmpty()) {
            throw InvalidRequest.at("/migrations", "every migration listed already completed with the same definition, so a push would sweep nothing");
        }
        List<TransitionPort.Sweep> sweeps = transitions.sweeps(next);
        if (!pinning.pinned()) {
            throw new Conflict("This pod reaches PostgreSQL through a transaction-pooling proxy, where session advisory locks cannot work;"
                    + " rehearsals are refused. Connect Docshift directly to PostgreSQL, or through session pooling.");
        }
        int fromVersion = active.refresh().version();
        int target = QuarkusTransaction.requiringNew().call(SchemaVersionEntity::nextVersion);
        if (!busy.compareAndSet(false, true)) {
            throw busy();
        }
        CompletableFuture<Long> started = new CompletableFuture<>();
        RehearsalRunner.Rehearsing r = new RehearsalRunner.Rehearsing(next, target, sample);
        try {
            thread.execute(() -> work(r, defs, sweeps, fromVersion, started));
        } catch (RejectedExecutionException e) {
            busy.set(false);
            throw new Conflict("This pod is stopping; start the rehearsal on another.");
        }
        return find(await(started));
    }

    public RehearsalReport find(long id) {
        return repository.find(id).orElseThrow(() -> new NotFound("No rehearsal " + id + " (the latest " + config.keep() + " are kept)."));
    }

    /** The kept reports, newest first. */
    public List<RehearsalReport> latest() {
        return repository.latest();
    }

    private void work(RehearsalRunner.Rehearsing r, List<MigrationDefinition> defs, List<TransitionPort.Sweep> sweeps, int fromVersion,
                      CompletableFuture<Long> started) {
        try {
            if (locks.tryWithSessionLock(Purpose.REHEARSAL, 0, c -> rehearse(c, r, defs, sweeps, fromVersion, started)).isEmpty()) {
                started.completeExceptionally(busy());
            }
        } catch (RuntimeException e) {
            if (!started.completeExceptionally(e)) {
                LOG.warnf(e, "A rehearsal could not end cleanly");
            }
        } finally {
            busy.set(false);
        }
    }

    private boolean rehearse(Connection c, RehearsalRunner.Rehearsing r, List<MigrationDefinition> defs, List<TransitionPort.Sweep> sweeps,
                             int fromVersion, CompletableFuture<Long> started) throws SQLException {
        RehearsalRepository.Started row = repository.insert(c, worker.id(), config.keep());
        Progress p = new Progress(row.id(), r.next().hash(), fromVersion, r.sample(), row.at());
        for (MigrationDefinition d : defs) {
            List<String> names = sweeps.stream().filter(s -> s.table().equals(d.table())).findFirst().map(TransitionPort.Sweep::migrations)
                    .orElse(List.of(d.name()));
            p.tables.add(new Progress.Table(d, names));
        }
        repository.save(c, p.report(RehearsalReport.RUNNING, null, null));
        started.complete(row.id());
        LOG.infof("Rehearsal %d of schema %s started: %s", row.id(), r.next().hash().substring(0, 12), p.tables.stream().map(t -> t.def.table()).toList());
        String error = null;
        long[] lastSave = {System.nanoTime()};
        String[] lastPhase = {p.phase};
        Runnable save = () -> {
            if (System.nanoTime() - lastSave[0] > SAVE_EVERY_NANOS || !p.phase.equals(lastPhase[0])) {
                lastSave[0] = System.nanoTime();
                lastPhase[0] = p.phase;
                try {
                    repository.save(c, p.report(RehearsalReport.RUNNING, null, null));
                } catch (SQLException e) {
                    throw new io.docshift.db.DatabaseFailure(e);
                }
            }
        };
        try {
            RehearsalSql.reset(c, config.statementTimeout().toMillis());
            runner.run(c, r, p, save, () -> stopping);
        } catch (SQLException | RuntimeException e) {
            error = e instanceof SQLException s ? RehearsalSweeps.firstLine(s.getMessage()) : e.getMessage();
            LOG.warnf("Rehearsal %d failed in phase %s: %s", row.id(), p.phase, error);
        } finally {
            try {
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
                RehearsalSql.drop(c);
            } catch (SQLException e) {
                LOG.warnf("Rehearsal %d could not drop its copy (schema %s); the next rehearsal drops it: %s", row.id(), RehearsalSql.SCHEMA, e.getMessage());
            }
        }
        repository.save(c, p.report(error == null ? RehearsalReport.COMPLETED : RehearsalReport.FAILED, error, OffsetDateTime.now()));
        LOG.infof("Rehearsal %d %s", row.id(), error == null ? "completed" : "failed");
        return true;
    }

    private long await(CompletableFuture<Long> started) {
        try {
            return started.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DocshiftException d) {
                throw d;
            }
            throw new IllegalStateException("the rehearsal could not start: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the rehearsal did not start within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** 409: one rehearsal at a time, naming the one running when it is known. */
    private Conflict busy() {
        return repository.running().map(id -> new Conflict("Rehearsal " + id + " is running; one rehearsal runs at a time."
                        + " Wait until it ends (GET /api/schema/rehearsals/" + id + "), then start yours.", Map.of("rehearsalId", (Object) id)))
                .orElseGet(() -> new Conflict("Another rehearsal is running; one rehearsal runs at a time. Retry when it has ended."));
    }

    @PreDestroy
    void stop() {
        stopping = true;
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
