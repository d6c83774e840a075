package io.docshift.schema.contract;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.schema.IndexSpec;
import io.docshift.schema.Schema;
import io.docshift.schema.TableSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * An OpenAPI 3.1 document typed by the active schema, as Convex's codegen types documents by theirs: per table,
 * its document, its input (the body without system fields), its page and its index query, and the typed paths to
 * insert, get, page, patch, replace, delete and query its documents. A client generated from it (any language)
 * speaks the table's own types; {@code info} names the schema version and hash it was made from.
 */
public final class TypedOpenApi {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String JSON = "application/json";
    private static final String PROBLEM = "application/problem+json";

    private TypedOpenApi() {
    }

    public static ObjectNode of(Schema schema, int version) {
        ObjectNode root = NODES.objectNode().put("openapi", "3.1.0");
        root.putObject("info").put("title", "Docshift documents").put("version", Integer.toString(version))
                .put("description", "The documents of every table of schema version " + version + " (hash " + schema.hash() + "), typed by the schema."
                        + " Errors are RFC 9457 problems. Send an API key as a bearer token.")
                .put("x-docshift-schema-version", version).put("x-docshift-schema-hash", schema.hash());
        root.putArray("servers").addObject().put("url", "/").put("description", "The Docshift serving this document");
        root.putArray("security").addObject().putArray("apiKey").add("read");
        ArrayNode tags = root.putArray("tags");
        ObjectNode paths = root.putObject("paths");
        ObjectNode components = root.putObject("components");
        components.putObject("securitySchemes").putObject("apiKey").put("type", "http").put("scheme", "bearer")
                .put("description", "An API key: read to read and query, write to insert, patch, replace and delete");
        ObjectNode schemas = components.putObject("schemas");
        schemas.set("Problem", problem());
        schemas.set("InsertedIds", NODES.objectNode().put("type", "object").set("properties", NODES.objectNode()
                .set("ids", NODES.objectNode().put("type", "array").set("items", NODES.objectNode().put("type", "string").put("pattern", JsonSchemas.ID_PATTERN)))));
        ((ObjectNode) schemas.get("InsertedIds")).putArray("required").add("ids");
        for (TableSchema t : new TreeMap<>(schema.tables()).values()) {
            String type = typeName(t.name());
            tags.addObject().put("name", t.name()).put("description", "Documents of table " + t.name());
            schemas.set(type, JsonSchemas.stored(t));
            schemas.set(type + "Input", JsonSchemas.of(t.document()).put("description", "A document of " + t.name() + " as written: its body, without _id and _creationTime"));
            schemas.set(type + "Page", page(type));
            schemas.set(type + "Query", query(t));
            paths(paths, t, type);
        }
        return root;
    }

    /** {@code contract_customers} to {@code ContractCustomers}: a type name every generator accepts. */
    static String typeName(String table) {
        StringBuilder out = new StringBuilder();
        for (String part : table.split("_")) {
            if (!part.isEmpty()) {
                out.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
            }
        }
        return out.toString();
    }

    private static void paths(ObjectNode paths, TableSchema t, String type) {
        String base = "/api/tables/" + t.name();
        ObjectNode collection = paths.putObject(base + "/documents");
        ObjectNode insert = operation(collection, "post", "insert" + type, t.name(), "Insert a document into " + t.name(), "write");
        body(insert, JSON, ref(type + "Input"));
        insert.putArray("parameters").add(header("Idempotency-Key", "A key unique to this request (a UUID), so that a retry stores it once"));
        respond(insert, "201", "The stored document", ref(type));
        problems(insert, "400", "413", "415", "422");
        ObjectNode list = operation(collection, "get", "list" + type, t.name(), "A page of " + t.name() + " in creation order", "read");
        ArrayNode params = list.putArray("parameters");
        params.add(query("limit", NODES.objectNode().put("type", "integer").put("minimum", 1).put("maximum", 1000).put("default", 100)));
        params.add(query("cursor", NODES.objectNode().put("type", "string")));
        params.add(query("order", enumOf("asc", "desc")));
        respond(list, "200", "A page", ref(type + "Page"));
        problems(list, "400");

        ObjectNode batch = operation(paths.putObject(base + "/documents/batch"), "post", "insert" + type + "Batch", t.name(),
                "Insert 1 to 10,000 documents of " + t.name() + ", all or nothing", "write");
        body(batch, JSON, NODES.objectNode().put("type", "array").put("minItems", 1).put("maxItems", 10_000).set("items", ref(type + "Input")));
        respond(batch, "201", "Their ids, in input order", ref("InsertedIds"));
        problems(batch, "400", "413", "415", "422");

        ObjectNode one = paths.putObject(base + "/documents/{id}");
        one.putArray("parameters").addObject().put("name", "id").put("in", "path").put("required", true)
                .set("schema", NODES.objectNode().put("type", "string").put("pattern", JsonSchemas.ID_PATTERN));
        ObjectNode get = operation(one, "get", "get" + type, t.name(), "A document of " + t.name() + " (If-None-Match: 304 while it has that revision)", "read");
        get.putArray("parameters").add(header("If-None-Match", "The ETag of the version held"));
        respond(get, "200", "The document", ref(type));
        ((ObjectNode) get.get("responses")).putObject("304").put("description", "Not modified: If-None-Match names its current ETag; no body");
        problems(get, "400", "404");
        ObjectNode replace = operation(one, "put", "replace" + type, t.name(), "Replace a document's body (If-Match: only that revision)", "write");
        replace.putArray("parameters").add(header("If-Match", "The ETag of the version read"));
        body(replace, JSON, ref(type + "Input"));
        respond(replace, "200", "The new document", ref(type));
        problems(replace, "400", "404", "412", "413", "415");
        ObjectNode patch = operation(one, "patch", "patch" + type, t.name(), "Patch a document (JSON Merge Patch; If-Match: only that revision)", "write");
        patch.putArray("parameters").add(header("If-Match", "The ETag of the version read"));
        body(patch, "application/merge-patch+json", NODES.objectNode().put("type", "object").put("description", "A JSON Merge Patch: null removes a field"));
        respond(patch, "200", "The patched document", ref(type));
        problems(patch, "400", "404", "412", "413", "415");
        ObjectNode delete = operation(one, "delete", "delete" + type, t.name(), "Delete a document (If-Match: only that revision)", "write");
        delete.putArray("parameters").add(header("If-Match", "The ETag of the version read"));
        delete.putObject("responses").putObject("204").put("description", "Deleted");
        problems(delete, "400", "404", "412");

        ObjectNode query = operation(paths.putObject(base + "/query"), "post", "query" + type, t.name(), "A page of " + t.name() + " through one of its indexes", "read");
        body(query, JSON, ref(type + "Query"));
        respond(query, "200", "A page, in index order", ref(type + "Page"));
        problems(query, "400", "404");
    }

    private static ObjectNode page(String type) {
        ObjectNode o = NODES.objectNode().put("type", "object");
        ObjectNode props = o.putObject("properties");
        props.set("page", NODES.objectNode().put("type", "array").set("items", ref(type)));
        props.set("continueCursor", NODES.objectNode().put("type", "string").put("description", "Pass it back as cursor for the next page"));
        props.set("isDone", NODES.objectNode().put("type", "boolean"));
        o.putArray("required").add("page").add("continueCursor").add("isDone");
        return o;
    }

    private static ObjectNode query(TableSchema t) {
        List<String> names = new ArrayList<>(List.of("by_creation_time"));
        t.indexes().stream().map(IndexSpec::name).forEach(names::add);
        ObjectNode o = NODES.objectNode().put("type", "object").put("description", "Equality on a prefix of the index's fields, a range on the next one");
        ObjectNode props = o.putObject("properties");
        props.set("index", enumOf(names.toArray(String[]::new)));
        props.set("eq", NODES.objectNode().put("type", "object").put("description", "Field values the documents have, a prefix of the index's fields"));
        ObjectNode range = NODES.objectNode().put("type", "object");
        ObjectNode bounds = range.putObject("properties");
        bounds.set("field", NODES.objectNode().put("type", "string"));
        for (String b : List.of("gt", "gte", "lt", "lte")) {
            bounds.set(b, NODES.objectNode().put("description", "A bound, of the field's type"));
        }
        props.set("range", range);
        props.set("order", enumOf("asc", "desc"));
        props.set("limit", NODES.objectNode().put("type", "integer").put("minimum", 1).put("maximum", 1000).put("default", 100));
        props.set("cursor", NODES.objectNode().put("type", "string"));
        o.putArray("required").add("index");
        o.put("additionalProperties", false);
        return o;
    }

    private static ObjectNode problem() {
        ObjectNode o = NODES.objectNode().put("type", "object").put("description", "An RFC 9457 problem");
        ObjectNode props = o.putObject("properties");
        props.set("type", NODES.objectNode().put("type", "string"));
        props.set("title", NODES.objectNode().put("type", "string"));
        props.set("status", NODES.objectNode().put("type", "integer"));
        props.set("detail", NODES.objectNode().put("type", "string"));
        ObjectNode violation = NODES.objectNode().put("type", "object");
        violation.putObject("properties").<ObjectNode>set("path", NODES.objectNode().put("type", "string")).set("message", NODES.objectNode().put("type", "string"));
        props.set("violations", NODES.objectNode().put("type", "array").set("items", violation));
        o.putArray("required").add("type").add("title").add("status").add("detail");
        return o;
    }

    private static ObjectNode operation(ObjectNode path, String method, String id, String tag, String summary, String scope) {
        ObjectNode op = path.putObject(method).put("operationId", id).put("summary", summary);
        op.putArray("tags").add(tag);
        op.putArray("security").addObject().putArray("apiKey").add(scope);
        return op;
    }

    private static void body(ObjectNode op, String mediaType, ObjectNode schema) {
        op.putObject("requestBody").put("required", true).putObject("content").putObject(mediaType).set("schema", schema);
    }

    private static void respond(ObjectNode op, String status, String description, ObjectNode schema) {
        ObjectNode responses = op.has("responses") ? (ObjectNode) op.get("responses") : op.putObject("responses");
        ObjectNode r = responses.putObject(status).put("description", description);
        r.putObject("headers").putObject("ETag").put("description", "The document's entity tag (its revision)").set("schema", NODES.objectNode().put("type", "string"));
        r.putObject("content").putObject(JSON).set("schema", schema);
    }

    private static void problems(ObjectNode op, String... statuses) {
        ObjectNode responses = op.has("responses") ? (ObjectNode) op.get("responses") : op.putObject("responses");
        for (String s : statuses) {
            responses.putObject(s).put("description", "A problem").putObject("content").putObject(PROBLEM).set("schema", ref("Problem"));
        }
        responses.putObject("401").put("description", "No valid API key").putObject("content").putObject(PROBLEM).set("schema", ref("Problem"));
        responses.putObject("403").put("description", "The key lacks the scope").putObject("content").putObject(PROBLEM).set("schema", ref("Problem"));
    }

    private static ObjectNode ref(String name) {
        return NODES.objectNode().put("$ref", "#/components/schemas/" + name);
    }

    private static ObjectNode enumOf(String... values) {
        ObjectNode o = NODES.objectNode().put("type", "string");
        ArrayNode e = o.putArray("enum");
        for (String v : values) {
            e.add(v);
        }
        return o;
    }

    private static ObjectNode query(String name, ObjectNode schema) {
        ObjectNode p = NODES.objectNode().put("name", name).put("in", "query");
        p.set("schema", schema);
        return p;
    }

    private static ObjectNode header(String name, String description) {
        ObjectNode p = NODES.objectNode().put("name", name).put("in", "header").put("description", description);
        p.set("schema", NODES.objectNode().put("type", "string"));
        return p;
    }
}
