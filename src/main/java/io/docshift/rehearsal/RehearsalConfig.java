package io.docshift.rehearsal;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How rehearsals of a schema transition run on this pod. */
@ConfigMapping(prefix = "docshift.rehearsal")
public interface RehearsalConfig {

    /** Documents per batch of a rehearsal's copy, sweeps and rollback. */
    @WithDefault("1000")
    int batchSize();

    /**
     * After each batch the rehearsal rests this many times as long as the batch took, so that its one connection
     * is busy at most 1/(1 + pause) of the time and live traffic keeps the database; 0 never rests. The docs/s it
     * reports count the batches' own time only.
     */
    @WithDefault("1.0")
    double pause();

    /** How many rehearsal reports are kept; the oldest go when a new rehearsal starts. */
    @WithDefault("20")
    int keep();

    /** Every statement of a rehearsal runs under this timeout; one that hits it fails the rehearsal, which then cleans up. */
    @WithDefault("60s")
    Duration statementTimeout();
}
