package io.docshift.schema;

import io.docshift.schema.validate.Validator;
import io.docshift.schema.validate.Validators;
import io.docshift.schema.validate.Validators.Field;
import io.docshift.schema.validate.Validators.Kind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import static io.docshift.schema.SchemaChange.BREAKING;
import static io.docshift.schema.SchemaChange.SAFE;

/**
 * The change list between two schemas (the seed's "Push changes to your deployment?" step). A change is
 * {@code breaking} when a document valid before could be invalid after; whether one actually is, the
 * violation scan says.
 */
public final class SchemaDiff {

    private SchemaDiff() {
    }

    /** The changes between two stored versions, when nobody knows which tables had documents then: a table new in the schema may have. */
    public static List<SchemaChange> between(Schema before, Schema after) {
        return between(before, after, table -> true);
    }

    /**
     * The changes a push of {@code after} over {@code before} brings. {@code hasDocuments} says whether a table
     * holds documents now: a table new to the schema without any (new to the deployment, or empty) cannot break.
     */
    public static List<SchemaChange> between(Schema before, Schema after, Predicate<String> hasDocuments) {
        List<SchemaChange> out = new ArrayList<>();
        if (before != null && before.validation() != after.validation()) {
            out.add(new SchemaChange("validation", "changed", null, null, null, after.validation() ? BREAKING : SAFE,
                    "schemaValidation " + before.validation() + " -> " + after.validation()));
        }
        Set<String> names = new TreeSet<>(after.tables().keySet());
        if (before != null) {
            names.addAll(before.tables().keySet());
        }
        for (String name : names) {
            TableSchema old = before == null ? null : before.table(name);
            TableSchema next = after.table(name);
            if (old == null) {
                out.add(tableAdded(name, after.validation(), hasDocuments));
            } else if (next == null) {
                out.add(new SchemaChange("table", "removed", name, null, null, SAFE, "the table becomes schemaless; its documents stay"));
            } else {
                documentChanges(name, old.document(), next.document(), out);
            }
            indexChanges(name, old, next, out);
        }
        return out;
    }

    private static SchemaChange tableAdded(String name, boolean enforced, Predicate<String> hasDocuments) {
        if (!enforced) {
            return new SchemaChange("table", "added", name, null, null, SAFE, "new in the schema; not enforced (schemaValidation is false)");
        }
        if (!hasDocuments.test(name)) {
            return new SchemaChange("table", "added", name, null, null, SAFE, "new table: no documents to break");
        }
        return new SchemaChange("table", "added", name, null, null, BREAKING, "new in the schema; the table's existing documents are checked");
    }

    private static void documentChanges(String table, Validator old, Validator next, List<SchemaChange> out) {
        if (old.equals(next)) {
            return;
        }
        if (old instanceof Validators.ObjectShape o && next instanceof Validators.ObjectShape n) {
            Set<String> fields = new TreeSet<>(o.fields().keySet());
            fields.addAll(n.fields().keySet());
            for (String f : fields) {
                Field a = o.fields().get(f);
                Field b = n.fields().get(f);
                if (a == null) {
                    out.add(new SchemaChange("field", "added", table, f, null, b.optional() ? SAFE : BREAKING,
                            (b.optional() ? "optional " : "required ") + b.validator().describe()));
                } else if (b == null) {
                    out.add(new SchemaChange("field", "removed", table, f, null, BREAKING,
                            "documents that still carry it become invalid (objects are strict); clean it up with an unset migration"));
                } else if (!a.equals(b)) {
                    boolean safe = accepts(b.validator(), a.validator()) && (b.optional() || !a.optional());
                    out.add(new SchemaChange("field", "changed", table, f, null, safe ? SAFE : BREAKING,
                            describe(a) + " -> " + describe(b)));
                }
            }
            return;
        }
        out.add(new SchemaChange("table", "changed", table, null, null, accepts(next, old) ? SAFE : BREAKING,
                "document validator: " + old.describe() + " -> " + next.describe()));
    }

    private static String describe(Field f) {
        return (f.optional() ? "optional " : "") + f.validator().describe();
    }

    private static void indexChanges(String table, TableSchema old, TableSchema next, List<SchemaChange> out) {
        Map<String, List<String>> before = old == null ? Map.of() : fieldsByName(old);
        Map<String, List<String>> after = next == null ? Map.of() : fieldsByName(next);
        Set<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String ix : names) {
            List<String> a = before.get(ix);
            List<String> b = after.get(ix);
            if (a == null) {
                out.add(new SchemaChange("index", "added", table, null, ix, SAFE, "built concurrently on " + b));
            } else if (b == null) {
                out.add(new SchemaChange("index", "removed", table, null, ix, SAFE, "dropped"));
            } else if (!a.equals(b)) {
                out.add(new SchemaChange("index", "changed", table, null, ix, SAFE, a + " -> " + b + ", rebuilt concurrently"));
            }
        }
    }

    private static Map<String, List<String>> fieldsByName(TableSchema t) {
        Map<String, List<String>> m = new java.util.TreeMap<>();
        t.indexes().forEach(i -> m.put(i.name(), i.fields()));
        return m;
    }

    /** Whether every value {@code old} accepts, {@code next} accepts too. */
    static boolean accepts(Validator next, Validator old) {
        if (Objects.equals(next, old)) {
            return true;
        }
        if (next instanceof Validators.Simple s) {
            if (s.kind() == Kind.ANY) {
                return true;
            }
            if (old instanceof Validators.Simple o && s.kind() == Kind.NUMBER && o.kind() == Kind.INT64) {
                return true;
            }
            if (old instanceof Validators.Literal l) {
                return s.kind() == Kind.STRING && l.value().isTextual()
                        || s.kind() == Kind.NUMBER && l.value().isNumber()
                        || s.kind() == Kind.BOOLEAN && l.value().isBoolean();
            }
        }
        if (old instanceof Validators.Union u) {
            return u.members().stream().allMatch(m -> accepts(next, m));
        }
        if (next instanceof Validators.Union u) {
            return u.members().stream().anyMatch(m -> accepts(m, old));
        }
        if (next instanceof Validators.Array n && old instanceof Validators.Array o) {
            return accepts(n.items(), o.items());
        }
        if (next instanceof Validators.Record n && old instanceof Validators.Record o) {
            return accepts(n.keys(), o.keys()) && accepts(n.values(), o.values());
        }
        if (next instanceof Validators.ObjectShape n && old instanceof Validators.ObjectShape o) {
            for (Map.Entry<String, Field> e : o.fields().entrySet()) {
                Field b = n.fields().get(e.getKey());
                if (b == null || !accepts(b.validator(), e.getValue().validator()) || e.getValue().optional() && !b.optional()) {
                    return false;
                }
            }
            return n.fields().entrySet().stream().allMatch(e -> o.fields().containsKey(e.getKey()) || e.getValue().optional());
        }
        return false;
    }
}
