package io.docshift.db;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where document tables live. */
@ConfigMapping(prefix = "docshift.storage")
public interface StorageConfig {

    /** How document tables are laid out. */
    enum Distribution {
        /** Plain PostgreSQL tables. */
        none,
        /** Citus distributed tables, sharded and co-located by document id; Docshift's metadata stays on the coordinator. */
        citus
    }

    /**
     * {@code none}: document tables are plain tables. {@code citus}: the database is a Citus coordinator; every
     * document table (and the migration backups) is created distributed by document id, and Docshift refuses to
     * start unless the citus extension is there with at least one active worker.
     */
    @WithDefault("none")
    Distribution distribution();

    /** Whether document tables are Citus distributed tables. */
    default boolean citus() {
        return distribution() == Distribution.citus;
    }
}
