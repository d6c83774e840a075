package io.docshift.coordination;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How pods coordinate through PostgreSQL. */
@ConfigMapping(prefix = "docshift.coordination")
public interface CoordinationConfig {

    /** How long a schema push waits for another push (on any pod) to finish. */
    @WithDefault("60s")
    Duration pushLockTimeout();

    /**
     * A pod that has not beaten its heart (about once a second) for this long is taken for paused or cut off:
     * a pod that needs one of its locks terminates the database session holding it (F5). The older key
     * {@code docshift.migrations.stale-after} sets it too. Keep it well above a second.
     */
    @WithDefault("${docshift.migrations.stale-after:15s}")
    Duration staleAfter();
}
