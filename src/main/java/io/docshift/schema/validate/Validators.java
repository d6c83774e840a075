package io.docshift.schema.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.document.json.JsonPath;
import io.docshift.document.store.DocumentId;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;

import static io.docshift.schema.validate.Validator.found;
import static io.docshift.schema.validate.Violations.report;

/** The validator types, one per Convex {@code v.*}. */
public final class Validators {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Validators() {
    }

    /** Types that need no parameters. */
    public enum Kind {
        STRING, NUMBER, INT64, BOOLEAN, NULL, BYTES, ANY;

        public String typeName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code v.string()}, {@code v.number()}, {@code v.int64()}, {@code v.boolean()}, {@code v.null()}, {@code v.bytes()}, {@code v.any()}. */
    public record Simple(Kind kind) implements Validator {

        private static final double TWO_63 = 9.223372036854775808E18;

        @Override
        public boolean validate(JsonNode value, JsonPath path, Violations sink) {
            boolean ok = switch (kind) {
                case STRING -> value.isTextual();
                case NUMBER -> value.isNumber();
                case INT64 -> value.isIntegralNumber() && value.canConvertToLong()
                        || value.isNumber() && isIntegral(value.doubleValue());
                case BOOLEAN -> value.isBoolean();
                case NULL -> value.isNull();
                case BYTES -> value.isTextual() && isBase64(value.textValue());
                case ANY -> true;
            };
            return ok || report(sink, path, "expected " + describe() + ", found " + found(value));
        }

        private static boolean isIntegral(double d) {
            return d == Math.rint(d) && d >= -TWO_63 && d < TWO_63;
        }

        private static boolean isBase64(String s) {
            if (s.length() % 4 != 0) {
                return false;
            }
            int n = s.length();
            int pad = n > 0 && s.charAt(n - 1) == '=' ? (n > 1 && s.charAt(n - 2) == '=' ? 2 : 1) : 0;
            for (int i = 0; i < n - pad; i++) {
                char c = s.charAt(i);
                boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/';
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String describe() {
            return kind == Kind.BYTES ? "bytes (a base64 string)" : kind.typeName();
        }

        @Override
        public JsonNode toJson() {
            return NODES.objectNode().put("type", kind.typeName());
        }
    }

    /** {@code v.id("table")}: an id of a document of that table. */
    public record Id(String table, Function<String, OptionalInt> tableNumbers) implements Validator {

        @Override
        public boolean validate(JsonNode value, JsonPath path, Violations sink) {
            if (value.isTextual()) {
                DocumentId id = DocumentId.tryParse(value.textValue());
                if (id != null) {
                    OptionalInt number = tableNumbers.apply(table);
                    if (number.isPresent() && number.getAsInt() == id.tableNumber()) {
                        return true;
                    }
                    return report(sink, path, "expected " + describe() + ", found an id of another table");
                }
            }
            return report(sink, path, "expected " + describe() + ", found " + found(value));
        }

        @Override
        public String describe() {
            return "id of table " + table;
        }

        @Override
        public JsonNode toJson() {
            return NODES.objectNode().put("type", "id").put("table", table);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Id other && other.table.equals(table);
        }

        @Override
        public int hashCode() {
            return table.hashCode();
        }
    }

    /** {@code v.literal(value)}: exactly this string, number or boolean. */
    public record Literal(JsonNode value) implements Validator {

        @Override
        public boolean validate(JsonNode candidate, JsonPath path, Violations sink) {
            boolean ok = value.isNumber()
                    ? candidate.isNumber() && candidate.doubleValue() == value.doubleValue()
                    : value.equals(candidate);
            return ok || report(sink, path, "expected " + describe() + ", found " + found(candidate));
        }

        @Override
        public String describe() {
            return value.toString();
        }

        @Override
        public JsonNode toJson() {
            ObjectNode o = NODES.objectNode().put("type", "literal");
            o.set("value", value);
            return o;
        }
    }

    /** {@code v.union(...)}: any one of the members. */
    public record Union(List<Validator> members) implements Validator {

        @Override
        public boolean validate(JsonNode value, JsonPath path, Violations sink) {
            for (Validator member : members) {
                if (member.validate(value, path, null)) {
                    return true;
                }
            }
            // For a union of objects, the violations of the one member of the value's shape say more.
            if (value.isObject() && sink != null) {
                List<Validator> objects = members.stream().filter(m -> m instanceof ObjectShape).toList();
                if (objects.size() == 1) {
                    return objects.get(0).validate(value, path, sink);
                }
            }
            return report(sink, path, "expected " + describe() + ", found " + found(value));
        }

        @Override
        public String describe() {
            StringBuilder b = new StringBuilder();
            for (Validator m : members) {
                b.append(b.length() == 0 ? "" : " | ").append(m.describe());
            }
            return b.toString();
        }

        @Override
        public JsonNode toJson() {
            ObjectNode o = NODES.objectNode().put("type", "union");
            ArrayNode a = o.putArray("members");
            members.forEach(m -> a.add(m.toJson()));
            return o;
        }
    }

    /** {@code v.array(items)}. */
    public record Array(Validator items) implements Validator {

        @Override
        public boolean validate(JsonNode value, JsonPath path, Violations sink) {
            if (!value.isArray()) {
                return report(sink, path, "expected " + describe() + ", found " + found(value));
            }
            boolean ok = true;
            for (int i = 0; i < value.size(); i++) {
                path.push(i);
                ok &= items.validate(value.get(i), path, sink);
                path.pop();
                if (!ok && sink == null) {
                    return false;
                }
            }
            return ok;
        }

        @Override
        public String describe() {
            return "array of " + items.describe();
        }

        @Override
        public JsonNode toJson() {
            ObjectNode o = NODES.objectNode().put("type", "array");
            o.set("items", items.toJson());
            return o;
        }
    }

    /** A field of an object: its validator and whether it may be absent ({@code v.optional}). */
    public record Field(Validator validator, boolean optional) {

        public JsonNode toJson() {
            ObjectNode o = (ObjectNode) validator.toJson();
            if (optional) {
                o.put("optional", true);
            }
            return o;
        }
    }

    /** {@code v.object({...})}, strict: a field it does not declare is a violation. Also a table's field map. */
    public record ObjectShape(Map<String, Field> fields) implements Validator {

        @Override
        public boolean validate(JsonNode value, JsonPath path, Violations sink) {
            if (!value.isObject()) {
                return report(sink, path, "expected object, found " + found(value));
            }
            boolean ok = true;
            int present = 0;
            for (Map.Entry<String, Field> e : fields.entrySet()) {
                JsonNode v = value.get(e.getKey());
                path.push(e.getKey());
                if (v == null) {
                    if (!e.getValue().optional()) {
                        ok = report(sink, path, "required field is missing (expected " + e.getValue().validator().describe() + ")");
                    }
                } else {
                    present++;
                    ok &= e.getValue().validator().validate(v, path, sink);
                }
                path.pop();
                if (!ok && sink == null) {
                    return false;
                }
            }
            if (present != value.size()) {
                for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    if (!fields.containsKey(name)) {
                        path.push(name);
                        ok = report(sink, path, "field is not in the schema");
                        path.pop();
                        if (sink == null) {
                            return false;
                        }
                    }
                }
            }
            return ok;
        }

        @Override
        public String describe() {
            return "object";
        }

        @Override
        public JsonNode toJson() {
            ObjectNode o = NODES.objectNode().put("type", "object");
            ObjectNode f = o.putObject("fields");
            fields.forEach((name, field) -> f.set(name, field.toJson()));
            return o;
        }
    }

    /** {@code v.record(keys, values)}: an object with any keys matching {@code keys}, all values matching {@code values}. */
    public record Record(Validator keys, Validator values) implements Validator {

        @Override
        public boolean validate(JsonNode value, JsonPath path, Violations sink) {
            if (!value.isObject()) {
                return report(sink, path, "expected " + describe() + ", found " + found(value));
            }
            boolean ok = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                path.push(e.getKey());
                if (!keys.validate(NODES.textNode(e.getKey()), path, null)) {
                    ok = report(sink, path, "key is not a " + keys.describe());
                } else {
                    ok &= values.validate(e.getValue(), path, sink);
                }
                path.pop();
                if (!ok && sink == null) {
                    return false;
                }
            }
            return ok;
        }

        @Override
        public String describe() {
            return "record of " + keys.describe() + " to " + values.describe();
        }

        @Override
        public JsonNode toJson() {
            ObjectNode o = NODES.objectNode().put("type", "record");
            o.set("keys", keys.toJson());
            o.set("values", values.toJson());
            return o;
        }
    }
}
