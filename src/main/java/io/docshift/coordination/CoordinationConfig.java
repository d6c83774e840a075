package io.docshift.coordination;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How pods coordinate through PostgreSQL. */
@ConfigMapping(prefix = "docshift.coordination")
public interface CoordinationConfig {

    /**
     * First key of every advisory lock Docshift takes (two-key form), plus a small offset per purpose.
     * Change it only if another application on the same database uses keys near 1146290176 (0x44530000, "DS").
     */
    @WithDefault("1146290176")
    int lockNamespace();

    /** How long a schema push waits for another push (on any pod) to finish. */
    @WithDefault("60s")
    java.time.Duration pushLockTimeout();
}
