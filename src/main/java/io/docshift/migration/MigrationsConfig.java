package io.docshift.migration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** How migrations run on this pod. */
@ConfigMapping(prefix = "docshift.migrations")
public interface MigrationsConfig {

    /**
     * Directory of bundled declarative migrations ({@code *.json}), registered at startup. Unset: the
     * classpath folder {@code docshift/migrations}, when the application bundles one.
     */
    Optional<String> dir();

    /** How often each pod looks for runs to pick up (it also wakes at once on NOTIFY). */
    @WithDefault("2s")
    Duration poll();

    /** The time one batch should take; batch sizes adapt to it. */
    @WithDefault("250ms")
    Duration batchBudget();

    /** First batch size of a run, before it adapts. */
    @WithDefault("100")
    int initialBatchSize();

    /** Largest batch, whatever the budget allows. */
    @WithDefault("10000")
    int maxBatchSize();

    /**
     * A run whose worker has not committed a batch for this long, while still holding the run's lock, is
     * taken from it: its database session is terminated (a paused or partitioned pod, F5). Must be well above
     * the batch budget.
     */
    @WithDefault("15s")
    Duration staleAfter();

    /**
     * How long a finished run keeps its backups: the window in which it, or the transition it swept for (even
     * after activation), can be rolled back. Then they are dropped (DELETE /api/migrations/runs/{id}/backups drops them sooner).
     */
    @WithDefault("7d")
    Duration backupRetention();

    /** How often a running migration logs its progress. */
    @WithDefault("5s")
    Duration progressLogInterval();

    /** Whether this pod works on migrations at all (every pod does by default). */
    @WithDefault("true")
    boolean worker();

    /**
     * While this pod has served API requests within the last second, the worker rests this many times as long
     * as its last batch took before it starts the next one, leaving the database to live traffic; an idle
     * service migrates at full speed. 0 never yields.
     */
    @WithDefault("1.0")
    double yieldToTraffic();

    /**
     * How many violating documents a plan gives each Java migration to predict what it leaves (a dry run in the
     * pod); past it the forecast is a sample and says so. Declarative migrations are simulated on every document.
     */
    @WithDefault("10000")
    int planSample();
}
