package io.docshift.schema;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a schema push needs from schema transitions. It is implemented in {@code io.docshift.transition}, which
 * builds on this package; the schema package itself knows nothing of migrations or transitions.
 */
public interface TransitionPort {

    /** A transition as the API shows it (serialized as it is). */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "TransitionSummary")
    interface View {
        long id();

        int toVersion();

        String state();
    }

    /** The unfinished transition to a schema of this hash (a repeated push), if any; 409 if one to another schema is. */
    Optional<? extends View> openWithHash(String hash);

    /** The tables that the migrations {@code next} names bring to it; 400 naming {@code /migrations/i} when they cannot run. */
    Set<String> migratedTables(Schema next);

    /** Opens a transition from {@code current} to {@code next}; the caller holds the push lock. */
    View start(ActiveSchema.Snapshot current, Schema next, List<SchemaChange> changes);

    /** Rolls the open transition back; the caller holds the push lock. */
    View rollBack();
}
