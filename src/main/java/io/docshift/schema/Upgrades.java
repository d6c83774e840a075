package io.docshift.schema;

import io.docshift.document.store.StoredDocument;

import java.util.List;
import java.util.Optional;

/**
 * How documents stored in an older shape reach the shape of a transition's target, computed without writing
 * them (upgrade on read and on write), and back (for a patch written for the older shape). Implemented in
 * {@code io.docshift.transition} by the very steps its sweeps run.
 */
public interface Upgrades {

    /** How one table's documents reach one transition's target. */
    interface Plan {
        /** The version documents are brought to. */
        int toVersion();

        /** Whether this build can run the migration (an older build may lack a Java migration). */
        boolean runnable();
    }

    /** The plan of {@code table} in {@code transition}; empty when the transition has no migration for it. */
    Optional<? extends Plan> plan(ActiveSchema.OpenTransition transition, String table);

    /** Each body in the target shape, or empty for one the migration refuses (a value that cannot convert). */
    List<Optional<String>> upgradeEach(Plan plan, List<String> ids, List<String> bodies);

    /** {@code docs} with those below the target version shown in the target shape; never written. */
    List<StoredDocument> forRead(Plan plan, List<StoredDocument> docs);

    /**
     * A body in the target shape taken back to the previous shape by the inverse of the migration's steps (rename
     * back, split joined back); empty when the migration has no inverse (a Java migration).
     */
    Optional<String> downgrade(Plan plan, String id, String body);
}
