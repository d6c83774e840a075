package io.docshift.migration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.document.json.DocumentJson;
import io.docshift.document.json.JsonPath;
import io.docshift.document.store.DocumentId;
import io.docshift.error.Violation;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.validate.Validator;
import io.docshift.schema.validate.Violations;

import java.util.UUID;

/**
 * What a run's batch checks every body against before it commits: the schema in force under the write gate,
 * so a run on an enforced table never stores a document its schema rejects: every write is validated, a
 * migration's too. The batch fails, naming the first such document, and stores none of
 * its documents.
 */
final class BodyCheck {

    private final Validator active;
    private final Validator target;
    private final int version;

    private BodyCheck(Validator active, Validator target, int version) {
        this.active = active;
        this.target = target;
        this.version = version;
    }

    /**
     * The check for a batch of {@code kind} on {@code table} under {@code schema}; null when nothing needs
     * checking: an unenforced table, or a transition's sweep, whose documents the transition verifies against
     * its target before it activates it. While a transition is open, a body in its target shape fits too.
     */
    static BodyCheck of(ActiveSchema.Snapshot schema, String table, RunKind kind) {
        Validator active = schema.enforcedValidator(table);
        if (active == null || kind.sweep()) {
            return null;
        }
        ActiveSchema.OpenTransition t = schema.transition();
        return new BodyCheck(active, t != null && t.open() ? t.targetValidator(table) : null, schema.version());
    }

    /** Throws {@link DocumentFailure} naming {@code id} when {@code body} fits neither shape. */
    void check(UUID id, String body) {
        ObjectNode doc = DocumentJson.fromStoredText(body);
        JsonPath path = new JsonPath();
        if (active.validate(doc, path, null) || target != null && target.validate(doc, path, null)) {
            return;
        }
        Violations found = new Violations();
        active.validate(doc, path, found);
        Violation first = found.list().get(0);
        throw new DocumentFailure(DocumentId.fromUuid(id).toString(), "the migrated document would violate the active schema (version "
                + version + ") at " + first.path() + ": " + first.message() + "; nothing of this batch was stored");
    }
}
