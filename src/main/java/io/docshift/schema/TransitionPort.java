package io.docshift.schema;

import java.util.List;
import java.util.Optional;

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

    /**
     * The open transition to {@code next} through the same migrations (a repeated push), if any; 409 if a transition
     * is open to another schema, through other migrations, or failed (naming its ways out).
     */
    Optional<? extends View> openFor(Schema next);

    /** One sweep a transition to a schema would run: a table, its migrations in order, and where they run. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "PlannedSweep")
    record Sweep(String table, List<String> migrations,
                 @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "sql (in PostgreSQL), jvm (a CEL expression only the JVM evaluates) or java", enumeration = {"sql", "jvm", "java"})
                 String evaluation) {
    }

    /**
     * The sweeps that the migrations {@code next} names would run, one per table, leaving out those already applied;
     * 400 naming {@code /migrations/i} when they cannot run.
     */
    List<Sweep> sweeps(Schema next);

    /** The migrations {@code next} names that already completed with the same definition: a push does not run them again. */
    List<String> alreadyApplied(Schema next);

    /** {@code reports} (the documents violating {@code next} now), each with what the sweeps would leave of its table. */
    List<TableReport> predict(Schema next, List<TableReport> reports);

    /** Opens a transition from {@code current} to {@code next}; the caller holds the push lock. */
    View start(ActiveSchema.Snapshot current, Schema next, List<SchemaChange> changes);

    /** Rolls the open transition back; the caller holds the push lock. */
    View rollBack();
}
