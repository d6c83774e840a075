package io.docshift.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.coordination.AdvisoryLocks;
import io.docshift.document.json.JsonPath;
import io.docshift.error.InvalidRequest;
import io.docshift.error.Violation;
import io.docshift.schema.validate.Validator;
import io.docshift.schema.validate.Violations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;

/** Validates every document write against the active schema, as the database has it at that moment. */
@ApplicationScoped
public class SchemaEnforcer {

    @Inject
    AdvisoryLocks locks;
    @Inject
    ActiveSchema active;

    /**
     * Enters the write gate in the caller's transaction and returns the schema in force for this write; a
     * schema activation waits for the transaction to end, so the write cannot race it.
     */
    public ActiveSchema.Snapshot enterWrite() {
        return active.at(locks.enterWriteGate());
    }

    /** Refuses (400) documents that violate the schema of {@code table}, listing every violation of every one. */
    public void require(ActiveSchema.Snapshot schema, String table, List<ObjectNode> docs, boolean batch) {
        Validator validator = schema.enforcedValidator(table);
        if (validator == null) {
            return;
        }
        JsonPath path = new JsonPath();
        Violations all = null;
        for (int i = 0; i < docs.size(); i++) {
            if (!validator.validate(docs.get(i), path, null)) {
                if (all == null) {
                    all = new Violations();
                }
                Violations one = new Violations(batch ? "/" + i : "");
                validator.validate(docs.get(i), path, one);
                all.list().addAll(one.list());
            }
        }
        if (all != null) {
            Violation first = all.list().get(0);
            throw new InvalidRequest("The document does not match the schema of table '" + table + "' (version "
                    + schema.version() + "): " + first.path() + ": " + first.message()
                    + (all.list().size() > 1 ? " (and " + (all.list().size() - 1) + " more)" : ""), all.list());
        }
    }
}
