package io.docshift.document;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the document API. */
@ConfigMapping(prefix = "docshift.documents")
public interface DocumentsConfig {

    /**
     * Tables whose planner estimate is below this many rows are counted exactly in {@code GET /api/tables};
     * bigger ones report the estimate, so listing tables never scans a big one.
     */
    @WithDefault("100000")
    long exactCountBelow();

    /** How long an Idempotency-Key is remembered: a retry within it gets the first response; after it, the key is new again. */
    @WithDefault("24h")
    java.time.Duration idempotencyWindow();
}
