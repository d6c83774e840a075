package io.docshift.migration;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.docshift.ops.TrafficMeter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * How fast a run goes: the size of its next batch (adapted to the time budget, capped by a throttle and a
 * limit), the rest after a batch (to keep under {@code maxDocumentsPerSecond}, and to leave the database to
 * live traffic while the pod serves requests), and its time window.
 */
@ApplicationScoped
public class Pacing {

    /** The smallest batch: one document, reached only by shrinking after timeouts. */
    static final int MIN_BATCH = 1;
    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    @Inject
    MigrationsConfig config;
    @Inject
    TrafficMeter traffic;

    /** The size of the next batch: the adapted size, within the throttle's share of a second and the run's limit. */
    int nextSize(RunProgress run, MigrationDefinition def) {
        int size = Math.max(MIN_BATCH, run.batchSize);
        if (def.maxDocumentsPerSecond() != null) {
            size = (int) Math.max(1, Math.min(size, def.maxDocumentsPerSecond() / 4));
        }
        if (run.maxDocuments != null) {
            size = (int) Math.max(1, Math.min(size, run.maxDocuments - run.processed));
        }
        return size;
    }

    /** Batch size towards the time budget: proportional, at most doubling, within [1, max]. */
    int adapt(int size, long elapsedNanos) {
        double target = config.batchBudget().toNanos();
        double factor = Math.min(2.0, Math.max(0.25, target / Math.max(elapsedNanos, 1)));
        return (int) Math.max(MIN_BATCH, Math.min(config.maxBatchSize(), Math.round(size * factor)));
    }

    /** After a batch that hit the statement timeout: a quarter of it. */
    int shrink(int size) {
        return Math.max(MIN_BATCH, size / 4);
    }

    /**
     * Rests after a batch: as long as keeps {@code processedSinceStart} documents within the throttle, then, while
     * the pod serves requests, {@code yield-to-traffic} times as long as the batch took.
     */
    void rest(MigrationDefinition def, long processedSinceStart, long sinceStartNanos, long batchNanos, BooleanSupplier stopping) {
        if (def.maxDocumentsPerSecond() != null) {
            long dueNanos = (long) (processedSinceStart / def.maxDocumentsPerSecond() * 1e9);
            sleep(System.nanoTime() + (dueNanos - sinceStartNanos), stopping);
        }
        if (config.yieldToTraffic() > 0 && traffic.busy()) {
            sleep(System.nanoTime() + (long) (batchNanos * config.yieldToTraffic()), stopping);
        }
    }

    /** Rests after the {@code attempt}-th transient failure in a row: 100 ms, doubling, at most 5 s. */
    void backOff(int attempt, BooleanSupplier stopping) {
        long millis = Math.min(5_000, 100L << Math.min(6, attempt - 1));
        sleep(System.nanoTime() + millis * 1_000_000, stopping);
    }

    /** Whether the run may work now: always without a window, else from each firing of its cron for its duration. */
    boolean windowOpen(MigrationDefinition def) {
        if (def.window() == null) {
            return true;
        }
        ZonedDateTime now = ZonedDateTime.now();
        Optional<ZonedDateTime> last = ExecutionTime.forCron(CRON.parse(def.window().cron())).lastExecution(now);
        return last.isPresent() && now.isBefore(last.get().plus(def.window().duration()));
    }

    /** Sleeps until {@code endNanos} in naps of at most 100 ms; stops early when the worker is stopping or interrupted. */
    private static void sleep(long endNanos, BooleanSupplier stopping) {
        while (System.nanoTime() < endNanos && !stopping.getAsBoolean()) {
            try {
                Thread.sleep(Math.max(1, Math.min(100, (endNanos - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
