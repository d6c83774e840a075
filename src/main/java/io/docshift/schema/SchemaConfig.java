package io.docshift.schema;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Schema settings. */
@ConfigMapping(prefix = "docshift.schema")
public interface SchemaConfig {

    /**
     * A schema file (JSON or YAML) applied at startup, under an advisory lock so one pod of many applies it.
     * Unset: the classpath resource {@code docshift/schema.json}, when the application bundles one.
     */
    Optional<String> file();

    /** How often each pod re-reads the active version, in case a NOTIFY was missed. */
    @WithDefault("5s")
    Duration refreshInterval();

    /**
     * How long a write waits to enter its table's write gate, closed while a schema activation re-checks what
     * was written to the table during its scan; past it the write answers 503 with Retry-After.
     */
    @WithDefault("2s")
    Duration gateTimeout();

    /** How often each pod looks for indexes to build or drop. */
    @WithDefault("2s")
    Duration indexPoll();
}
