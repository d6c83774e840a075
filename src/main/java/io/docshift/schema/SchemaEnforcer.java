package io.docshift.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.document.json.DocumentJson;
import io.docshift.document.json.JsonPath;
import io.docshift.document.json.MergePatch;
import io.docshift.document.store.GateCheck;
import io.docshift.document.store.StoredDocument;
import io.docshift.error.InvalidRequest;
import io.docshift.error.Violation;
import io.docshift.schema.validate.Validator;
import io.docshift.schema.validate.Violations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Validates every document write against the schema as the database has it at that moment, and shows documents
 * as clients should see them. While a transition is open, a write is accepted in the target shape, or in the
 * active shape when the transition's migration brings it to the target shape, and it is then stored upgraded
 * (upgrade on write); reads show documents the sweep has not reached yet in the target shape (upgrade on read).
 * Once the transition has activated its target, writes in the previous shape are still upgraded the same way,
 * so clients that have not moved yet keep working until the next schema version.
 */
@ApplicationScoped
public class SchemaEnforcer {

    @Inject
    WriteGate gate;
    @Inject
    ActiveSchema active;
    @Inject
    Upgrades upgrades;

    /** A body to store, and the schema version it conforms to. */
    public record Accepted(String body, int version) {
    }

    /**
     * Enters the write gate of {@code table} in the caller's transaction and returns the schema in force for this
     * write; a schema activation that checks the table waits for the transaction to end, so the write cannot race it.
     */
    public ActiveSchema.Snapshot enterWrite(String table) {
        WriteGate.Seen seen = gate.enter(table);
        return active.at(seen.activeVersion(), seen.transitionId());
    }

    /** The check that folds the gate into the write statement of a body validated against {@code schema}. */
    public GateCheck gateCheck(String table, ActiveSchema.Snapshot schema) {
        return gate.check(table, schema);
    }

    /** This pod's view of the schema, without entering the write gate. */
    public ActiveSchema.Snapshot current() {
        return active.current();
    }

    /** {@code docs} of {@code table} as this pod's view of the schema shows them. */
    public List<StoredDocument> forRead(String table, List<StoredDocument> docs) {
        return forRead(active.current(), table, docs);
    }

    /** {@code docs} of {@code table} as {@code schema} shows them: in the target shape while a transition is open. */
    public List<StoredDocument> forRead(ActiveSchema.Snapshot schema, String table, List<StoredDocument> docs) {
        if (schema.transition() == null || docs.isEmpty()) {
            return docs;
        }
        Optional<? extends Upgrades.Plan> plan = upgrades.plan(schema.transition(), table);
        return plan.isEmpty() ? docs : upgrades.forRead(plan.get(), docs);
    }

    /**
     * What to store when {@code patch} (JSON Merge Patch) is applied to {@code stored}. The patch applies to the
     * document as clients read it; a patch written for the previous shape of a transition works too, however far
     * the sweep has come: it applies to the stored body when the sweep has not reached it, and else to the body
     * taken back to the previous shape, and the result is upgraded on write. A 400 listing the violations of the
     * patch as written when none of these fits.
     */
    public Accepted acceptPatch(ActiveSchema.Snapshot schema, String table, StoredDocument stored, ObjectNode patch) {
        StoredDocument shown = forRead(schema, table, List.of(stored)).get(0);
        String id = stored.id().toString();
        try {
            return accept(schema, table, List.of(id), List.of(MergePatch.apply(DocumentJson.fromStoredText(shown.bodyText()), patch)), false).get(0);
        } catch (InvalidRequest asWritten) {
            Optional<String> previousShape = shown != stored ? Optional.of(stored.bodyText()) : downgrade(schema, table, stored);
            if (previousShape.isEmpty()) {
                throw asWritten;
            }
            try {
                return accept(schema, table, List.of(id), List.of(MergePatch.apply(DocumentJson.fromStoredText(previousShape.get()), patch)), false).get(0);
            } catch (InvalidRequest ignored) {
                throw asWritten;
            }
        }
    }

    /** A document already in a transition's target shape, in the shape before it, when the migration can go back. */
    private Optional<String> downgrade(ActiveSchema.Snapshot schema, String table, StoredDocument stored) {
        ActiveSchema.OpenTransition t = schema.transition();
        if (t == null || stored.schemaVersion() < t.toVersion()) {
            return Optional.empty();
        }
        return upgrades.plan(t, table).flatMap(plan -> upgrades.downgrade(plan, stored.id().toString(), stored.bodyText()));
    }

    /**
     * What to store for {@code docs} (ids as clients see them, for migrations that count related documents),
     * or a 400 listing every violation of every refused document.
     */
    public List<Accepted> accept(ActiveSchema.Snapshot schema, String table, List<String> ids, List<ObjectNode> docs, boolean batch) {
        ActiveSchema.OpenTransition t = schema.transition();
        if (t == null || !t.open() && t.toVersion() != schema.version()) {
            require(schema.enforcedValidator(table), schema.version(), table, docs, batch);
            return docs.stream().map(d -> new Accepted(DocumentJson.toStoredText(d), schema.version())).toList();
        }
        Validator target = t.targetValidator(table);
        // the shape a write may still come in: the active one while the transition runs, the previous one after
        Validator current = t.open() ? schema.enforcedValidator(table) : t.previousValidator(table);
        Optional<? extends Upgrades.Plan> plan = upgrades.plan(t, table);
        JsonPath path = new JsonPath();
        Accepted[] out = new Accepted[docs.size()];
        List<Integer> toUpgrade = new ArrayList<>();
        List<Integer> refused = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            ObjectNode doc = docs.get(i);
            String text = DocumentJson.toStoredText(doc);
            if (target == null || target.validate(doc, path, null)) {
                out[i] = new Accepted(text, t.toVersion());
            } else if ((current == null || current.validate(doc, path, null)) && plan.isPresent()) {
                if (plan.get().runnable()) {
                    toUpgrade.add(i);
                    out[i] = new Accepted(text, schema.version());
                } else if (t.open()) {
                    out[i] = new Accepted(text, schema.version()); // an older build: the sweep will upgrade it
                } else {
                    refused.add(i);
                }
            } else {
                refused.add(i);
            }
        }
        if (!toUpgrade.isEmpty()) {
            List<Optional<String>> upgraded = upgrades.upgradeEach(plan.get(),
                    toUpgrade.stream().map(ids::get).toList(), toUpgrade.stream().map(i -> out[i].body()).toList());
            for (int j = 0; j < toUpgrade.size(); j++) {
                int i = toUpgrade.get(j);
                Optional<ObjectNode> doc = upgraded.get(j).map(DocumentJson::fromStoredText);
                if (doc.isPresent() && target.validate(doc.get(), path, null)) {
                    out[i] = new Accepted(upgraded.get(j).get(), t.toVersion());
                } else {
                    refused.add(i);
                }
            }
        }
        if (!refused.isEmpty()) {
            refused.sort(null);
            throw refusal(target, t.toVersion(), table, refused.stream().map(docs::get).toList(), refused, batch);
        }
        return List.of(out);
    }

    private static void require(Validator validator, int version, String table, List<ObjectNode> docs, boolean batch) {
        if (validator == null) {
            return;
        }
        JsonPath path = new JsonPath();
        List<Integer> refused = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            if (!validator.validate(docs.get(i), path, null)) {
                refused.add(i);
            }
        }
        if (!refused.isEmpty()) {
            throw refusal(validator, version, table, refused.stream().map(docs::get).toList(), refused, batch);
        }
    }

    private static InvalidRequest refusal(Validator validator, int version, String table, List<ObjectNode> docs, List<Integer> positions, boolean batch) {
        JsonPath path = new JsonPath();
        Violations all = new Violations();
        for (int i = 0; i < docs.size(); i++) {
            Violations one = new Violations(batch ? "/" + positions.get(i) : "");
            validator.validate(docs.get(i), path, one);
            all.list().addAll(one.list());
        }
        Violation first = all.list().get(0);
        return new InvalidRequest("The document does not match the schema of table '" + table + "' (version "
                + version + "): " + first.path() + ": " + first.message()
                + (all.list().size() > 1 ? " (and " + (all.list().size() - 1) + " more)" : ""), all.list());
    }
}
