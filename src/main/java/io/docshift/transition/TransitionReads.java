package io.docshift.transition;

import io.docshift.document.store.StoredDocument;
import io.docshift.schema.ActiveSchema;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;

/**
 * Upgrade on read: while a transition is open, documents the sweep has not reached yet are returned in the
 * target shape, computed in memory and never written back, so clients can move to the new shape at once.
 */
@ApplicationScoped
public class TransitionReads {

    @Inject
    ActiveSchema active;
    @Inject
    Upgrader upgrader;

    /** {@code docs} of {@code table} as this pod's view of the schema shows them. */
    public List<StoredDocument> inTargetShape(String table, List<StoredDocument> docs) {
        return inTargetShape(active.current(), table, docs);
    }

    /** {@code docs} of {@code table} as {@code schema} shows them. */
    public List<StoredDocument> inTargetShape(ActiveSchema.Snapshot schema, String table, List<StoredDocument> docs) {
        if (schema.transition() == null || docs.isEmpty()) {
            return docs;
        }
        Optional<Upgrader.Plan> plan = upgrader.plan(schema.transition(), table);
        return plan.isEmpty() ? docs : upgrader.forRead(plan.get(), docs);
    }
}
