package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;

/**
 * A migration written in Java, for changes declarative steps cannot express. Implement it as an
 * {@code @ApplicationScoped} bean: Docshift finds every such bean at build time, registers it at startup
 * under {@link #name()}, and runs it like any migration: in batches, resumable, one worker at a time,
 * each batch's changes committed together with the run's position.
 * <p>
 * {@link #migrate} must be deterministic and must not talk to the database itself. A run reads each slice
 * ahead of writing it, on a thread of its own, so {@code migrate} may be called again for a document: when a
 * batch rolled back, or when a client wrote the document between the read and the write (it is then called
 * with the client's version, and only that result is stored). Returning a body equal to the one given counts
 * as unchanged.
 */
public interface JavaMigration {

    /** The migration's name, unique among all migrations. */
    String name();

    /** The logical table it walks. */
    String table();

    /** Bump it when the behaviour changes: it is part of the checksum that guards completed migrations. */
    default String version() {
        return "1";
    }

    /** Whether runs save each body before changing it, so that they can be rolled back (part of the checksum). */
    default boolean backup() {
        return false;
    }

    /**
     * Returns the changed body, or {@link Optional#empty()} to leave the document unchanged.
     *
     * @param id   the document's {@code _id}
     * @param body a mutable copy of the body (without system fields)
     * @param args the run's arguments ({@code {}} when none were given)
     */
    Optional<ObjectNode> migrate(String id, ObjectNode body, JsonNode args);
}
