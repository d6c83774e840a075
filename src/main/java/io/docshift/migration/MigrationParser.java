package io.docshift.migration;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.document.TableName;
import io.docshift.document.json.CanonicalJson;
import io.docshift.error.InvalidRequest;
import io.docshift.error.Violation;
import io.docshift.migration.cel.Cel;
import io.docshift.migration.cel.CelExpression;
import io.docshift.migration.step.FieldPath;
import io.docshift.migration.step.Step;
import io.docshift.migration.step.StepSql;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads declarative migration definitions strictly, reporting every mistake with its JSON Pointer. */
public final class MigrationParser {

    public static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    static final int MAX_STEPS = 64;
    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
    private static final Set<String> KEYS = Set.of("name", "table", "where", "steps", "backup", "maxDocumentsPerSecond", "window");

    private final List<Violation> problems = new ArrayList<>();

    private MigrationParser() {
    }

    /** Names that are paths of their own under /api/migrations. */
    static final Set<String> RESERVED = Set.of("log", "runs");

    public static void requireName(String name, String path) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw InvalidRequest.at(path, "migration names match ^[A-Za-z][A-Za-z0-9_]{0,63}$");
        }
        if (RESERVED.contains(name)) {
            throw InvalidRequest.at(path, "'" + name + "' is reserved (/api/migrations/" + name + " is a path of its own)");
        }
    }

    /** Parses a declarative definition registered as {@code name}. */
    public static MigrationDefinition parse(String name, JsonNode doc) {
        MigrationParser p = new MigrationParser();
        MigrationDefinition d = p.definition(name, doc);
        if (!p.problems.isEmpty()) {
            Violation first = p.problems.get(0);
            throw new InvalidRequest("Invalid migration definition: " + first.path() + ": " + first.message()
                    + (p.problems.size() > 1 ? " (and " + (p.problems.size() - 1) + " more)" : ""), p.problems);
        }
        return d;
    }

    /** The definition of a Java migration bean. */
    public static MigrationDefinition java(JavaMigration bean) {
        ObjectNode source = JsonNodeFactory.instance.objectNode()
                .put("name", bean.name()).put("table", bean.table())
                .put("java", bean.getClass().getName().replaceAll("_Subclass$|_ClientProxy$", "")).put("version", bean.version());
        if (bean.backup()) {
            source.put("backup", true); // only when set, so the checksums of existing migrations stay as they were
        }
        return new MigrationDefinition(bean.name(), bean.table(), null, List.of(), source.get("java").asText(), bean.backup(), null, null,
                source, checksum(source));
    }

    private MigrationDefinition definition(String name, JsonNode doc) {
        if (!doc.isObject()) {
            fail("/", "a migration definition is a JSON object with \"table\" and \"steps\"");
            return null;
        }
        doc.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                fail("/" + k, "unknown key; a definition has name, table, where, steps, backup, maxDocumentsPerSecond and window");
            }
        });
        JsonNode n = doc.get("name");
        if (n != null && !name.equals(n.asText())) {
            fail("/name", "the definition is named '" + n.asText() + "' but registered as '" + name + "'");
        }
        String table = doc.path("table").asText("");
        if (!doc.path("table").isTextual() || !TableName.VALID.matcher(table).matches()) {
            fail("/table", "required: a table name matching ^[A-Za-z][A-Za-z0-9_]{0,63}$");
        }
        List<Step> steps = steps(doc.get("steps"));
        CelExpression where = doc.hasNonNull("where") ? expression(doc.get("where"), "/where", true) : null;
        if (!StepSql.inSql(where == null ? steps : List.of(new Step.Guard(where, steps)))
                && Step.flatten(steps).stream().anyMatch(st -> st instanceof Step.CountRelated)) {
            fail("/steps", "countRelated runs in the database, and an expression of this migration can only be evaluated in the JVM;"
                    + " put them in two migrations (a series), or use expressions PostgreSQL can evaluate (see docs/guides/migrations.md)");
        }
        if (where != null) {
            steps = List.of(new Step.Guard(where, steps));
        }
        JsonNode backup = doc.get("backup");
        if (backup != null && !backup.isBoolean()) {
            fail("/backup", "true or false");
        }
        Double rate = null;
        JsonNode r = doc.get("maxDocumentsPerSecond");
        if (r != null && !r.isNull()) {
            if (!r.isNumber() || r.asDouble() < 1) {
                fail("/maxDocumentsPerSecond", "a number of at least 1, or null for no throttle");
            } else {
                rate = r.asDouble();
            }
        }
        MigrationDefinition.Window window = window(doc.get("window"));
        ObjectNode source = ((ObjectNode) doc.deepCopy()).put("name", name);
        return new MigrationDefinition(name, table, where, steps, null, backup != null && backup.asBoolean(), rate, window, source, checksum(source));
    }

    private CelExpression expression(JsonNode node, String at, boolean predicate) {
        if (!node.isTextual()) {
            fail(at, predicate ? "a CEL condition over doc, e.g. \"doc.spend >= 1000.0\"" : "a CEL expression over doc, e.g. \"doc.spend > 1000.0 ? 'gold' : 'basic'\"");
            return null;
        }
        try {
            return Cel.compile(node.asText(), at, predicate);
        } catch (InvalidRequest e) {
            problems.addAll(e.violations());
            return null;
        }
    }

    private MigrationDefinition.Window window(JsonNode w) {
        if (w == null || w.isNull()) {
            return null;
        }
        if (!w.isObject() || !w.path("cron").isTextual() || !w.path("duration").isTextual()) {
            fail("/window", "{\"cron\": \"0 0 1 * * ?\", \"duration\": \"PT4H\"}: runs work from each firing for the duration");
            return null;
        }
        try {
            CRON.parse(w.get("cron").asText()).validate();
        } catch (IllegalArgumentException e) {
            fail("/window/cron", "not a Quartz cron expression: " + e.getMessage());
            return null;
        }
        try {
            Duration d = Duration.parse(w.get("duration").asText());
            if (d.isNegative() || d.isZero()) {
                fail("/window/duration", "a positive ISO-8601 duration such as PT4H");
                return null;
            }
            return new MigrationDefinition.Window(w.get("cron").asText(), d);
        } catch (DateTimeParseException e) {
            fail("/window/duration", "an ISO-8601 duration such as PT4H");
            return null;
        }
    }

    private List<Step> steps(JsonNode node) {
        List<Step> out = new ArrayList<>();
        if (node == null || !node.isArray() || node.isEmpty()) {
            fail("/steps", "required: 1 to " + MAX_STEPS + " steps");
            return out;
        }
        if (node.size() > MAX_STEPS) {
            fail("/steps", "at most " + MAX_STEPS + " steps");
            return out;
        }
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            Step s = step(node.get(i), "/steps/" + i);
            if (s != null) {
                out.add(s);
                positions.add(i);
            }
        }
        // a rename that an earlier rename undoes is a cycle: refuse it rather than run a migration that does nothing
        for (int j = 0; j < out.size(); j++) {
            for (int i = 0; i < j; i++) {
                if (out.get(i) instanceof Step.Rename a && out.get(j) instanceof Step.Rename b && a.from().equals(b.to()) && a.to().equals(b.from())) {
                    fail("/steps/" + positions.get(j), "renames " + b.from() + " back to " + b.to() + ", undoing step " + positions.get(i));
                }
            }
        }
        return out;
    }

    private Step step(JsonNode s, String at) {
        String op = s.path("op").asText("");
        switch (op) {
            case "setDefault" -> {
                allow(s, at, "op", "field", "value");
                FieldPath f = path(s, "field", at);
                JsonNode v = value(s, at);
                return f == null || v == null ? null : new Step.SetDefault(f, v);
            }
            case "set" -> {
                allow(s, at, "op", "field", "value", "from", "expr");
                FieldPath f = path(s, "field", at);
                if ((s.has("value") ? 1 : 0) + (s.has("from") ? 1 : 0) + (s.has("expr") ? 1 : 0) != 1) {
                    fail(at, "set takes one of \"value\" (a constant), \"from\" (a field to copy) or \"expr\" (a CEL expression over doc)");
                    return null;
                }
                if (s.has("expr")) {
                    CelExpression x = expression(s.get("expr"), at + "/expr", false);
                    return f == null || x == null ? null : new Step.Compute(f, x);
                }
                if (s.has("from")) {
                    FieldPath from = path(s, "from", at);
                    if (f != null && f.equals(from)) {
                        fail(at + "/from", "copying a field onto itself does nothing");
                        return null;
                    }
                    return f == null || from == null ? null : new Step.Set(f, null, from);
                }
                JsonNode v = value(s, at);
                return f == null || v == null ? null : new Step.Set(f, v, null);
            }
            case "rename" -> {
                allow(s, at, "op", "from", "to");
                FieldPath from = path(s, "from", at);
                FieldPath to = path(s, "to", at);
                if (from != null && from.equals(to)) {
                    fail(at + "/to", "renaming a field to itself does nothing");
                    return null;
                }
                return from == null || to == null ? null : new Step.Rename(from, to);
            }
            case "unset" -> {
                allow(s, at, "op", "field");
                FieldPath f = path(s, "field", at);
                return f == null ? null : new Step.Unset(f);
            }
            case "split" -> {
                allow(s, at, "op", "field", "separator", "into");
                FieldPath f = path(s, "field", at);
                String sep = s.path("separator").asText("");
                if (!s.path("separator").isTextual() || sep.isEmpty() || sep.length() > 16) {
                    fail(at + "/separator", "a non-empty string of at most 16 characters");
                }
                JsonNode into = s.get("into");
                List<FieldPath> targets = new ArrayList<>();
                if (into == null || !into.isArray() || into.size() < 2 || into.size() > 16) {
                    fail(at + "/into", "2 to 16 target fields");
                    return null;
                }
                for (int i = 0; i < into.size(); i++) {
                    FieldPath t = FieldPath.parse(into.get(i).asText(null));
                    if (t == null || !into.get(i).isTextual()) {
                        fail(at + "/into/" + i, "a field name or dotted path of names");
                    } else if (targets.contains(t)) {
                        fail(at + "/into/" + i, "the same target twice");
                    } else {
                        targets.add(t);
                    }
                }
                return f == null || targets.size() != into.size() || sep.isEmpty() ? null : new Step.Split(f, sep, targets);
            }
            case "convert" -> {
                allow(s, at, "op", "field", "to");
                FieldPath f = path(s, "field", at);
                String to = s.path("to").asText("");
                if (!Set.of("number", "string", "boolean").contains(to)) {
                    fail(at + "/to", "number, string or boolean");
                    return null;
                }
                return f == null ? null : new Step.Convert(f, Step.Convert.Target.valueOf(to.toUpperCase(Locale.ROOT)));
            }
            case "countRelated" -> {
                allow(s, at, "op", "field", "table", "foreignKey");
                FieldPath f = path(s, "field", at);
                FieldPath fk = path(s, "foreignKey", at);
                String table = s.path("table").asText("");
                if (!s.path("table").isTextual() || !TableName.VALID.matcher(table).matches()) {
                    fail(at + "/table", "a table name matching ^[A-Za-z][A-Za-z0-9_]{0,63}$");
                    return null;
                }
                return f == null || fk == null ? null : new Step.CountRelated(f, table, fk);
            }
            default -> {
                fail(at + "/op", "unknown step '" + op + "'; one of setDefault, set, rename, unset, split, convert, countRelated");
                return null;
            }
        }
    }

    private FieldPath path(JsonNode s, String key, String at) {
        JsonNode v = s.get(key);
        FieldPath p = v != null && v.isTextual() ? FieldPath.parse(v.asText()) : null;
        if (p == null) {
            fail(at + "/" + key, "a field name or dotted path of names matching ^[A-Za-z][A-Za-z0-9_]{0,63}$ (system fields cannot be changed)");
        }
        return p;
    }

    private JsonNode value(JsonNode s, String at) {
        JsonNode v = s.get("value");
        if (v == null) {
            fail(at + "/value", "required");
        }
        return v;
    }

    private void allow(JsonNode node, String at, String... keys) {
        Set<String> allowed = Set.of(keys);
        node.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                fail(at + "/" + k, "unknown key; allowed here: " + String.join(", ", keys));
            }
        });
    }

    private void fail(String at, String message) {
        problems.add(new Violation(at, message));
    }

    /** SHA-256 of the definition with keys sorted, so formatting and key order never count as drift. */
    static String checksum(JsonNode source) {
        return CanonicalJson.sha256(source);
    }
}
