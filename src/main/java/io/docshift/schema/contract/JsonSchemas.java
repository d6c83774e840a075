package io.docshift.schema.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.document.json.DocumentLimits;
import io.docshift.schema.TableSchema;
import io.docshift.schema.validate.Validator;
import io.docshift.schema.validate.Validators;

import java.util.Map;

/**
 * Convex's validators as JSON Schema (2020-12, the dialect of OpenAPI 3.1), faithfully: strict objects
 * ({@code additionalProperties: false}), unions, literals (a union of literals is an enum), ids as patterned
 * strings naming their table, int64 as an integer within ±2^63, bytes as base64 strings.
 */
public final class JsonSchemas {

    /** An {@code _id}: 26 characters of lower-case Crockford base32 (the first at most 3: 128 bits). */
    public static final String ID_PATTERN = "^[0-3][0-9a-hjkmnp-tv-z]{25}$";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonSchemas() {
    }

    /** The schema of a value {@code v} accepts. */
    public static ObjectNode of(Validator v) {
        if (v instanceof Validators.Simple s) {
            return simple(s.kind());
        }
        if (v instanceof Validators.Id id) {
            return id(id.table());
        }
        if (v instanceof Validators.Literal l) {
            ObjectNode o = NODES.objectNode().set("const", l.value());
            o.putArray("enum").add(l.value());
            return o;
        }
        if (v instanceof Validators.Union u) {
            if (u.members().stream().allMatch(m -> m instanceof Validators.Literal lit && lit.value().isTextual())) {
                ObjectNode o = NODES.objectNode().put("type", "string");
                ArrayNode values = o.putArray("enum");
                u.members().forEach(m -> values.add(((Validators.Literal) m).value()));
                return o;
            }
            ObjectNode o = NODES.objectNode();
            ArrayNode any = o.putArray("anyOf");
            u.members().forEach(m -> any.add(of(m)));
            return o;
        }
        if (v instanceof Validators.Array a) {
            ObjectNode o = NODES.objectNode().put("type", "array").put("maxItems", DocumentLimits.MAX_ARRAY_ELEMENTS);
            o.set("items", of(a.items()));
            return o;
        }
        if (v instanceof Validators.ObjectShape shape) {
            return object(shape.fields(), NODES.objectNode().put("type", "object"));
        }
        if (v instanceof Validators.Record r) {
            ObjectNode o = NODES.objectNode().put("type", "object");
            o.set("propertyNames", of(r.keys()));
            o.set("additionalProperties", of(r.values()));
            return o;
        }
        throw new IllegalArgumentException("no JSON Schema for " + v);
    }

    /**
     * A stored document of {@code table}: its fields (as {@link #of} says) with {@code _id} and
     * {@code _creationTime}, required, beside them. A union of objects is a union of stored documents.
     */
    public static ObjectNode stored(TableSchema table) {
        Validator doc = table.document();
        if (doc instanceof Validators.ObjectShape shape) {
            return withSystemFields(object(shape.fields(), NODES.objectNode().put("type", "object")), table.name());
        }
        if (doc instanceof Validators.Union u && u.members().stream().allMatch(m -> m instanceof Validators.ObjectShape)) {
            ObjectNode o = NODES.objectNode();
            ArrayNode any = o.putArray("anyOf");
            u.members().forEach(m -> any.add(withSystemFields(object(((Validators.ObjectShape) m).fields(), NODES.objectNode().put("type", "object")), table.name())));
            return o;
        }
        return withSystemFields(NODES.objectNode().put("type", "object"), table.name());
    }

    /** The system fields every stored document of {@code table} has. */
    private static ObjectNode withSystemFields(ObjectNode o, String table) {
        ObjectNode props = o.has("properties") ? (ObjectNode) o.get("properties") : o.putObject("properties");
        ObjectNode reordered = NODES.objectNode();
        reordered.set("_id", id(table).put("description", "This document's id (of table " + table + ")"));
        reordered.set("_creationTime", NODES.objectNode().put("type", "integer").put("format", "int64").put("minimum", 0)
                .put("description", "Milliseconds since the epoch"));
        reordered.setAll(props);
        o.set("properties", reordered);
        ArrayNode required = NODES.arrayNode().add("_id").add("_creationTime");
        if (o.has("required")) {
            o.get("required").forEach(required::add);
        }
        o.set("required", required);
        return o;
    }

    private static ObjectNode object(Map<String, Validators.Field> fields, ObjectNode o) {
        ObjectNode props = o.putObject("properties");
        ArrayNode required = NODES.arrayNode();
        fields.forEach((name, f) -> {
            props.set(name, of(f.validator()));
            if (!f.optional()) {
                required.add(name);
            }
        });
        if (!required.isEmpty()) {
            o.set("required", required);
        }
        o.put("additionalProperties", false);
        return o;
    }

    private static ObjectNode id(String table) {
        return NODES.objectNode().put("type", "string").put("pattern", ID_PATTERN)
                .put("description", "The _id of a document of table " + table).put("x-docshift-table", table);
    }

    private static ObjectNode simple(Validators.Kind kind) {
        return switch (kind) {
            case STRING -> NODES.objectNode().put("type", "string");
            case NUMBER -> NODES.objectNode().put("type", "number").put("format", "double");
            case INT64 -> NODES.objectNode().put("type", "integer").put("format", "int64")
                    .put("minimum", Long.MIN_VALUE).put("maximum", Long.MAX_VALUE);
            case BOOLEAN -> NODES.objectNode().put("type", "boolean");
            case NULL -> NODES.objectNode().put("type", "null");
            case BYTES -> NODES.objectNode().put("type", "string").put("contentEncoding", "base64").put("format", "byte");
            case ANY -> NODES.objectNode().put("description", "Any JSON value");
        };
    }

    /** The JSON Schema document of one table's stored documents, standing alone. */
    public static ObjectNode document(TableSchema table, int version, String hash) {
        ObjectNode root = NODES.objectNode().put("$schema", "https://json-schema.org/draft/2020-12/schema")
                .put("$id", "docshift:schema:" + version + ":" + table.name()).put("title", "A document of table " + table.name())
                .put("description", "Schema version " + version + " (hash " + hash + ")");
        root.setAll(stored(table));
        return root;
    }

    static JsonNode copy(JsonNode n) {
        return n.deepCopy();
    }
}
