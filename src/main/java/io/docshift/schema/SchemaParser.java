package io.docshift.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.document.TableName;
import io.docshift.document.json.CanonicalJson;
import io.docshift.error.InvalidRequest;
import io.docshift.error.Violation;
import io.docshift.schema.validate.Validator;
import io.docshift.schema.validate.Validators;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a schema document (docs/guides/schemas-and-indexes.md) into a {@link Schema}, reporting every mistake with its
 * JSON Pointer into the schema document. Unknown keys are mistakes too, so a typo never passes silently.
 */
public final class SchemaParser {

    public static final int MAX_INDEXES = 32;
    public static final int MAX_INDEX_FIELDS = 16;
    private static final Pattern INDEX_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final Pattern FIELD_PATH = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}(\\.[A-Za-z][A-Za-z0-9_]{0,63}){0,15}");
    private static final Pattern MIGRATION_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final Set<String> RESERVED_INDEXES = Set.of("by_id", "by_creation_time");

    private final Function<String, OptionalInt> tableNumbers;
    private final List<Violation> problems = new ArrayList<>();
    private Set<String> declaredTables = Set.of();
    private Function<String, Boolean> tableExists = t -> false;

    private SchemaParser(Function<String, OptionalInt> tableNumbers) {
        this.tableNumbers = tableNumbers;
    }

    /**
     * Parses {@code doc}. {@code tableNumbers} resolves a table name to its number (for {@code id} validators);
     * a table named by an {@code id} validator must be declared in the schema or already exist.
     */
    public static Schema parse(JsonNode doc, Function<String, OptionalInt> tableNumbers) {
        SchemaParser parser = new SchemaParser(tableNumbers);
        parser.tableExists = t -> tableNumbers.apply(t).isPresent();
        Schema schema = parser.schema(doc);
        if (!parser.problems.isEmpty()) {
            throw new InvalidRequest("The schema document is invalid: " + parser.problems.get(0).path() + ": "
                    + parser.problems.get(0).message() + (parser.problems.size() > 1 ? " (and " + (parser.problems.size() - 1) + " more)" : ""),
                    parser.problems);
        }
        return schema;
    }

    private Schema schema(JsonNode doc) {
        if (!doc.isObject()) {
            fail("/", "a schema document is a JSON object with \"tables\"");
            return null;
        }
        allowOnly(doc, "/", "tables", "schemaValidation", "migrations");
        List<String> migrations = migrations(doc.get("migrations"));
        boolean validation = true;
        JsonNode v = doc.get("schemaValidation");
        if (v != null && !v.isBoolean()) {
            fail("/schemaValidation", "must be true or false");
        } else if (v != null) {
            validation = v.booleanValue();
        }
        JsonNode tablesNode = doc.get("tables");
        Map<String, TableSchema> tables = new TreeMap<>();
        if (tablesNode == null || !tablesNode.isObject()) {
            fail("/tables", "must be an object of table name to table definition");
        } else {
            declaredTables = new HashSet<>();
            tablesNode.fieldNames().forEachRemaining(declaredTables::add);
            for (Iterator<Map.Entry<String, JsonNode>> it = tablesNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                TableSchema t = table(e.getKey(), e.getValue(), "/tables/" + e.getKey());
                if (t != null) {
                    tables.put(e.getKey(), t);
                }
            }
        }
        return new Schema(tables, validation, migrations, doc, CanonicalJson.sha256(canonical(tables, validation)));
    }

    /** The migrations that bring the data from the active version to this one (a transition): distinct names. */
    private List<String> migrations(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            fail("/migrations", "an array of registered migration names");
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode n = node.get(i);
            if (!n.isTextual() || !MIGRATION_NAME.matcher(n.asText()).matches()) {
                fail("/migrations/" + i, "a migration name matching ^[A-Za-z][A-Za-z0-9_]{0,63}$");
            } else if (names.contains(n.asText())) {
                fail("/migrations/" + i, "'" + n.asText() + "' is listed twice");
            } else {
                names.add(n.asText());
            }
        }
        return List.copyOf(names);
    }

    private TableSchema table(String name, JsonNode def, String at) {
        try {
            TableName.require(name, at);
        } catch (InvalidRequest e) {
            fail(at, "table names match ^[A-Za-z][A-Za-z0-9_]{0,63}$");
            return null;
        }
        if (!def.isObject()) {
            fail(at, "a table definition is an object with \"document\" and optional \"indexes\"");
            return null;
        }
        allowOnly(def, at, "document", "indexes");
        JsonNode docNode = def.get("document");
        Validator document = null;
        if (docNode == null) {
            fail(at + "/document", "required: a field map or an object (or union of objects) validator");
        } else {
            document = documentValidator(docNode, at + "/document");
        }
        List<IndexSpec> indexes = indexes(def.get("indexes"), at + "/indexes");
        return document == null ? null : new TableSchema(name, document, indexes);
    }

    /** A field map ({@code {"name": {"type": "string"}}}) or a full validator ({@code {"type": "object"|"union", ...}}). */
    private Validator documentValidator(JsonNode node, String at) {
        if (!node.isObject()) {
            fail(at, "must be a field map or a validator object");
            return null;
        }
        JsonNode type = node.get("type");
        Validator v = type != null && type.isTextual() ? validator(node, at) : fieldMap(node, at);
        if (v == null) {
            return null;
        }
        boolean objectLike = v instanceof Validators.ObjectShape
                || v instanceof Validators.Union u && u.members().stream().allMatch(m -> m instanceof Validators.ObjectShape);
        if (!objectLike) {
            fail(at, "a document validator is an object or a union of objects");
            return null;
        }
        return v;
    }

    private Validators.ObjectShape fieldMap(JsonNode node, String at) {
        Map<String, Validators.Field> fields = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String fieldAt = at + "/" + e.getKey();
            if (e.getKey().isEmpty() || e.getKey().startsWith("_") || e.getKey().startsWith("$")) {
                fail(fieldAt, "field names are non-empty and do not start with '_' or '$'");
                continue;
            }
            JsonNode spec = e.getValue();
            Validator v = validator(spec, fieldAt);
            if (v != null) {
                JsonNode optional = spec.get("optional");
                if (optional != null && !optional.isBoolean()) {
                    fail(fieldAt + "/optional", "must be true or false");
                }
                fields.put(e.getKey(), new Validators.Field(v, optional != null && optional.asBoolean()));
            }
        }
        return new Validators.ObjectShape(fields);
    }

    private Validator validator(JsonNode spec, String at) {
        if (!spec.isObject() || !spec.path("type").isTextual()) {
            fail(at, "a validator is an object with a \"type\"");
            return null;
        }
        String type = spec.get("type").textValue();
        switch (type) {
            case "string", "number", "int64", "boolean", "null", "bytes", "any" -> {
                allowOnly(spec, at, "type", "optional");
                return new Validators.Simple(Validators.Kind.valueOf(type.toUpperCase(Locale.ROOT)));
            }
            case "id" -> {
                allowOnly(spec, at, "type", "optional", "table");
                JsonNode table = spec.get("table");
                if (table == null || !table.isTextual()) {
                    fail(at + "/table", "an id validator names its table");
                    return null;
                }
                String t = table.textValue();
                if (!declaredTables.contains(t) && !tableExists.apply(t)) {
                    fail(at + "/table", "unknown table '" + t + "': declare it in this schema");
                    return null;
                }
                return new Validators.Id(t, tableNumbers);
            }
            case "literal" -> {
                allowOnly(spec, at, "type", "optional", "value");
                JsonNode value = spec.get("value");
                if (value == null || !(value.isTextual() || value.isNumber() || value.isBoolean())) {
                    fail(at + "/value", "a literal is a string, number or boolean");
                    return null;
                }
                return new Validators.Literal(value);
            }
            case "union" -> {
                allowOnly(spec, at, "type", "optional", "members");
                JsonNode members = spec.get("members");
                if (members == null || !members.isArray() || members.isEmpty()) {
                    fail(at + "/members", "a union has at least one member");
                    return null;
                }
                List<Validator> out = new ArrayList<>();
                for (int i = 0; i < members.size(); i++) {
                    Validator m = validator(members.get(i), at + "/members/" + i);
                    if (m != null) {
                        out.add(m);
                    }
                }
                return out.size() == members.size() ? new Validators.Union(out) : null;
            }
            case "array" -> {
                allowOnly(spec, at, "type", "optional", "items");
                JsonNode items = spec.get("items");
                Validator v = items == null ? fail(at + "/items", "an array validator has \"items\"") : validator(items, at + "/items");
                return v == null ? null : new Validators.Array(v);
            }
            case "object" -> {
                allowOnly(spec, at, "type", "optional", "fields");
                JsonNode fields = spec.get("fields");
                if (fields == null || !fields.isObject()) {
                    fail(at + "/fields", "an object validator has \"fields\" (an object)");
                    return null;
                }
                return fieldMap(fields, at + "/fields");
            }
            case "record" -> {
                allowOnly(spec, at, "type", "optional", "keys", "values");
                JsonNode keys = spec.get("keys");
                JsonNode values = spec.get("values");
                Validator k = keys == null ? fail(at + "/keys", "a record has \"keys\"") : validator(keys, at + "/keys");
                Validator v = values == null ? fail(at + "/values", "a record has \"values\"") : validator(values, at + "/values");
                if (k != null && !keyable(k)) {
                    fail(at + "/keys", "record keys are strings: string, id, literal strings or a union of them");
                    return null;
                }
                return k == null || v == null ? null : new Validators.Record(k, v);
            }
            default -> {
                fail(at + "/type", "unknown validator type '" + type
                        + "'; one of string, number, int64, boolean, null, bytes, any, id, literal, union, array, object, record");
                return null;
            }
        }
    }

    private static boolean keyable(Validator v) {
        return v instanceof Validators.Simple s && (s.kind() == Validators.Kind.STRING || s.kind() == Validators.Kind.ANY)
                || v instanceof Validators.Id
                || v instanceof Validators.Literal l && l.value().isTextual()
                || v instanceof Validators.Union u && u.members().stream().allMatch(SchemaParser::keyable);
    }

    private List<IndexSpec> indexes(JsonNode node, String at) {
        List<IndexSpec> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        if (!node.isArray()) {
            fail(at, "indexes are an array of {\"name\", \"fields\"}");
            return out;
        }
        if (node.size() > MAX_INDEXES) {
            fail(at, "a table has at most " + MAX_INDEXES + " indexes");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode ix = node.get(i);
            String ixAt = at + "/" + i;
            if (!ix.isObject()) {
                fail(ixAt, "an index is {\"name\", \"fields\"}");
                continue;
            }
            allowOnly(ix, ixAt, "name", "fields");
            String name = ix.path("name").asText("");
            if (!ix.path("name").isTextual() || !INDEX_NAME.matcher(name).matches()) {
                fail(ixAt + "/name", "index names match ^[A-Za-z][A-Za-z0-9_]{0,63}$");
                continue;
            }
            if (RESERVED_INDEXES.contains(name)) {
                fail(ixAt + "/name", "'" + name + "' is reserved: every table has by_id and by_creation_time");
                continue;
            }
            if (!names.add(name)) {
                fail(ixAt + "/name", "duplicate index name '" + name + "'");
                continue;
            }
            JsonNode fields = ix.get("fields");
            if (fields == null || !fields.isArray() || fields.isEmpty() || fields.size() > MAX_INDEX_FIELDS) {
                fail(ixAt + "/fields", "an index has 1 to " + MAX_INDEX_FIELDS + " fields");
                continue;
            }
            List<String> list = new ArrayList<>();
            boolean ok = true;
            for (int f = 0; f < fields.size(); f++) {
                String field = fields.get(f).asText("");
                String fAt = ixAt + "/fields/" + f;
                if (!fields.get(f).isTextual() || field.startsWith("_")) {
                    ok = false;
                    fail(fAt, "index fields are document fields; system fields (starting with '_') are implied");
                } else if (!FIELD_PATH.matcher(field).matches()) {
                    ok = false;
                    fail(fAt, "index fields are names or dotted paths of names matching ^[A-Za-z][A-Za-z0-9_]{0,63}$");
                } else if (list.contains(field)) {
                    ok = false;
                    fail(fAt, "duplicate field '" + field + "' in one index");
                } else {
                    list.add(field);
                }
            }
            if (ok) {
                out.add(new IndexSpec(name, List.copyOf(list)));
            }
        }
        return out;
    }

    private void allowOnly(JsonNode node, String at, String... keys) {
        Set<String> allowed = Set.of(keys);
        node.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                fail((at.equals("/") ? "" : at) + "/" + k, "unknown key '" + k + "'; allowed here: " + String.join(", ", keys));
            }
        });
    }

    private Validator fail(String at, String message) {
        problems.add(new Violation(at, message));
        return null;
    }

    /** The normalized form: full validators for field maps, indexes in declared order (keys are sorted when hashed). */
    static JsonNode canonical(Map<String, TableSchema> tables, boolean validation) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("schemaValidation", validation);
        ObjectNode t = root.putObject("tables");
        tables.forEach((name, table) -> {
            ObjectNode o = t.putObject(name);
            o.set("document", table.document().toJson());
            ArrayNode ix = o.putArray("indexes");
            for (IndexSpec spec : table.indexes()) {
                ObjectNode i = ix.addObject().put("name", spec.name());
                spec.fields().forEach(i.putArray("fields")::add);
            }
        });
        return root;
    }

}
