package io.docshift.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.document.json.JsonPath;
import io.docshift.error.InvalidRequest;
import io.docshift.error.Violation;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.validate.Validator;
import io.docshift.schema.validate.Validators;
import io.docshift.schema.validate.Violations;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The values of a query's {@code eq}, checked against the type the enforced schema declares for each field: a value
 * no document can hold (an id of another table, a string where the field is a number) is a mistake in the query,
 * answered 400 naming {@code /eq/<field>}, not an empty page. While a transition is open, a value that fits the
 * target version fits too (swept documents hold it). Fields the schema does not type (free tables, {@code any},
 * records, paths it does not declare) accept anything.
 */
final class DeclaredTypes {

    /** What a field path may hold: {@code validator} null when any value may be stored there. */
    private record Declared(Validator validator, boolean optional) {
        static final Declared FREE = new Declared(null, true);
    }

    private DeclaredTypes() {
    }

    static void check(ActiveSchema.Snapshot schema, String table, Map<String, JsonNode> eq) {
        Validator active = schema.enforcedValidator(table);
        if (active == null || eq.isEmpty()) {
            return;
        }
        Validator target = schema.transition() != null && schema.transition().open() ? schema.transition().targetValidator(table) : active;
        if (target == null) {
            return;
        }
        List<Violation> violations = new ArrayList<>();
        eq.forEach((field, value) -> {
            String at = "/eq/" + field.replace("~", "~0").replace("/", "~1");
            Violations found = new Violations(at);
            if (!fits(active, field, value, found) && !fits(target, field, value, null)) {
                violations.addAll(found.list());
            }
        });
        if (!violations.isEmpty()) {
            Violation first = violations.get(0);
            throw new InvalidRequest("no document can hold this value: " + first.message() + " (at " + first.path() + ")", violations);
        }
    }

    /** Whether a document valid under {@code document} can hold {@code value} at the dotted {@code field}. */
    private static boolean fits(Validator document, String field, JsonNode value, Violations sink) {
        Declared d = declared(document, Arrays.asList(field.split("\\.", -1)), 0, false);
        if (d.validator() == null || value.isNull() && d.optional()) {
            return true; // a missing field indexes as null
        }
        return d.validator().validate(value, new JsonPath(), sink);
    }

    private static Declared declared(Validator v, List<String> path, int at, boolean optional) {
        if (at == path.size()) {
            return new Declared(v, optional);
        }
        if (v instanceof Validators.ObjectShape o) {
            Validators.Field f = o.fields().get(path.get(at));
            return f == null ? Declared.FREE : declared(f.validator(), path, at + 1, optional || f.optional());
        }
        if (v instanceof Validators.Union u) {
            List<Validator> members = new ArrayList<>();
            boolean anyOptional = optional;
            for (Validator m : u.members()) {
                Declared d = declared(m, path, at, optional);
                if (d.validator() == null) {
                    return Declared.FREE;
                }
                members.add(d.validator());
                anyOptional |= d.optional();
            }
            return new Declared(members.size() == 1 ? members.get(0) : new Validators.Union(members), anyOptional);
        }
        return Declared.FREE;
    }
}
